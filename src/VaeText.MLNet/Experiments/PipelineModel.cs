using System.IO.Compression;
using System.Text;
using System.Text.Json;
using VaeText.Models;
using VaeText.Tensors;
using VaeText.Text;
using VaeText.Trainers.FastTree;
using VaeText.Trainers.Sdca;

namespace VaeText.Experiments;

/// <summary>
/// A fitted text classifier: n-gram and/or VAE featurizer + SDCA or GBDT model, saved as a zip.
/// Layout (format "vaetext-pipeline", version 1; oldest readable 1): <c>manifest.json</c> {format, version,
/// featurizer, trainer, latent, vae_epochs, label_column, text_column, classes[]}; when n-grams are used
/// <c>ngram/vocabulary.bin</c> (Vocabulary.WriteTo) and <c>ngram/idf.bin</c> (int count, floats); when the VAE is
/// used <c>vae/options.bin</c> (vocabulary size, latent, hidden count + sizes, activation, log-variance bounds, seed),
/// <c>vae/parameters.bin</c> (int count, floats), <c>vae/vocabulary.bin</c>, <c>vae/standardize.bin</c> (int l, means,
/// scales); <c>classifier.bin</c> (kind byte 1 linear-binary, 2 linear-multiclass, 3 GBDT, then the model's own Save).
/// </summary>
internal sealed class PipelineModel
{
    private const string Format = "vaetext-pipeline";
    private const int Version = 1;

    public CandidateSpec Spec { get; }
    public NgramFeaturizer? Ngrams { get; }
    public VaeFeaturizer? Vae { get; }
    internal LibraryBackend.Fitted Classifier { get; }
    public IReadOnlyList<string> Classes { get; }
    public string LabelColumn { get; }
    public string TextColumn { get; }

    internal PipelineModel(CandidateSpec spec, NgramFeaturizer? ngrams, VaeFeaturizer? vae, LibraryBackend.Fitted classifier,
        string[] classes, string labelColumn, string textColumn)
    {
        if (spec.Featurizer != FeaturizerKind.Vae && ngrams is null) throw new ArgumentException("The pipeline needs its n-gram featurizer.");
        if (spec.Featurizer != FeaturizerKind.Ngrams && vae is null) throw new ArgumentException("The pipeline needs its VAE featurizer.");
        Spec = spec;
        Ngrams = spec.Featurizer == FeaturizerKind.Vae ? null : ngrams;
        Vae = spec.Featurizer == FeaturizerKind.Ngrams ? null : vae;
        Classifier = classifier; Classes = classes; LabelColumn = labelColumn; TextColumn = textColumn;
    }

    /// <summary>Features of texts, as the classifier was trained on.</summary>
    internal IFeatureTable Features(IReadOnlyList<string> texts)
    {
        LibraryBackend.Sparse? ng = Ngrams is null ? null : new LibraryBackend.Sparse(Ngrams.Transform(texts), Ngrams, null);
        LibraryBackend.Dense? z = Vae is null ? null : new LibraryBackend.Dense(Vae.Standardize(Vae.RawMeans(texts)), texts.Count, Vae.Model.LatentSize, Vae);
        if (ng is not null && z is not null) return new LibraryBackend().Concatenate(ng, z);
        return (IFeatureTable?)ng ?? z!;
    }

    /// <summary>Class probabilities of each text.</summary>
    public float[][] Probabilities(IReadOnlyList<string> texts) => LibraryBackend.Probabilities(Classifier, Features(texts), null);

    /// <summary>Raw latent means [rows][latent], or null without a VAE.</summary>
    public float[][]? LatentMeans(IReadOnlyList<string> texts)
    {
        if (Vae is null) return null;
        var m = Vae.RawMeans(texts);
        int l = Vae.Model.LatentSize;
        return Enumerable.Range(0, texts.Count).Select(i => m.AsSpan(i * l, l).ToArray()).ToArray();
    }

    /// <summary>Top words per latent dimension, or null without a VAE.</summary>
    public IReadOnlyList<IReadOnlyList<string>>? TopWords(int count) =>
        Vae is null ? null : Enumerable.Range(0, Vae.Model.LatentSize)
            .Select(d => (IReadOnlyList<string>)Vae.Model.TopWordIds(d, count).Select(id => Vae.Vocabulary[id]).ToList()).ToList();

