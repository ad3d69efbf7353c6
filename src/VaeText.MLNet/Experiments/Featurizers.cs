using VaeText.Models;
using VaeText.Tensors;
using VaeText.Text;

namespace VaeText.Experiments;

/// <summary>Word 1–2-gram TF-IDF: log(1 + count) · idf, idf = ln((N + 1) / (df + 1)) + 1, rows L2-normalised.</summary>
internal sealed class NgramFeaturizer
{
    public Vocabulary Vocabulary { get; }
    public float[] Idf { get; }
    private readonly int _threads;

    internal NgramFeaturizer(Vocabulary vocabulary, float[] idf, int threads = 0)
    {
        if (idf.Length != vocabulary.Count) throw new InvalidDataException($"n-gram idf has {idf.Length} entries for {vocabulary.Count} terms.");
        Vocabulary = vocabulary; Idf = idf; _threads = threads;
    }

    /// <summary>Tokens and adjacent-token bigrams ("a b") of a text.</summary>
    public static List<string> Terms(string text)
    {
        var tokens = Tokenizer.Default.Tokenize(text);
        var result = new List<string>(tokens.Count * 2);
        result.AddRange(tokens);
        for (int i = 0; i + 1 < tokens.Count; i++) result.Add(tokens[i] + " " + tokens[i + 1]);
        return result;
    }

    public static NgramFeaturizer Fit(IReadOnlyList<string> texts, int maxTerms, int threads)
    {
        var docs = texts.Select(t => (IReadOnlyList<string>)Terms(t)).ToList();
        var vocab = Vocabulary.Build(docs, new VocabularyOptions { MaxSize = maxTerms, MinDocumentFrequency = texts.Count >= 2000 ? 2 : 1 });
        var idf = new float[vocab.Count];
        for (int j = 0; j < idf.Length; j++) idf[j] = (float)(Math.Log((texts.Count + 1.0) / (vocab.DocumentFrequencies[j] + 1.0)) + 1.0);
        return new NgramFeaturizer(vocab, idf, threads);
    }

    public CsrMatrix Transform(IReadOnlyList<string> texts)
    {
        var counts = BagOfWords.Build(texts.Select(t => (IReadOnlyList<string>)Terms(t)).ToList(), Vocabulary, _threads);
        var values = new float[counts.Values.Length];
        for (int r = 0; r < counts.Rows; r++)
        {
            double norm = 0;
            for (int k = counts.RowPtr[r]; k < counts.RowPtr[r + 1]; k++)
            {
                values[k] = (float)Math.Log(1 + counts.Values[k]) * Idf[counts.Indices[k]];
                norm += values[k] * (double)values[k];
            }
            if (norm > 0)
            {
                float inv = (float)(1 / Math.Sqrt(norm));
                for (int k = counts.RowPtr[r]; k < counts.RowPtr[r + 1]; k++) values[k] *= inv;
            }
        }
        return new CsrMatrix(counts.Rows, counts.Columns, counts.RowPtr, counts.Indices, values);
    }
}

/// <summary>The VAE latent mean as features, standardised per dimension with training statistics.</summary>
internal sealed class VaeFeaturizer
{
    public BowVae Model { get; }
    public Vocabulary Vocabulary { get; }
    public float[] Mean { get; }
    public float[] Scale { get; }
    private readonly int _threads;

    internal VaeFeaturizer(BowVae model, Vocabulary vocabulary, float[] mean, float[] scale, int threads = 0)
    {
        if (model.VocabularySize != vocabulary.Count) throw new InvalidDataException($"VAE vocabulary size {model.VocabularySize} differs from its vocabulary ({vocabulary.Count} terms).");
        if (mean.Length != model.LatentSize || scale.Length != model.LatentSize) throw new InvalidDataException("VAE standardisation statistics do not match the latent size.");
        Model = model; Vocabulary = vocabulary; Mean = mean; Scale = scale; _threads = threads;
    }

    public static VaeFeaturizer Create(BowVae model, Vocabulary vocabulary, CsrMatrix trainCounts, int threads)
    {
        int l = model.LatentSize, n = trainCounts.Rows;
        var m = model.Encode(trainCounts, threads);
        var mean = new double[l];
        var sd = new double[l];
        for (int i = 0; i < n; i++) for (int d = 0; d < l; d++) mean[d] += m[i * l + d];
        for (int d = 0; d < l; d++) mean[d] /= Math.Max(1, n);
        for (int i = 0; i < n; i++) for (int d = 0; d < l; d++) { double c = m[i * l + d] - mean[d]; sd[d] += c * c; }
        var scale = new float[l];
        for (int d = 0; d < l; d++) { double s = Math.Sqrt(sd[d] / Math.Max(1, n - 1)); scale[d] = s > 1e-8 ? (float)s : 1f; }
        return new VaeFeaturizer(model, vocabulary, mean.Select(x => (float)x).ToArray(), scale, threads);
    }

    public float[] RawMeans(IReadOnlyList<string> texts) => Model.Encode(BagOfWords.Build(texts, Tokenizer.Default, Vocabulary, _threads), _threads);

    public float[] Standardize(float[] raw)
    {
        int l = Model.LatentSize;
        var z = new float[raw.Length];
        for (int i = 0; i < raw.Length; i++) z[i] = (raw[i] - Mean[i % l]) / Scale[i % l];
        return z;
    }
}
