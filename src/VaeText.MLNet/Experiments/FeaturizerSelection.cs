using System.Globalization;
using Microsoft.ML.Data;
using Microsoft.ML;
using VaeText.MLNet;

namespace VaeText.Experiments;

/// <summary>
/// Chooses the featurizer of <c>vaetext train --featurizer auto</c> the way <c>compare</c> chooses its pipeline: by
/// stratified k-fold cross-validation on the training rows only (<see cref="CrossValidationFolds"/>, scored by
/// <see cref="ComparisonRunner.CrossValidate"/>). The choices are the n-grams, the VAE's latent means, and both
/// concatenated at each latent block weight of <see cref="CandidatePipelines.LatentWeights"/>; their features come
/// from the comparison's <see cref="ComparisonRunner.Featurizers"/>, fitted once on all training texts (labels unused),
/// with one VAE shared by the VAE and n-grams ⊕ VAE choices (trees, whose splits do not change when a column is scaled,
/// try weight 1 only, and get the train command's 1,000 most frequent n-grams). The choice with the highest pooled CV accuracy wins (on a
/// tie the earlier in that order: the smaller pipeline), and its classifier is then fitted on all rows.
/// </summary>
internal static class FeaturizerSelection
{
    /// <summary>One choice and its cross-validated accuracy.</summary>
    /// <param name="Spec">The pipeline (featurizer, trainer, VAE configuration).</param>
    /// <param name="LatentWeight">Weight of the standardised latent block (n-grams ⊕ VAE only; null otherwise).</param>
    /// <param name="CvAccuracy">Pooled accuracy over the held-out folds (NaN when the rows cannot be cross-validated).</param>
    internal sealed record Trial(CandidateSpec Spec, double? LatentWeight, double CvAccuracy);

    /// <summary>The outcome: every trial, the chosen one, and the chosen pipeline fitted on all rows. Disposing it releases the VAE.</summary>
    internal sealed class Result : IDisposable
    {
        /// <summary>Every choice in the order tried.</summary>
        public required IReadOnlyList<Trial> Trials { get; init; }
        /// <summary>The choice with the highest CV accuracy.</summary>
        public required Trial Chosen { get; init; }
        /// <summary>The chosen pipeline fitted on all rows: text → features → classifier → PredictedLabel (class name).</summary>
        public required ITransformer Model { get; init; }
        /// <summary>The folds, e.g. "5-fold".</summary>
        public required string Folds { get; init; }
        /// <summary>The VAE the model holds (null when none was trained).</summary>
        internal IDisposable? Vae { get; init; }

        /// <summary>Releases the VAE.</summary>
        public void Dispose() => Vae?.Dispose();
    }