    /// <summary>Writes the zip to <paramref name="path"/> (callers make it atomic).</summary>
    public void Save(string path)
    {
        using var fs = new FileStream(path, FileMode.Create, FileAccess.Write, FileShare.None);
        using var zip = new ZipArchive(fs, ZipArchiveMode.Create);
        Entry(zip, "manifest.json", s =>
        {
            using var w = new Utf8JsonWriter(s, new JsonWriterOptions { Indented = true });
            w.WriteStartObject();
            w.WriteString("format", Format);
            w.WriteNumber("version", Version);
            w.WriteString("featurizer", Spec.FeaturizerId);
            w.WriteString("trainer", Spec.TrainerId);
            w.WriteNumber("latent", Spec.Vae?.Latent ?? 0);
            w.WriteNumber("vae_epochs", Spec.Vae?.Epochs ?? 0);
            w.WriteString("label_column", LabelColumn);
            w.WriteString("text_column", TextColumn);
            w.WriteStartArray("classes");
            foreach (var c in Classes) w.WriteStringValue(c);
            w.WriteEndArray();
            w.WriteEndObject();
        });
        if (Ngrams is not null)
        {
            Entry(zip, "ngram/vocabulary.bin", s => { using var w = new BinaryWriter(s, Encoding.UTF8, true); Ngrams.Vocabulary.WriteTo(w); });
            Entry(zip, "ngram/idf.bin", s => WriteFloats(s, Ngrams.Idf));
        }
        if (Vae is not null)
        {
            var o = Vae.Model.Options;
            Entry(zip, "vae/options.bin", s =>
            {
                using var w = new BinaryWriter(s, Encoding.UTF8, true);
                w.Write(o.VocabularySize); w.Write(o.LatentSize); w.Write(o.EncoderHiddenSizes.Count);
                foreach (var h in o.EncoderHiddenSizes) w.Write(h);
                w.Write((int)o.Activation); w.Write(o.LogVarianceMin); w.Write(o.LogVarianceMax); w.Write(o.Seed);
            });
            Entry(zip, "vae/parameters.bin", s => WriteFloats(s, Vae.Model.GetParameters()));
            Entry(zip, "vae/vocabulary.bin", s => { using var w = new BinaryWriter(s, Encoding.UTF8, true); Vae.Vocabulary.WriteTo(w); });
            Entry(zip, "vae/standardize.bin", s => { WriteFloats(s, Vae.Mean); WriteFloats(s, Vae.Scale); });
        }
        Entry(zip, "classifier.bin", s =>
        {
            switch (Classifier.Model)
            {
                case LinearBinaryModel b: s.WriteByte(1); b.Save(s); break;
                case LinearMulticlassModel m: s.WriteByte(2); m.Save(s); break;
                case GbdtModel g:
                    s.WriteByte(3);
                    using (var w = new BinaryWriter(s, Encoding.UTF8, true))
                    {
                        var cols = Classifier.Columns ?? Array.Empty<int>();
                        w.Write(cols.Length);
                        foreach (var c in cols) w.Write(c);
                    }
                    g.Save(s);
                    break;
                default: throw new InvalidOperationException("Unknown classifier type.");
            }
        });
    }

