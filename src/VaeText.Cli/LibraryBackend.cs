using System.IO.Compression;
using System.Text.Json;
using VaeText.Data;
using VaeText.Experiments;
using VaeText.IO;
using VaeText.Transforms;

namespace VaeText.Cli;

/// <summary>The library-backed experiment and model backends.</summary>
internal static class LibraryBackend
{
    public static IExperimentBackend CreateExperiment(CliRunSettings? settings = null) => new Experiments.LibraryBackend
    {
        OnVaeBatch = settings?.OnVaeBatch,
    };

    public static IModelBackend CreateModel() => new ModelBackend();

    private sealed class ModelBackend : IModelBackend
    {
        public LabeledTexts Load(string path, string labelColumn, string textColumn) => new Experiments.LibraryBackend().Load(path, labelColumn, textColumn);

        public IReadOnlyList<string> LoadTexts(string path, string textColumn)
        {
            // The reference corpus may have no label column: read the text column only.
            var header = File.ReadLines(path).FirstOrDefault() ?? throw new InvalidDataException($"{path}: the file is empty.");
            var cols = header.Split('\t');
            if (!cols.Contains(textColumn, StringComparer.Ordinal)) throw new InvalidDataException($"{path}: no column '{textColumn}' (columns: {string.Join(", ", cols)}).");
            string labelColumn = cols.FirstOrDefault(c => c != textColumn) ?? textColumn;
            return Load(path, labelColumn, textColumn).Texts;
        }

        public ITextPipelineModel Train(LabeledTexts data, string labelColumn, string textColumn, CandidateSpec spec, int seed,
            CliRunSettings settings, IProgress<VaeEpochPoint>? progress, CancellationToken ct)
        {
            var lib = new Experiments.LibraryBackend
            {
                LabelColumn = labelColumn, TextColumn = textColumn, OnVaeBatch = settings.OnVaeBatch,
            };
            var classes = data.Labels.Distinct().OrderBy(s => s, StringComparer.Ordinal).ToArray();
            if (classes.Length < 2) throw new InvalidDataException($"the label column '{labelColumn}' has only one class; a classifier needs at least two.");
            var index = classes.Select((c, i) => (c, i)).ToDictionary(p => p.c, p => p.i, StringComparer.Ordinal);
            var y = data.Labels.Select(l => index[l]).ToArray();
            IFeatureTable? ngrams = spec.Featurizer == FeaturizerKind.Vae ? null : lib.FitNgrams(data.Texts, null, ct).Train;
            IFeatureTable? latent = spec.Featurizer == FeaturizerKind.Ngrams ? null : lib.TrainVae(data.Texts, null, spec.Vae!, seed, progress, ct).Train;
            var features = ngrams is not null && latent is not null ? lib.Concatenate(ngrams, latent) : (ngrams ?? latent)!;
            var clf = lib.Fit(spec.Trainer, features, Enumerable.Range(0, y.Length).ToArray(), y, classes.Length, seed, ct);
            var (model, schema) = lib.BuildModel(features, clf, classes);
            return new TextClassifierModel(model, schema, "(trained in memory)");
        }

        public ITextPipelineModel LoadModel(string path) => TextClassifierModel.Load(path);
    }
}

/// <summary>Settings of a CLI run that reach the library backend (encoder choice, live batch progress).</summary>
internal sealed class CliRunSettings
{
    /// <summary>Called after every VAE optimisation step with the number of batches per epoch, or null.</summary>
    public Action<Training.VaeBatchReport, int>? OnVaeBatch { get; init; }
}

/// <summary>
/// A text classifier saved as a pipeline model zip (<c>VaeTextContext.Model.Save</c> format): the chain ends in a
/// multiclass prediction transformer whose Score slots are the classes; the text column is the one the featurizers
/// read, the label column the other input column.
/// </summary>
internal sealed class TextClassifierModel : ITextPipelineModel
{
    private readonly ITransformer _model;
    private readonly DataViewSchema _schema;
    private readonly VaeLatentTransformer? _vae;

    public IReadOnlyList<string> Classes { get; }
    public string LabelColumn { get; }
    public string TextColumn { get; }

    internal TextClassifierModel(ITransformer model, DataViewSchema inputSchema, string source)
    {
        _model = model; _schema = inputSchema;
        var parts = model is ITransformerChainAccessor chain ? chain.Transformers : [model];
        var predictor = parts.OfType<MulticlassPredictionTransformer>().LastOrDefault()
            ?? throw new InvalidDataException($"model file '{source}' is a VaeText pipeline but not a text classifier (no multiclass prediction step).");
        Classes = predictor.ClassNames;
        _vae = VaeLatentTransformer.Find(model);
        TextColumn = _vae?.InputColumnName ?? parts.OfType<TextFeaturizingTransformer>().FirstOrDefault()?.InputColumnName
            ?? throw new InvalidDataException($"model file '{source}' has no text featurizer (FeaturizeText or VaeLatent).");
        LabelColumn = inputSchema.Where(c => !c.IsHidden && c.Name != TextColumn).Select(c => c.Name).FirstOrDefault() ?? "label";
    }

    /// <summary>Loads a model zip; a file of the old CLI format ('vaetext-pipeline') gets a message saying to retrain it.</summary>
    public static TextClassifierModel Load(string path)
    {
        if (OldFormat(path))
            throw new InvalidDataException($"model file '{path}' uses the old vaetext model format ('vaetext-pipeline', written before models became pipeline zips); retrain it with 'vaetext train' or 'vaetext compare'.");
        var model = ModelZip.LoadFromFile(path, out var schema);
        return new TextClassifierModel(model, schema, path);
    }

    private static bool OldFormat(string path)
    {
        try
        {
            using var zip = ZipFile.OpenRead(path);
            var entry = zip.GetEntry("manifest.json");
            if (entry is null || entry.Length > 1 << 20) return false;
            using var s = entry.Open();
            using var doc = JsonDocument.Parse(s);
            return doc.RootElement.ValueKind == JsonValueKind.Object
                && doc.RootElement.TryGetProperty("format", out var f) && f.ValueKind == JsonValueKind.String && f.GetString() == "vaetext-pipeline";
        }
        catch (Exception e) when (e is InvalidDataException or IOException or JsonException or UnauthorizedAccessException)
        {
            return false; // ModelZip reports the real problem.
        }
    }

    public float[] Scores(string text) => ScoresMany([text])[0];

    public float[][] ScoresMany(IReadOnlyList<string> texts)
    {
        var output = _model.Transform(new TextTable((TextColumn, texts)));
        var col = output.Schema["Score"];
        var result = new float[texts.Count][];
        using var cur = output.GetRowCursor([col]);
        var g = cur.GetGetter<VBuffer<float>>(col);
        VBuffer<float> v = default;
        int i = 0;
        while (cur.MoveNext())
        {
            g(ref v);
            result[i++] = v.DenseValues();
        }
        return result;
    }

    public float[][]? LatentMeans(IReadOnlyList<string> texts)
    {
        if (_vae is null) return null;
        var m = _vae.EncodeMeans(texts, maxThreads: 0); // all processors
        int l = _vae.LatentSize;
        return Enumerable.Range(0, texts.Count).Select(i => m.AsSpan(i * l, l).ToArray()).ToArray();
    }

    public IReadOnlyList<IReadOnlyList<string>>? TopWords(int count) => _vae?.TopWords(count);

    public void Save(string path) => ModelZip.SaveToFile(_model, _schema, path);
}
