using VaeText.Experiments;

namespace VaeText.Trainer;

/// <summary>The library-backed experiment and model backends.</summary>
internal static class LibraryBackend
{
    public static IExperimentBackend CreateExperiment() => new Experiments.LibraryBackend();

    public static IModelBackend CreateModel() => new ModelBackend();

    private sealed class ModelBackend : IModelBackend
    {
        private readonly Experiments.LibraryBackend _lib = new();

        public LabeledTexts Load(string path, string labelColumn, string textColumn) => _lib.Load(path, labelColumn, textColumn);

        public IReadOnlyList<string> LoadTexts(string path, string textColumn)
        {
            // The reference corpus may have no label column: read the text column only.
            var header = File.ReadLines(path).FirstOrDefault() ?? throw new InvalidDataException($"{path}: the file is empty.");
            var cols = header.Split('\t');
            if (!cols.Contains(textColumn, StringComparer.Ordinal)) throw new InvalidDataException($"{path}: no column '{textColumn}' (columns: {string.Join(", ", cols)}).");
            string labelColumn = cols.FirstOrDefault(c => c != textColumn) ?? textColumn;
            return _lib.Load(path, labelColumn, textColumn).Texts;
        }

        public ITextPipelineModel Train(LabeledTexts data, string labelColumn, string textColumn, CandidateSpec spec, int seed,
            IProgress<VaeEpochPoint>? progress, CancellationToken ct)
        {
            var classes = data.Labels.Distinct().OrderBy(s => s, StringComparer.Ordinal).ToArray();
            if (classes.Length < 2) throw new InvalidDataException($"the label column '{labelColumn}' has only one class; a classifier needs at least two.");
            var index = classes.Select((c, i) => (c, i)).ToDictionary(p => p.c, p => p.i, StringComparer.Ordinal);
            var y = data.Labels.Select(l => index[l]).ToArray();
            IFeatureTable? ngrams = spec.Featurizer == FeaturizerKind.Vae ? null : _lib.FitNgrams(data.Texts, null, ct).Train;
            IFeatureTable? latent = spec.Featurizer == FeaturizerKind.Ngrams ? null : _lib.TrainVae(data.Texts, null, spec.Vae!, seed, progress, ct).Train;
            var features = ngrams is not null && latent is not null ? _lib.Concatenate(ngrams, latent) : (ngrams ?? latent)!;
            var clf = _lib.Fit(spec.Trainer, features, Enumerable.Range(0, y.Length).ToArray(), y, classes.Length, seed, ct);
            return new Model(PipelineFromParts(spec, features, clf, classes, labelColumn, textColumn));
        }

        private static PipelineModel PipelineFromParts(CandidateSpec spec, IFeatureTable features, IFittedClassifier clf, string[] classes, string lc, string tc)
        {
            var tmp = Path.Combine(Path.GetTempPath(), "vaetext-" + Guid.NewGuid().ToString("N") + ".zip");
            try
            {
                Experiments.LibraryBackend.SaveModel(tmp, spec, features, clf, classes, lc, tc);
                return PipelineModel.Load(tmp);
            }
            finally { File.Delete(tmp); }
        }

        public ITextPipelineModel LoadModel(string path) => new Model(PipelineModel.Load(path));
    }

    private sealed class Model(PipelineModel m) : ITextPipelineModel
    {
        public IReadOnlyList<string> Classes => m.Classes;
        public string LabelColumn => m.LabelColumn;
        public string TextColumn => m.TextColumn;
        public float[] Scores(string text) => m.Probabilities(new[] { text })[0];
        public float[][] ScoresMany(IReadOnlyList<string> texts) => m.Probabilities(texts);
        public float[][]? LatentMeans(IReadOnlyList<string> texts) => m.LatentMeans(texts);
        public IReadOnlyList<IReadOnlyList<string>>? TopWords(int count) => m.TopWords(count);
        public void Save(string path) => m.Save(path);
    }
}