    /// <summary>Reads a model zip, checking every field; a damaged file raises <see cref="InvalidDataException"/> naming it.</summary>
    public static PipelineModel Load(string path)
    {
        try
        {
            using var fs = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read);
            using var zip = new ZipArchive(fs, ZipArchiveMode.Read);
            using var manifestDoc = JsonDocument.Parse(Read(zip, "manifest.json"));
            var m = manifestDoc.RootElement;
            if (m.GetProperty("format").GetString() != Format) throw new InvalidDataException("not a VaeText pipeline model");
            int version = m.GetProperty("version").GetInt32();
            if (version < 1 || version > Version) throw new InvalidDataException($"model version {version} is not supported (this build reads 1–{Version})");
            var featurizer = m.GetProperty("featurizer").GetString() switch
            {
                "ngrams" => FeaturizerKind.Ngrams, "vae" => FeaturizerKind.Vae, "both" => FeaturizerKind.Both,
                var f => throw new InvalidDataException($"unknown featurizer '{f}'"),
            };
            var trainer = m.GetProperty("trainer").GetString() switch
            {
                "sdca" => TrainerKind.Sdca, "fasttree" => TrainerKind.FastTree, var t => throw new InvalidDataException($"unknown trainer '{t}'"),
            };
            int latent = m.GetProperty("latent").GetInt32(), epochs = m.GetProperty("vae_epochs").GetInt32();
            var classes = m.GetProperty("classes").EnumerateArray().Select(e => e.GetString() ?? throw new InvalidDataException("null class name")).ToArray();
            if (classes.Length < 2 || classes.Distinct(StringComparer.Ordinal).Count() != classes.Length) throw new InvalidDataException("the class list is invalid");
            var spec = new CandidateSpec(featurizer, trainer, featurizer == FeaturizerKind.Ngrams ? null : new VaeSettings(latent, epochs));
            NgramFeaturizer? ng = null;
            if (featurizer != FeaturizerKind.Vae)
            {
                var vocab = Vocabulary.ReadFrom(new BinaryReader(new MemoryStream(Read(zip, "ngram/vocabulary.bin"))));
                ng = new NgramFeaturizer(vocab, ReadFloats(new MemoryStream(Read(zip, "ngram/idf.bin"))));
            }
            VaeFeaturizer? vf = null;
            if (featurizer != FeaturizerKind.Ngrams)
            {
                var r = new BinaryReader(new MemoryStream(Read(zip, "vae/options.bin")));
                var o = new BowVaeOptions { VocabularySize = r.ReadInt32(), LatentSize = r.ReadInt32() };
                int hidden = r.ReadInt32();
                if (hidden < 0 || hidden > 16) throw new InvalidDataException($"bad encoder layer count {hidden}");
                o.EncoderHiddenSizes = Enumerable.Range(0, hidden).Select(_ => r.ReadInt32()).ToArray();
                o.Activation = (Nn.Activation)r.ReadInt32();
                o.LogVarianceMin = r.ReadDouble(); o.LogVarianceMax = r.ReadDouble(); o.Seed = r.ReadInt32();
                if (o.LatentSize != latent) throw new InvalidDataException("latent size differs between manifest and VAE");
                var model = new BowVae(o);
                model.SetParameters(ReadFloats(new MemoryStream(Read(zip, "vae/parameters.bin"))));
                var vocab = Vocabulary.ReadFrom(new BinaryReader(new MemoryStream(Read(zip, "vae/vocabulary.bin"))));
                var st = new MemoryStream(Read(zip, "vae/standardize.bin"));
                vf = new VaeFeaturizer(model, vocab, ReadFloats(st), ReadFloats(st));
            }
            var cs = new MemoryStream(Read(zip, "classifier.bin"));
            int kind = cs.ReadByte();
            int[]? columns = null;
            if (kind == 3)
            {
                using var br = new BinaryReader(cs, Encoding.UTF8, true);
                int nc = br.ReadInt32();
                if (nc < 0 || nc > 10_000_000) throw new InvalidDataException($"bad tree column count {nc}");
                columns = nc == 0 ? null : Enumerable.Range(0, nc).Select(_ => br.ReadInt32()).ToArray();
                if (columns is not null && columns.Any(c => c < 0)) throw new InvalidDataException("negative tree column");
            }
            object clf = kind switch
            {
                1 => LinearBinaryModel.Load(cs),
                2 => LinearMulticlassModel.Load(cs),
                3 => GbdtModel.Load(cs),
                _ => throw new InvalidDataException($"unknown classifier kind {kind}"),
            };
            return new PipelineModel(spec, ng, vf, new LibraryBackend.Fitted(clf, classes.Length, columns), classes,
                m.GetProperty("label_column").GetString() ?? "label", m.GetProperty("text_column").GetString() ?? "text");
        }
        catch (Exception e) when (e is InvalidDataException or EndOfStreamException or JsonException or KeyNotFoundException
                                   or ArgumentException or InvalidOperationException or FormatException or NotSupportedException)
        {
            throw new InvalidDataException($"model file '{path}' is corrupt or not a VaeText model: {FirstLine(e.Message)}", e);
        }
    }

    private static string FirstLine(string s) => s.Replace("\r", "").Split('\n')[0];

    private static void Entry(ZipArchive zip, string name, Action<Stream> write)
    {
        var e = zip.CreateEntry(name, CompressionLevel.Fastest);
        e.LastWriteTime = new DateTimeOffset(2000, 1, 1, 0, 0, 0, TimeSpan.Zero); // deterministic bytes
        using var s = e.Open();
        write(s);
    }

    private static byte[] Read(ZipArchive zip, string name)
    {
        var e = zip.GetEntry(name) ?? throw new InvalidDataException($"entry '{name}' is missing");
        return IO.ModelZip.ReadBounded(e, IO.ModelZip.MaxEntryBytes);
    }

    private static void WriteFloats(Stream s, float[] values)
    {
        using var w = new BinaryWriter(s, Encoding.UTF8, true);
        w.Write(values.Length);
        foreach (var v in values) w.Write(v);
    }

    private static float[] ReadFloats(Stream s)
    {
        using var r = new BinaryReader(s, Encoding.UTF8, true);
        int n = r.ReadInt32();
        if (n < 0 || (long)n * 4 > s.Length - s.Position) throw new InvalidDataException($"float array length {n} is invalid");
        var v = new float[n];
        for (int i = 0; i < n; i++)
        {
            v[i] = r.ReadSingle();
            if (!float.IsFinite(v[i])) throw new InvalidDataException($"value {i} is not finite");
        }
        return v;
    }
}