    /// <summary>
    /// Scores every choice by cross-validation on the rows of <paramref name="view"/> and fits the best on all of them.
    /// </summary>
    /// <param name="ml">The context of the saved model's parts.</param>
    /// <param name="view">The training data: label column and text column <paramref name="textColumn"/>.</param>
    /// <param name="labels">The class name of each row.</param>
    /// <param name="textColumn">The text column.</param>
    /// <param name="trainer">The downstream trainer of every choice.</param>
    /// <param name="vaeSettings">The VAE configuration (names the pipelines).</param>
    /// <param name="vae">The VaeLatent transformer fitted on <paramref name="view"/>'s texts (labels unused); owned by the result.</param>
    /// <param name="vaeSeconds">Seconds its training took.</param>
    /// <param name="seed">Seed of the folds and of the classifier fits.</param>
    /// <param name="folds">Most folds (fewer for few rows, see <see cref="CrossValidationFolds"/>).</param>
    /// <param name="progress">Stage lines (may be null).</param>
    /// <param name="ct">Stops the work, between and inside classifier fits.</param>
    public static Result Run(MLContext ml, IDataView view, IReadOnlyList<string> labels, string textColumn, TrainerKind trainer,
        VaeSettings vaeSettings, VaeLatentTransformer vae, double vaeSeconds, int seed, int folds, IComparisonProgress? progress, CancellationToken ct)
    {
        try
        {
            var texts = view.GetColumn<string>(textColumn).ToArray();
            if (texts.Length != labels.Count) throw new ArgumentException($"{labels.Count} labels for {texts.Length} rows", nameof(labels));
            var classes = labels.Distinct(StringComparer.Ordinal).OrderBy(s => s, StringComparer.Ordinal).ToArray();
            var classIndex = classes.Select((c, i) => (c, i)).ToDictionary(p => p.c, p => p.i, StringComparer.Ordinal);
            int[] y = labels.Select(l => classIndex[l]).ToArray();
            int[] rows = Enumerable.Range(0, texts.Length).ToArray();
            var cv = CrossValidationFolds.Create(rows, y, seed, folds)
                ?? throw new ArgumentException($"cross-validation needs at least {CrossValidationFolds.MinRows} rows (got {rows.Length})", nameof(view));

            // The featurizers read the texts a few times: from memory.
            var train = new ComparisonRunner.LabeledData(ml.Data.Cache(view), texts, [.. labels]);
            // Trees split well only on frequent n-grams and bin every column: the train command's smaller n-gram vocabulary.
            var options = new ComparisonOptions
            {
                TrainPath = "", TextColumn = textColumn, Vae = vaeSettings, VaeSeed = seed,
                MaxNgrams = trainer == TrainerKind.Sdca ? CandidatePipelines.MaxNgrams : Pipelines.TextClassifierPipeline.MaxTreeNgrams,
            };
            var report = new ComparisonReport { Dataset = "", Evaluation = "", Classes = classes, TrainCount = texts.Length };
            var features = new ComparisonRunner.Featurizers(ml, options, train, null, report, progress);
            features.UseVae(vaeSettings, new FittedVae
            {
                Transformer = vae,
                LatentSize = vae.LatentSize,
                TrainMeans = vae.EncodeMeans(texts),
                TopWords = [],
            }, vaeSeconds);

            progress?.Stage($"Cross-validating the featurizers ({cv.Describe()}, {texts.Length} documents, labels of the training rows only)");
            var trials = new List<(Trial Trial, FeatureTable Table)>();
            foreach (var kind in new[] { FeaturizerKind.Ngrams, FeaturizerKind.Vae, FeaturizerKind.Both })
            {
                var spec = new CandidateSpec(kind, trainer, kind == FeaturizerKind.Ngrams ? null : vaeSettings);
                var tables = features.For(spec, ct) ?? throw new OperationCanceledException(ct);
                // A tree's splits do not change when a column is scaled: trees try the first latent weight only.
                int variants = trainer == TrainerKind.Sdca ? tables.Length : 1;
                for (int v = 0; v < variants; v++)
                {
                    double accuracy = ComparisonRunner.CrossValidate(spec, tables[v], rows, cv, labels, classes, seed, ct);
                    var trial = new Trial(spec, kind == FeaturizerKind.Both ? features.LatentWeight(spec, v) : null, accuracy);
                    trials.Add((trial, tables[v]));
                    progress?.Stage(string.Format(CultureInfo.InvariantCulture, "CV accuracy {0:F2} %: {1}", 100 * accuracy, Describe(trial)));
                }
            }
            var best = trials[0];
            foreach (var t in trials.Skip(1))
                if (t.Trial.CvAccuracy > best.Trial.CvAccuracy) best = t;

            progress?.Stage($"Fitting {Describe(best.Trial)} on all {texts.Length} documents");
            var classifier = ComparisonRunner.FitClassifier(best.Trial.Spec, best.Table, rows, labels, classes, seed, ct);
            var model = ComparisonRunner.ModelChain(ml, best.Table.Featurizer, classifier, view, classes, trainer);
            return new Result
            {
                Trials = trials.Select(t => t.Trial).ToList(),
                Chosen = best.Trial,
                Model = model,
                Folds = cv.Describe(),
                Vae = vae,
            };
        }
        catch
        {
            vae.Dispose();
            throw;
        }
    }

    /// <summary>A trial's pipeline name, with its latent weight, e.g. "TF-IDF ⊕ VAE 32d/20ep + SDCA (latent weight 0.42)".</summary>
    public static string Describe(Trial t) =>
        t.Spec.Name + (t.LatentWeight is double w ? string.Format(CultureInfo.InvariantCulture, " (latent weight {0:0.###})", w) : "");
}
