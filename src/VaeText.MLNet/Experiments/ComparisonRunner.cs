using System.Diagnostics;
using Microsoft.ML;
using Microsoft.ML.Data;
using VaeText.Pipelines;
using VaeText.Text;
using VaeText.Training;

namespace VaeText.Experiments;

/// <summary>
/// Runs an AutoML-style comparison of ML.NET pipelines (<see cref="CandidatePipelines"/>) at every labelled-subset
/// size and seed. Every featurizer is fitted once on all training texts (labels unused) and shared by the candidates
/// that use it — each VAE configuration is trained once. For every labelled draw, each candidate's classifier is
/// scored by cross-validation on the labelled rows only (<see cref="CrossValidationFolds"/>), which selects the
/// pipeline of that labels setting, and then fitted on all labelled rows and scored on the test split, which is
/// used only to report. Writes nothing itself; see <see cref="ComparisonOutputs"/>.
/// </summary>
internal sealed class ComparisonRunner
{
    /// <summary>The result of a run: the report plus what is needed to save the selected model. Dispose it to release the fitted VAEs.</summary>
    internal sealed class Outcome : IDisposable
    {
        /// <summary>The report.</summary>
        public required ComparisonReport Report { get; init; }
        /// <summary>Saves the selected model (an ML.NET model zip) to a path (null when nothing was evaluated).</summary>
        public Action<string>? SaveBestModel { get; init; }
        /// <summary>What the run fitted that holds resources (the VaeLatent transformers).</summary>
        internal List<IDisposable> Owned { get; init; } = new();

        /// <summary>Disposes the fitted VAEs.</summary>
        public void Dispose()
        {
            foreach (var d in Owned) d.Dispose();
            Owned.Clear();
        }
    }

    /// <summary>Validates options; throws <see cref="ArgumentException"/> naming the bad setting.</summary>
    public static void Validate(ComparisonOptions o)
    {
        if (string.IsNullOrWhiteSpace(o.TrainPath)) throw new ArgumentException("The training dataset path is empty.", "--dataset");
        if (o.Seeds < 1 || o.Seeds > 1000) throw new ArgumentOutOfRangeException("--seeds", o.Seeds, "--seeds must be between 1 and 1000.");
        if (o.TimeBudgetSeconds is double b && !(b > 0)) throw new ArgumentOutOfRangeException("--time-budget", b, "--time-budget must be a positive number of seconds.");
        if (o.Labeled.Count == 0) throw new ArgumentException("--labeled needs at least one size.", "--labeled");
        foreach (var n in o.Labeled)
            if (n is int k && k < 1) throw new ArgumentOutOfRangeException("--labeled", k, "--labeled sizes must be positive.");
        if (o.Vae.Latent < 1 || o.Vae.Latent > 4096) throw new ArgumentOutOfRangeException("--latent", o.Vae.Latent, "--latent must be between 1 and 4096.");
        if (o.Vae.Epochs < 1 || o.Vae.Epochs > 100000) throw new ArgumentOutOfRangeException("--epochs", o.Vae.Epochs, "--epochs must be between 1 and 100000.");
        if (o.Folds < 2) throw new ArgumentOutOfRangeException("--folds", o.Folds, "Cross-validation needs at least 2 folds.");
        if (o.LdaTopics < 2 || o.LdaTopics > 1000) throw new ArgumentOutOfRangeException("--lda-topics", o.LdaTopics, "--lda-topics must be between 2 and 1000.");
        if (o.TestSample is int ts && ts < 1) throw new ArgumentOutOfRangeException("--test-sample", ts, "--test-sample must be a positive number of test documents.");
        if (o.TestSample is not null && o.TestPath is null) throw new ArgumentException("--test-sample needs a test split (--test).", "--test-sample");
        if (o.Embeddings is null && o.Candidates?.FirstOrDefault(c => c.UsesEmbeddings) is { } needs)
            throw new ArgumentException($"The candidate '{needs.Name}' needs a sentence-embedding model (--embeddings).", "--embeddings");
        if (string.Equals(o.LabelColumn, o.TextColumn, StringComparison.Ordinal))
            throw new ArgumentException($"--label-col and --text-col name the same column ('{o.LabelColumn}').", "--label-col");
    }

    /// <summary>A labelled text file as read for a comparison.</summary>
    internal sealed record LabeledData(IDataView View, string[] Texts, string[] Labels);

    /// <summary>
    /// Loads the label and text columns of a delimited file through ML.NET's text loader (the file is checked first by
    /// <see cref="DelimitedTextFile"/>; errors name the file, line and column).
    /// </summary>
    internal static LabeledData Load(MLContext ml, string path, string labelColumn, string textColumn, CancellationToken ct)
    {
        var file = DelimitedTextFile.Open(path, null, ct);
        int li = file.ColumnIndex(labelColumn, "--label-col");
        int ti = file.ColumnIndex(textColumn, "--text-col");
        var view = file.Load(ml, (labelColumn, li), (textColumn, ti));
        var labels = view.GetColumn<ReadOnlyMemory<char>>(labelColumn).Select(m => m.ToString()).ToArray();
        var texts = view.GetColumn<ReadOnlyMemory<char>>(textColumn).Select(m => m.ToString()).ToArray();
        int empty = Array.FindIndex(labels, l => l.Trim().Length == 0);
        if (empty >= 0)
            throw new InvalidDataException($"{Path.GetFileName(path)}: document {empty + 1} has an empty label in column '{labelColumn}'; every document needs its class.");
        return new LabeledData(ml.Data.Cache(view), texts, labels);
    }

    /// <summary>Runs the comparison. User cancellation throws <see cref="OperationCanceledException"/>.</summary>
    public Outcome Run(ComparisonOptions options, IComparisonProgress? progress, CancellationToken ct)
    {
        Validate(options);
        var clock = Stopwatch.StartNew();
        using var budget = CancellationTokenSource.CreateLinkedTokenSource(ct);
        if (options.TimeBudgetSeconds is double seconds) budget.CancelAfter(TimeSpan.FromSeconds(seconds));
        bool OverBudget() => budget.IsCancellationRequested;

        var ml = new MLContext(seed: 1);
        progress?.Stage($"Loading {options.TrainPath}");
        var train = Load(ml, options.TrainPath, options.LabelColumn, options.TextColumn, ct);
        LabeledData? test = null;
        int testCountBeforeSample = 0;
        if (options.TestPath is not null)
        {
            progress?.Stage($"Loading {options.TestPath}");
            test = Load(ml, options.TestPath, options.LabelColumn, options.TextColumn, ct);
            testCountBeforeSample = test.Texts.Length;
            if (options.TestSample is int sample && sample < test.Texts.Length) test = SampleTest(ml, test, sample, options);
        }
        int n = train.Texts.Length;
        if (n < 2) throw new InvalidDataException($"'{options.TrainPath}' has {n} document(s); a comparison needs at least 2.");
        ct.ThrowIfCancellationRequested();

        // Classes come from the training split only: the test labels are read for scoring, never for anything chosen.
        var classes = train.Labels.Distinct().OrderBy(s => s, StringComparer.Ordinal).ToArray();
        if (classes.Length < 2) throw new InvalidDataException($"'{options.TrainPath}' has only one class ('{classes[0]}'); a classifier needs at least two.");
        var classIndex = classes.Select((c, i) => (c, i)).ToDictionary(p => p.c, p => p.i, StringComparer.Ordinal);
        int[] yTrain = train.Labels.Select(l => classIndex[l]).ToArray();
        if (test is not null && test.Labels.FirstOrDefault(l => !classIndex.ContainsKey(l)) is { } unknown)
            throw new InvalidDataException($"'{options.TestPath}' has the class '{unknown}' that the training split lacks; a classifier cannot predict it.");

        var report = new ComparisonReport
        {
            Dataset = options.TrainPath,
            TestDataset = options.TestPath,
            Evaluation = test is null ? "cross-validation on the labelled rows (no test split)"
                : options.TestSample is int m && m < testCountBeforeSample ? $"test split: a seeded sample of {test.Texts.Length} of its {testCountBeforeSample} documents (seed 1; the same rows for every candidate)"
                : "test split",
            Classes = classes,
            TrainCount = n,
            TestCount = test?.Texts.Length ?? 0,
            TimeBudgetSeconds = options.TimeBudgetSeconds,
        };
        report.Selection = $"k-fold cross-validation on the labelled rows only (k = {options.Folds}, fewer when rows/2 is smaller; " +
            $"stratified by class; one held-out fold from {CrossValidationFolds.HoldoutFrom} labelled rows on; the test split is not read before the selection)";

        var candidates = (options.Candidates ?? ComparisonOptions.DefaultCandidates(options.Vae, options.Variants, options.LdaTopics)).Distinct().ToList();
        var labeled = options.Labeled.Distinct().OrderBy(k => k ?? int.MaxValue).ToList();
        // The VAEs train on a thread of their own beside the candidates (see Featurizers.StartVaeLane): progress comes from both.
        if (progress is not null) progress = new LockedProgress(progress);
        var features = new Featurizers(ml, options, train, test, report, progress, candidates);
        int parallelism = options.Threads > 0 ? options.Threads : Environment.ProcessorCount;
        // With two or more processors the VAEs take half of them from the start, and the candidates that need no VAE
        // (and those whose VAE is ready) run on the rest meanwhile.
        int laneThreads = parallelism >= 2 ? parallelism / 2 : 0;
        try
        {
            if (laneThreads > 0) features.StartVaeLane(VaeOrder(candidates), laneThreads, budget.Token);
            // The labelled draws and their folds depend only on (labels setting, seed): the same for every candidate.
            var draws = new Dictionary<(int? Labels, int Seed), (int[] Rows, CrossValidationFolds? Folds)>();
            (int[] Rows, CrossValidationFolds? Folds) Draw(int? labels, int seed)
            {
                if (draws.TryGetValue((labels, seed), out var d)) return d;
                int[] rows = labels is int k && k < n
                    ? LabelSampler.Draw(k, n, seed, options.Stratified ? yTrain : null)
                    : Enumerable.Range(0, n).ToArray();
                d = (rows, CrossValidationFolds.Create(rows, yTrain, seed, options.Folds));
                draws[(labels, seed)] = d;
                return d;
            }
            // A pretrained encoder needs only the training rows that some labelled draw uses (draws are deterministic).
            features.TrainRowsToEncode = () => labeled
                .SelectMany(l => Enumerable.Range(1, l is int k && k < n ? options.Seeds : 1).SelectMany(s => Draw(l, s).Rows))
                .Distinct().Order().ToArray();

            var confusions = new Dictionary<CandidateResult, int[,]>();
            var firstFits = new Dictionary<CandidateResult, (ITransformer Featurizer, ITransformer Classifier)>();
            bool anyDone = false;
            foreach (var cand in candidates)
            {
                foreach (var labels in labeled)
                {
                    ct.ThrowIfCancellationRequested();
                    var row = new CandidateResult { Spec = cand, Labels = labels };
                    report.Candidates.Add(row);
                    if (anyDone && OverBudget()) { row.Status = "skipped: time budget"; continue; }
                    FeatureTable[]? variants;
                    try { variants = features.For(cand, budget.Token); }
                    catch (OperationCanceledException) when (!ct.IsCancellationRequested) { variants = null; }
                    if (variants is null) { row.Status = "skipped: time budget (featurizer not fitted)"; continue; }
                    row.FeaturizerSeconds = variants[0].Seconds;
                    if (labels is int k && k > n) row.Status = $"ok (only {n} labelled documents exist)";
                    // Every seed would draw the same labelled set (all labels): fit once; the seed would only reshuffle the trainer.
                    bool sameSetEverySeed = labels is not int k2 || k2 >= n;
                    if (cand.SelfTrained && sameSetEverySeed) { row.Status = "skipped: every training row is labelled (nothing to self-train on)"; continue; }
                    int seedCount = sameSetEverySeed ? 1 : options.Seeds;
                    if (sameSetEverySeed && options.Seeds > 1)
                        row.Status = row.Status == "ok" ? "ok (one fit: same labels for every seed)" : row.Status[..^1] + "; one fit: same labels for every seed)";
                    using var candidateMemory = new PeakMemorySampler();
                    // Seeds are independent: they run side by side (each fit is single-threaded and seeded, so the
                    // figures do not depend on the order). With one seed, its own fits run side by side instead. While
                    // the VAEs train beside them, they get the processors the VAEs leave.
                    var outcomes = new SeedOutcome?[seedCount];
                    var drawn = Enumerable.Range(1, seedCount).Select(seed => Draw(labels, seed)).ToArray();
                    int free = features.LaneBusy ? Math.Max(1, parallelism - laneThreads) : parallelism;
                    int seedDegree = Math.Min(free, seedCount);
                    ParallelWork.For(seedCount, seedDegree, i =>
                    {
                        ct.ThrowIfCancellationRequested();
                        if (Volatile.Read(ref anyDone) && OverBudget()) return;
                        try
                        {
                            outcomes[i] = RunSeed(cand, variants, drawn[i].Rows, drawn[i].Folds, i + 1, train.Labels, test?.Labels, classes,
                                seedDegree > 1 ? 1 : free, budget.Token);
                            Volatile.Write(ref anyDone, true);
                        }
                        catch (OperationCanceledException) when (!ct.IsCancellationRequested) { /* stopped by the time budget */ }
                    });
                    ct.ThrowIfCancellationRequested();
                    // Seeds are recorded in order up to the first one the time budget stopped.
                    for (int i = 0; i < seedCount && outcomes[i] is { } o; i++)
                    {
                        row.ClassifierSeconds.Add(o.Seconds);
                        row.CvAccuracies.Add(o.Cv);
                        if (cand.Featurizer is FeaturizerKind.Both or FeaturizerKind.EmbeddingsAndVae or FeaturizerKind.NgramsAndVaeEnsemble) row.LatentWeights.Add(features.LatentWeight(cand, o.Variant));
                        if (o.Test is { } scores)
                        {
                            row.Accuracies.Add(scores.Accuracy);
                            row.MacroAccuracies.Add(scores.MacroAccuracy);
                            if (i == 0) confusions[row] = scores.Confusion;
                        }
                        if (i == 0) firstFits[row] = (o.Featurizer, o.Classifier);
                    }
                    if (row.Seeds < seedCount)
                        row.Status = row.Seeds == 0 ? "skipped: time budget (classifier fit stopped)" : $"partial: time budget ({row.Seeds} of {seedCount} seeds)";
                    double featurizerPeak = variants[0].PeakMemoryMb;
                    row.PeakMemoryMb = Math.Max(featurizerPeak, candidateMemory.PeakAboveBaselineMb);
                    progress?.CandidateDone(row);
                }
                features.Release(cand, candidates);
            }

            features.StopVaeLane();
            features.MeasureCoherence(ct);
            var ranked = Leaderboard.Rank(report.Candidates);
            report.Candidates.Clear();
            report.Candidates.AddRange(ranked);
            foreach (var labels in labeled) SelectPerSeed(report, labels);
            report.Best = Leaderboard.Best(ranked);
            Action<string>? saveBest = null;
            if (report.Best is { } best && firstFits.TryGetValue(best, out var fit))
            {
                report.BestConfusion = confusions.GetValueOrDefault(best);
                var inputSchema = train.View.Schema;
                saveBest = path => ml.Model.Save(ModelChain(ml, fit.Featurizer, fit.Classifier, train.View, classes, best.Spec.Trainer), inputSchema, path);
            }

            // Latent map from the best candidate's VAE, or the first VAE trained.
            if (features.MapSource(report.Best?.Spec.Vae) is { } map)
            {
                int total = test?.Texts.Length ?? n;
                int[] y = test is null ? yTrain : test.Labels.Select(l => classIndex[l]).ToArray();
                int count = Math.Min(total, options.MaxMapPoints);
                // Evenly spaced rows: deterministic and spread over the file.
                int[] mapRows = Enumerable.Range(0, count).Select(i => (int)((long)i * total / count)).ToArray();
                var means = test is null ? map.Vae.TrainMeans : map.Vae.TestMeans!;
                int l = map.Vae.LatentSize;
                var proj = Pca.Project2D(mapRows.Select(r => means.AsSpan(r * l, l).ToArray()).ToList());
                report.LatentMap = new LatentMap(proj.X, proj.Y, mapRows.Select(i => y[i]).ToArray(), proj.ExplainedFirst, proj.ExplainedSecond,
                    $"{map.Settings.Name}, {count} {(test is null ? "training" : "test")} documents");
            }
            report.TotalSeconds = clock.Elapsed.TotalSeconds;
            report.FinishedUtc = DateTime.UtcNow;
            return new Outcome { Report = report, SaveBestModel = saveBest, Owned = features.Owned() };
        }
        catch
        {
            features.StopVaeLane();
            foreach (var d in features.Owned()) d.Dispose();
            throw;
        }
        finally
        {
            features.StopVaeLane();
            features.DeleteCheckpoints();
        }
    }

    /// <summary>The VAE configurations the candidates use, in the order the candidates first need them.</summary>
    internal static List<VaeSettings> VaeOrder(IEnumerable<CandidateSpec> candidates)
    {
        var order = new List<VaeSettings>();
        foreach (var c in candidates)
        {
            if (c.Vae is null || !c.UsesVae) continue;
            if (c.Featurizer is FeaturizerKind.VaeEnsemble or FeaturizerKind.NgramsAndVaeEnsemble) order.AddRange(CandidateSpec.EnsembleMembers(c.Vae));
            else order.Add(c.Vae);
        }
        return order.Distinct().ToList();
    }

    /// <summary>Serialises the calls of a progress receiver that hears from the VAE thread and the candidates' thread.</summary>
    private sealed class LockedProgress(IComparisonProgress inner) : IComparisonProgress
    {
        private readonly object _gate = new();
        public void Stage(string message) { lock (_gate) inner.Stage(message); }
        public void VaeStarted(VaeSettings settings) { lock (_gate) inner.VaeStarted(settings); }
        public void VaeBatch(VaeSettings settings, Training.VaeBatchReport report, int batchesPerEpoch) { lock (_gate) inner.VaeBatch(settings, report, batchesPerEpoch); }
        public void VaeEpoch(VaeSettings settings, VaeEpochPoint point) { lock (_gate) inner.VaeEpoch(settings, point); }
        public void CandidateDone(CandidateResult result) { lock (_gate) inner.CandidateDone(result); }
    }

    /// <summary>What one seed of a candidate at one labels setting produced.</summary>
    private sealed record SeedOutcome(double Cv, int Variant, ITransformer Featurizer, ITransformer Classifier, Scores? Test, double Seconds);

    /// <summary>
    /// One seed of a candidate: cross-validation of every variant on the labelled rows (the selection), then the chosen
    /// variant fitted on all labelled rows and scored on the test split (report only). The fits that do not depend on
    /// each other (the folds, and the final fit when there is no variant to choose) run <paramref name="degree"/> at a time.
    /// </summary>
    private static SeedOutcome RunSeed(CandidateSpec cand, FeatureTable[] variants, int[] rows, CrossValidationFolds? folds, int seed,
        IReadOnlyList<string> trainLabels, IReadOnlyList<string>? testLabels, IReadOnlyList<string> classes, int degree, CancellationToken ct)
    {
        var sw = Stopwatch.StartNew();
        // SDCA over a wide sparse vector: only the columns the labelled rows use (see FeatureTable.Narrow). Not when
        // self-training, which also reads the unlabelled rows.
        if (cand.Trainer == TrainerKind.Sdca && !cand.SelfTrained && variants[0].Size > FeatureTable.NarrowFrom)
            variants = variants.Select(v => v.Narrow(rows, ct)).ToArray();
        int runFolds = folds?.Run ?? 0;
        // Jobs: (variant, fold) fits of the cross-validation; plus the final fit when it cannot depend on the choice.
        var foldScores = new (double Correct, int Total)[variants.Length * runFolds];
        bool finalAlongside = variants.Length == 1;
        ITransformer? final = null;
        int jobs = foldScores.Length + (finalAlongside ? 1 : 0);
        ParallelWork.For(jobs, degree, j =>
        {
            if (j == foldScores.Length) { final = FitClassifier(cand, variants[0], rows, trainLabels, classes, seed, ct); return; }
            foldScores[j] = FoldScore(cand, variants[j / runFolds], rows, folds!, j % runFolds, trainLabels, classes, seed, ct);
        });
        double bestCv = double.NaN;
        int bestVariant = 0;
        for (int v = 0; v < variants.Length; v++)
        {
            double correct = 0;
            int total = 0;
            for (int f = 0; f < runFolds; f++) { correct += foldScores[v * runFolds + f].Correct; total += foldScores[v * runFolds + f].Total; }
            double cv = total == 0 ? double.NaN : correct / total;
            if (v == 0 || cv > bestCv) { bestCv = cv; bestVariant = v; }
        }
        var chosen = variants[bestVariant];
        final ??= FitClassifier(cand, chosen, rows, trainLabels, classes, seed, ct);
        double seconds = sw.Elapsed.TotalSeconds;
        var scores = testLabels is null ? null
            : Evaluate(final, chosen, true, Enumerable.Range(0, testLabels.Count).ToArray(), testLabels, classes, cand.Trainer);
        return new SeedOutcome(bestCv, bestVariant, chosen.Featurizer, final, scores, seconds);
    }

    /// <summary>
    /// The seeded sample of <paramref name="count"/> test documents (seed 1, file order) that every candidate is scored on
    /// (<see cref="ComparisonOptions.TestSample"/>); the test labels play no part in drawing it.
    /// </summary>
    internal static LabeledData SampleTest(MLContext ml, LabeledData test, int count, ComparisonOptions options)
    {
        int[] rows = LabelSampler.Draw(count, test.Texts.Length, seed: 1);
        string[] texts = rows.Select(r => test.Texts[r]).ToArray();
        string[] labels = rows.Select(r => test.Labels[r]).ToArray();
        var def = SchemaDefinition.Create(typeof(TextRow));
        def[nameof(TextRow.Label)].ColumnName = options.LabelColumn;
        def[nameof(TextRow.Text)].ColumnName = options.TextColumn;
        var view = ml.Data.LoadFromEnumerable(rows.Select((_, i) => new TextRow { Label = labels[i], Text = texts[i] }).ToList(), def);
        return new LabeledData(ml.Data.Cache(view), texts, labels);
    }

    private sealed class TextRow
    {
        public string Label { get; set; } = "";
        public string Text { get; set; } = "";
    }

    /// <summary>Records, for each seed of a labels setting, the candidate its own cross-validation picked.</summary>
    private static void SelectPerSeed(ComparisonReport report, int? labels)
    {
        var rows = report.Candidates.Where(r => r.Labels == labels && r.Seeds > 0).ToList();
        int seeds = rows.Count == 0 ? 0 : rows.Max(r => r.Seeds);
        for (int s = 0; s < seeds; s++)
        {
            // Candidates in leaderboard order: on equal (or undefined) scores the higher-ranked one wins.
            CandidateResult? pick = null;
            foreach (var r in rows.Where(r => r.Seeds > s))
                if (pick is null || (double.IsFinite(r.CvAccuracies[s]) && !(r.CvAccuracies[s] <= pick.CvAccuracies[s])))
                    pick = r;
            if (pick is null) continue;
            report.SeedSelections.Add(new SeedSelection(labels, s + 1, pick.Spec.Name, pick.CvAccuracies[s],
                pick.Accuracies.Count > s ? pick.Accuracies[s] : double.NaN));
        }
    }

    /// <summary>
    /// The saved form of a candidate: its fitted featurizer chain (text → features), its classifier and the mapping of
    /// the predicted label back to the class name, as one ML.NET chain over <paramref name="trainView"/>'s columns.
    /// </summary>
    internal static TransformerChain<ITransformer> ModelChain(MLContext ml, ITransformer featurizer, ITransformer classifier, IDataView trainView,
        IReadOnlyList<string> classes, TrainerKind trainer)
    {
        var post = TextClassifierPipeline.PredictedLabelMapping(ml, classes, CandidatePipelines.IsBinary(trainer, classes.Count));
        var scored = classifier.Transform(featurizer.Transform(trainView));
        return new TransformerChain<ITransformer>(featurizer, classifier, post.Fit(scored));
    }

    /// <summary>Pooled accuracy over the folds (NaN when the rows cannot be cross-validated).</summary>
    internal static double CrossValidate(CandidateSpec spec, FeatureTable features, int[] rows, CrossValidationFolds? folds,
        IReadOnlyList<string> labels, IReadOnlyList<string> classes, int seed, CancellationToken ct)
    {
        if (folds is null) return double.NaN;
        double correct = 0;
        int total = 0;
        for (int f = 0; f < folds.Run; f++)
        {
            var (c, t) = FoldScore(spec, features, rows, folds, f, labels, classes, seed, ct);
            correct += c;
            total += t;
        }
        return total == 0 ? double.NaN : correct / total;
    }

    /// <summary>
    /// Fold <paramref name="f"/> of the cross-validation: the classifier fitted on the other folds' rows, scored on this
    /// fold's rows; returns the correctly classified count and the row count (0, 0 when the fold cannot be scored).
    /// </summary>
    private static (double Correct, int Total) FoldScore(CandidateSpec spec, FeatureTable features, int[] rows, CrossValidationFolds folds, int f,
        IReadOnlyList<string> labels, IReadOnlyList<string> classes, int seed, CancellationToken ct)
    {
        var (fitRows, evalRows) = folds.Split(rows, f);
        if (evalRows.Length == 0 || fitRows.Select(r => labels[r]).Distinct().Count() < 2) return (0, 0);
        var model = FitClassifier(spec, features, fitRows, labels, classes, seed, ct, heldOut: evalRows);
        var s = Evaluate(model, features, false, evalRows, labels, classes, spec.Trainer);
        return (s.Accuracy * evalRows.Length, evalRows.Length);
    }

    /// <summary>
    /// Fits a candidate's classifier (label mapping, then the trainer) on the given training rows, in an MLContext
    /// seeded with <paramref name="seed"/> that <paramref name="ct"/> cancels even while the trainer runs. Returns the
    /// fitted trainer (Score / PredictedLabel over <see cref="CandidatePipelines.FeaturesColumn"/>). A self-trained
    /// candidate also learns from the training rows outside <paramref name="rows"/> and <paramref name="heldOut"/>
    /// (without their labels).
    /// </summary>
    internal static ITransformer FitClassifier(CandidateSpec spec, FeatureTable features, int[] rows, IReadOnlyList<string> labels,
        IReadOnlyList<string> classes, int seed, CancellationToken ct, IReadOnlyCollection<int>? heldOut = null)
    {
        ct.ThrowIfCancellationRequested();
        if (spec.SelfTrained)
            return SelfTraining.Fit(spec, features, rows, SelfTraining.Pool(features.Train.Length, rows, heldOut, seed), labels, classes, seed, ct);
        var ml = new MLContext(seed);
        using var link = MLContextCancellation.Link(ml, ct);
        var view = features.View(ml, false, TrainingOrder(rows, seed), labels);
        bool binary = CandidatePipelines.IsBinary(spec.Trainer, classes.Count);
        var mapped = TextClassifierPipeline.LabelMapping(ml, FeatureTable.LabelTextColumn, classes, binary).Fit(view).Transform(view);
        // SDCA reshuffles its rows every pass. An in-memory view cannot shuffle, so ML.NET would put a pooled shuffler
        // with its own thread in front of it; its cache shuffles by random access instead. On IMDB FeaturizeText vectors
        // one fit took 2.6 s instead of 11.6 s at 2,500 rows and 30.6 s instead of 54.7 s at 25,000, at the same accuracy
        // (bench sdca-speed). The cache goes after the label mapping: with a transform on top of it, ML.NET splits every
        // shuffled pass between threads and copies each row (FeaturizeText at 200 and 2,500 labels: 21.4 GB allocated
        // instead of 4.6 GB, the same figures).
        if (spec.Trainer == TrainerKind.Sdca) mapped = ml.Data.Cache(mapped);
        try
        {
            return CandidatePipelines.Trainer(ml, spec.Trainer, spec.Featurizer, classes.Count, rows.Length, features.SdcaL1).Fit(mapped);
        }
        catch (Exception e) when (ct.IsCancellationRequested && e is not OperationCanceledException)
        {
            throw new OperationCanceledException("the classifier fit was stopped", e, ct);
        }
    }

    /// <summary>
    /// The order in which a trainer sees its rows: a seeded shuffle of <paramref name="rows"/>. Tree trainers read rows in
    /// the view's order, and ML.NET's SDCA over an in-memory view only shuffles within a pool of rows: on a file sorted
    /// by class — IMDB's is — it stayed at chance with 20,000 rows in file order.
    /// </summary>
    internal static int[] TrainingOrder(int[] rows, int seed)
    {
        var order = (int[])rows.Clone();
        new Core.Rng(unchecked(seed * 104729 + 7)).Shuffle<int>(order);
        return order;
    }

    /// <summary>Accuracy, macro accuracy and confusion ([truth, predicted]) from ML.NET's evaluators.</summary>
    internal sealed record Scores(double Accuracy, double MacroAccuracy, int[,] Confusion);

    /// <summary>Scores a fitted classifier on the given rows of the training or test features with ML.NET's evaluator.</summary>
    internal static Scores Evaluate(ITransformer classifier, FeatureTable features, bool test, int[] rows, IReadOnlyList<string> labels,
        IReadOnlyList<string> classes, TrainerKind trainer)
    {
        var ml = new MLContext(1);
        var view = features.View(ml, test, rows, labels);
        bool binary = CandidatePipelines.IsBinary(trainer, classes.Count);
        var mapped = TextClassifierPipeline.LabelMapping(ml, FeatureTable.LabelTextColumn, classes, binary).Fit(view).Transform(view);
        var scored = classifier.Transform(mapped);
        int k = classes.Count;
        var confusion = new int[k, k];
        if (binary)
        {
            var m = ml.BinaryClassification.Evaluate(scored, CandidatePipelines.LabelColumn);
            // ML.NET's binary table lists the positive class (classes[1]) first.
            var c = m.ConfusionMatrix.Counts;
            confusion[1, 1] = (int)c[0][0]; confusion[1, 0] = (int)c[0][1];
            confusion[0, 1] = (int)c[1][0]; confusion[0, 0] = (int)c[1][1];
            double macro = 0; int present = 0;
            for (int t = 0; t < 2; t++)
            {
                int total = confusion[t, 0] + confusion[t, 1];
                if (total > 0) { macro += (double)confusion[t, t] / total; present++; }
            }
            return new Scores(m.Accuracy, present == 0 ? double.NaN : macro / present, confusion);
        }
        var mm = ml.MulticlassClassification.Evaluate(scored, CandidatePipelines.LabelColumn);
        var counts = mm.ConfusionMatrix.Counts;
        for (int t = 0; t < k && t < counts.Count; t++)
            for (int p = 0; p < k && p < counts[t].Count; p++)
                confusion[t, p] = (int)counts[t][p];
        return new Scores(mm.MicroAccuracy, mm.MacroAccuracy, confusion);
    }

    /// <summary>
    /// The featurizers of a run, each fitted once on all training texts (labels unused) when a candidate first needs it,
    /// with its features of every training and test document.
    /// </summary>
    internal sealed class Featurizers(MLContext ml, ComparisonOptions options, LabeledData train, LabeledData? test,
        ComparisonReport report, IComparisonProgress? progress, IReadOnlyList<CandidateSpec>? candidates = null)
    {
        // VAE configurations that differ only in their epochs share their training: the shorter one is trained with a
        // checkpoint and the longer one continues it (resume with more epochs is bit-identical to training from scratch).
        private readonly Dictionary<VaeSettings, string> _checkpoints = new();
        private readonly Dictionary<(FeaturizerKind, VaeSettings?, int), FeatureTable[]?> _tables = new();
        private readonly Dictionary<VaeSettings, (FittedVae Vae, double Seconds, double PeakMb)?> _vaes = new();
        private readonly Dictionary<(FeaturizerKind, VaeSettings?, int), double[]> _weights = new();
        private (ITransformer Transformer, FeatureTable Table)? _ngrams;
        private (ITransformer Transformer, FeatureTable Table)? _embeddings;
        private bool _embeddingsStopped;
        // The VAE lane (StartVaeLane): its thread, its results by configuration, what stops it, its MLContext and threads.
        private Thread? _lane;
        private Dictionary<VaeSettings, TaskCompletionSource<(FittedVae Vae, double Seconds, double PeakMb)?>>? _laneResults;
        private CancellationTokenSource? _laneStop;
        private MLContext? _laneMl;
        private int _laneThreads;
        // The VAE configurations share one tokenized corpus (same tokenizer and vocabulary settings).
        private readonly BagOfWordsCache _bowCache = new();

        /// <summary>True while the VAE lane is training.</summary>
        public bool LaneBusy => _lane is { IsAlive: true };

        /// <summary>
        /// Trains the VAE configurations <paramref name="order"/>, one after the other, on a thread of their own with
        /// <paramref name="threads"/> kernel threads, while the caller goes on with candidates that need no VAE; a
        /// candidate that needs one of them waits for it. The VAEs are the same as when trained in line (their training
        /// is seeded and independent of the thread count); the lane has its own MLContext. Stop it with
        /// <see cref="StopVaeLane"/>; an error in it surfaces where a candidate waits for its VAE.
        /// </summary>
        public void StartVaeLane(IReadOnlyList<VaeSettings> order, int threads, CancellationToken budget)
        {
            var list = order.Where(s => !_vaes.ContainsKey(s)).ToList();
            if (list.Count == 0 || _lane is not null) return;
            _laneResults = new();
            foreach (var s in list) _laneResults[s] = new(TaskCreationOptions.RunContinuationsAsynchronously);
            foreach (var s in list) for (var shorter = Shorter(s); shorter is not null; shorter = Shorter(shorter)) _laneResults.TryAdd(shorter, new(TaskCreationOptions.RunContinuationsAsynchronously));
            _laneStop = CancellationTokenSource.CreateLinkedTokenSource(budget);
            _laneMl = new MLContext(seed: 1);
            _laneThreads = threads;
            var stop = _laneStop.Token;
            _lane = new Thread(() =>
            {
                try
                {
                    foreach (var s in list) Vae(s, stop);
                    foreach (var t in _laneResults.Values) t.TrySetResult(null);
                }
                catch (Exception e)
                {
                    foreach (var t in _laneResults.Values) t.TrySetException(e);
                }
            })
            { IsBackground = true, Name = "vaetext VAE training" };
            _lane.Start();
        }

        /// <summary>Stops the VAE lane (a training under way is cancelled) and waits for its thread; safe to call again.</summary>
        public void StopVaeLane()
        {
            if (_lane is null) return;
            _laneStop!.Cancel();
            _lane.Join();
            _lane = null;
        }

        /// <summary>The training rows a pretrained encoder must encode (those of every labelled draw); null: all.</summary>
        public Func<int[]>? TrainRowsToEncode { get; set; }

        /// <summary>What identifies a candidate's feature tables: candidates with the same key share them.</summary>
        private static (FeaturizerKind, VaeSettings?, int) Key(CandidateSpec c) => (c.Featurizer, c.UsesVae ? c.Vae : null, c.Featurizer == FeaturizerKind.Lda ? c.Topics : 0);

        /// <summary>
        /// Lets go of <paramref name="done"/>'s feature tables when no later candidate of <paramref name="all"/> reads
        /// them (FeaturizeText's defaults hold some hundreds of MB that every later garbage collection would walk).
        /// </summary>
        public void Release(CandidateSpec done, IReadOnlyList<CandidateSpec> all)
        {
            var key = Key(done);
            if (!all.SkipWhile(c => !c.Equals(done)).Skip(1).Any(c => Key(c) == key)) _tables.Remove(key);
        }

        /// <summary>The candidate's feature tables (one per latent weight for n-grams ⊕ VAE); null when the time budget stopped its featurizer.</summary>
        public FeatureTable[]? For(CandidateSpec c, CancellationToken budget)
        {
            var key = Key(c);
            if (_tables.TryGetValue(key, out var have)) return have;
            FeatureTable[]? result = c.Featurizer switch
            {
                FeaturizerKind.FeaturizeText => [FitText("FeaturizeText (defaults)", m => CandidatePipelines.FeaturizeTextDefaults(m, options.TextColumn), false, budget)],
                FeaturizerKind.Lda => [Lda(c.Topics, budget)],
                FeaturizerKind.Ngrams => [Ngrams(budget).Table],
                FeaturizerKind.Vae => VaeTables(c, budget, withNgrams: false),
                FeaturizerKind.VaeEnsemble => EnsembleTables(c, budget, withNgrams: false),
                FeaturizerKind.NgramsAndVaeEnsemble => EnsembleTables(c, budget, withNgrams: true),
                FeaturizerKind.Embeddings => EmbeddingTables(c, budget, withVae: false),
                FeaturizerKind.EmbeddingsAndVae => EmbeddingTables(c, budget, withVae: true),
                _ => VaeTables(c, budget, withNgrams: true),
            };
            _tables[key] = result;
            return result;
        }

        /// <summary>
        /// Uses a VAE fitted elsewhere (on the same training texts, labels unused) for configuration <paramref name="s"/>
        /// instead of training one: <c>train --featurizer auto</c> trains its VAE as <c>train</c> does and shares it here.
        /// </summary>
        public void UseVae(VaeSettings s, FittedVae vae, double seconds) => _vaes[s] = (vae, seconds, 0);

        /// <summary>The fitted VAEs (the run's outcome disposes them).</summary>
        public List<IDisposable> Owned() => _vaes.Values.Where(v => v is not null).Select(v => (IDisposable)v!.Value.Vae.Transformer).ToList();

        /// <summary>The latent weight of variant <paramref name="variant"/> of an n-grams ⊕ VAE candidate.</summary>
        public double LatentWeight(CandidateSpec c, int variant) => _weights[(c.Featurizer, c.Vae, 0)][variant];

        /// <summary>The VAE whose latent means the report maps: the given configuration's, else the first trained.</summary>
        public (FittedVae Vae, VaeSettings Settings)? MapSource(VaeSettings? preferred)
        {
            if (preferred is not null && _vaes.TryGetValue(preferred, out var p) && p is { } pv) return (pv.Vae, preferred);
            foreach (var (s, v) in _vaes) if (v is { } fv) return (fv.Vae, s);
            return null;
        }

        /// <summary>The LDA featurizer's table; its topic words go to the report (<see cref="ComparisonReport.LdaRuns"/>).</summary>
        private FeatureTable Lda(int topics, CancellationToken budget)
        {
            var table = FitText($"LDA ({topics} topics)", m => CandidatePipelines.Lda(m, options.TextColumn, topics, threads: 1), true, budget);
            if (TopicWords.FromLda(table.Featurizer, train.View.Schema) is { } words)
                report.LdaRuns.Add(new LdaTopicsRecord
                {
                    Topics = topics, TopWords = words, DocumentWords = TopicWords.LdaDocumentWords(table.Featurizer, train.View, budget),
                });
            return table;
        }

        /// <summary>
        /// NPMI of every VAE's and LDA's topic words over the training texts (document co-occurrence): the VAEs' in one
        /// pass over the texts as VaeText tokenizes them, each LDA's over the texts as its own chain saw them;
        /// <paramref name="ct"/> stops it.
        /// </summary>
        public void MeasureCoherence(CancellationToken ct)
        {
            if (report.VaeRuns.Count + report.LdaRuns.Count == 0) return;
            progress?.Stage($"Measuring topic coherence (NPMI of the top words over {train.Texts.Length} training texts)");
            var measured = TopicCoherence.MeasureAll(report.VaeRuns.Select(r => r.TopWords).ToList(), train.Texts, ct);
            for (int i = 0; i < report.VaeRuns.Count; i++) report.VaeRuns[i].Coherence = measured[i];
            foreach (var lda in report.LdaRuns.Where(r => r.DocumentWords is not null))
            {
                lda.Coherence = TopicCoherence.Measure(lda.TopWords, lda.DocumentWords!, ct);
                lda.DocumentWords = null;
            }
        }

        private FeatureTable FitText(string name, Func<MLContext, IEstimator<ITransformer>> estimator, bool silenceNative, CancellationToken budget)
        {
            progress?.Stage($"Fitting {name} on {train.Texts.Length} texts (labels unused)");
            using var mem = new PeakMemorySampler(); // before the clock: its baseline collection is not the featurizer's time
            var sw = Stopwatch.StartNew();
            budget.ThrowIfCancellationRequested();
            var fitMl = new MLContext(1);
            using var link = MLContextCancellation.Link(fitMl, budget);
            ITransformer fitted;
            FeatureTableParts parts;
            using (silenceNative ? NativeStdout.Silence() : null)
            {
                fitted = estimator(fitMl).Fit(train.View);
                parts = Materialize(fitted, budget);
            }
            return new FeatureTable
            {
                Train = parts.Train, Test = parts.Test, Size = parts.Size, Featurizer = fitted,
                Seconds = sw.Elapsed.TotalSeconds, PeakMemoryMb = mem.PeakAboveBaselineMb,
            };
        }

        private FeatureTableParts Materialize(ITransformer fitted, CancellationToken ct)
        {
            var (tr, size) = FeatureTable.Read(fitted.Transform(train.View), CandidatePipelines.FeaturesColumn, ct);
            VBuffer<float>[]? te = test is null ? null : FeatureTable.Read(fitted.Transform(test.View), CandidatePipelines.FeaturesColumn, ct).Rows;
            return new FeatureTableParts(tr, te, size);
        }

        /// <summary>The TF-IDF n-grams: the fitted featurizer (text → NgramFeatures) and the table of the n-grams candidate.</summary>
        private (ITransformer Transformer, FeatureTable Table) Ngrams(CancellationToken budget)
        {
            if (_ngrams is { } have) return have;
            var table = FitText("TF-IDF word 1–2-grams",
                m => CandidatePipelines.Ngrams(m, options.TextColumn, options.MaxNgrams)
                .Append(m.Transforms.Concatenate(CandidatePipelines.FeaturesColumn, CandidatePipelines.NgramColumn)), false, budget);
            _ngrams = (((IEnumerable<ITransformer>)table.Featurizer).First(), table);
            return _ngrams.Value;
        }

        /// <summary>The configuration with the same settings and the most epochs below <paramref name="s"/>'s among the run's candidates, if any.</summary>
        private VaeSettings? Shorter(VaeSettings s) => s.CheckpointDirectory is not null || candidates is null ? null : candidates
            .Where(c => c.Vae is { CheckpointDirectory: null } v && v.Epochs < s.Epochs && v with { Epochs = s.Epochs } == s)
            .Select(c => c.Vae!).OrderByDescending(v => v.Epochs).FirstOrDefault();

        /// <summary>True when a configuration with the same settings and more epochs is among the run's candidates.</summary>
        private bool HasLonger(VaeSettings s) => s.CheckpointDirectory is null && candidates is not null && candidates
            .Any(c => c.Vae is { CheckpointDirectory: null } v && v.Epochs > s.Epochs && v with { Epochs = s.Epochs } == s);

        private static void TryDelete(string dir)
        {
            try { if (Directory.Exists(dir)) Directory.Delete(dir, true); } catch (IOException) { } catch (UnauthorizedAccessException) { }
        }

        /// <summary>Deletes the checkpoints kept for continuing VAE trainings.</summary>
        public void DeleteCheckpoints()
        {
            foreach (var dir in _checkpoints.Values.Distinct()) TryDelete(dir);
            _checkpoints.Clear();
        }

        private (FittedVae Vae, double Seconds, double PeakMb)? Vae(VaeSettings s, CancellationToken budget)
        {
            if (_lane is not null && Thread.CurrentThread != _lane && _laneResults!.TryGetValue(s, out var pending))
                return pending.Task.GetAwaiter().GetResult();
            if (_vaes.TryGetValue(s, out var have)) return have;
            if (budget.IsCancellationRequested) { _vaes[s] = null; return Done(s); }
            // Continue the shorter training of the same configuration when there is one (trained first if need be).
            VaeSettings? shorter = Shorter(s);
            VaeRunRecord? before = null;
            string? continueFrom = null;
            if (shorter is not null && Vae(shorter, budget) is not null && _checkpoints.TryGetValue(shorter, out var dir))
            {
                continueFrom = dir;
                before = report.VaeRuns.First(r => r.Settings == shorter);
            }
            if (budget.IsCancellationRequested) { _vaes[s] = null; return Done(s); }
            string? keep = continueFrom ?? (HasLonger(s) ? Path.Combine(Path.GetTempPath(), "vaetext-continue-" + Guid.NewGuid().ToString("N")) : null);
            // The checkpoint is only there to be continued: written after the last epoch, not after every one.
            var fitSettings = keep is null ? s : s with { CheckpointDirectory = keep, Resume = continueFrom is not null, CheckpointLastEpochOnly = true };
            progress?.Stage($"Training {s.Name} on {train.Texts.Length} texts (labels unused)");
            progress?.VaeStarted(s);
            var record = new VaeRunRecord { Settings = s };
            if (before is not null) record.Epochs.AddRange(before.Epochs);
            using var mem = new PeakMemorySampler();
            var sw = Stopwatch.StartNew();
            int batches = VaeFeaturizer.BatchesPerEpoch(train.Texts.Length);
            var epochs = new SyncProgress<VaeEpochReport>(r =>
            {
                var p = new VaeEpochPoint(r.Epoch, r.Reconstruction, r.Kl, r.Seconds);
                record.Epochs.Add(p);
                progress?.VaeEpoch(s, p);
            });
            FittedVae vae;
            try
            {
                if (keep is not null) { Directory.CreateDirectory(keep); _checkpoints[s] = keep; }
                bool onLane = _lane is not null && Thread.CurrentThread == _lane;
                vae = VaeFeaturizer.Fit(onLane ? _laneMl! : ml, train.View, train.Texts, test?.Texts, options.TextColumn, fitSettings, options.VaeSeed,
                    onLane ? _laneThreads : options.Threads, epochs,
                    b => progress?.VaeBatch(s, b, batches), budget, _bowCache);
            }
            catch (OperationCanceledException) when (budget.IsCancellationRequested)
            {
                _vaes[s] = null; // The time budget (or the user) stopped the training; the caller tells them apart.
                return Done(s);
            }
            // A continued training costs its own epochs plus the shorter one's: the time to fit it from scratch.
            record.Seconds = sw.Elapsed.TotalSeconds + (before?.Seconds ?? 0);
            if (before is not null) _checkpoints.Remove(shorter!);
            if (!HasLonger(s) && keep is not null) { _checkpoints.Remove(s); TryDelete(keep); }
            record.TopWords = vae.TopWords;
            report.VaeRuns.Add(record);
            _vaes[s] = (vae, record.Seconds, mem.PeakAboveBaselineMb);
            return Done(s);
        }

        /// <summary>The result of configuration <paramref name="s"/>, handed to a candidate waiting for it on the lane.</summary>
        private (FittedVae Vae, double Seconds, double PeakMb)? Done(VaeSettings s)
        {
            var result = _vaes[s];
            if (_laneResults is not null && _laneResults.TryGetValue(s, out var pending)) pending.TrySetResult(result);
            return result;
        }

        private FeatureTable[]? VaeTables(CandidateSpec c, CancellationToken budget, bool withNgrams)
        {
            (ITransformer Transformer, FeatureTable Table)? ngrams = withNgrams ? Ngrams(budget) : null;
            var fitted = Vae(c.Vae!, budget);
            if (fitted is null) return null;
            var (vae, seconds, peak) = fitted.Value;
            int l = vae.LatentSize;
            double[] weights = withNgrams ? CandidatePipelines.LatentWeights(l) : [1.0];
            _weights[(c.Featurizer, c.Vae, 0)] = weights;
            var tables = new FeatureTable[weights.Length];
            for (int w = 0; w < weights.Length; w++)
            {
                var (normalizer, trainZ, testZ) = StandardizedLatent(vae, weights[w], budget);
                var parts = new List<ITransformer>();
                if (ngrams is { } ng) parts.Add(ng.Transformer);
                parts.Add(vae.Transformer);
                parts.Add(normalizer);
                parts.Add(withNgrams
                    ? ml.Transforms.Concatenate(CandidatePipelines.FeaturesColumn, CandidatePipelines.NgramColumn, CandidatePipelines.LatentFeaturesColumn)
                        .Fit(VectorSchema((CandidatePipelines.NgramColumn, ngrams!.Value.Table.Size), (CandidatePipelines.LatentFeaturesColumn, l)))
                    : ml.Transforms.Concatenate(CandidatePipelines.FeaturesColumn, CandidatePipelines.LatentFeaturesColumn)
                        .Fit(VectorSchema((CandidatePipelines.LatentFeaturesColumn, l), ("Unused", 1))));
                tables[w] = new FeatureTable
                {
                    Train = withNgrams ? FeatureTable.Concatenate(ngrams!.Value.Table.Train, ngrams.Value.Table.Size, trainZ, l) : trainZ,
                    Test = testZ is null ? null : withNgrams ? FeatureTable.Concatenate(ngrams!.Value.Table.Test!, ngrams.Value.Table.Size, testZ, l) : testZ,
                    Size = (withNgrams ? ngrams!.Value.Table.Size : 0) + l,
                    Featurizer = new TransformerChain<ITransformer>(parts.ToArray()),
                    Seconds = seconds + (withNgrams ? ngrams!.Value.Table.Seconds : 0),
                    PeakMemoryMb = Math.Max(peak, withNgrams ? ngrams!.Value.Table.PeakMemoryMb : 0),
                };
            }
            return tables;
        }

        /// <summary>
        /// The sentence embeddings (<see cref="ComparisonOptions.Embeddings"/>) of the training rows some labelled draw uses
        /// and of every test row, encoded once; other training rows stay zero vectors, which nothing reads. Null when the
        /// time budget stopped the encoding.
        /// </summary>
        private (ITransformer Transformer, FeatureTable Table)? Embeddings(CancellationToken budget)
        {
            if (_embeddings is { } have) return have;
            if (_embeddingsStopped || budget.IsCancellationRequested) return null;
            var model = options.Embeddings ?? throw new InvalidOperationException("no sentence-embedding model");
            int[] rows = TrainRowsToEncode?.Invoke() ?? Enumerable.Range(0, train.Texts.Length).ToArray();
            int testCount = test?.Texts.Length ?? 0;
            progress?.Stage($"Encoding {rows.Length} training + {testCount} test texts with {model.Name} ({model.Description})");
            using var mem = new PeakMemorySampler();
            var sw = Stopwatch.StartNew();
            float[][] encoded;
            try
            {
                var texts = new List<string>(rows.Length + testCount);
                foreach (int r in rows) texts.Add(train.Texts[r]);
                if (test is not null) texts.AddRange(test.Texts);
                encoded = model.Encode(texts, budget);
            }
            catch (OperationCanceledException) when (budget.IsCancellationRequested)
            {
                _embeddingsStopped = true; // The time budget (or the user) stopped it; the caller tells them apart.
                return null;
            }
            int d = model.Dimension;
            if (encoded.Length != rows.Length + testCount || encoded.Any(v => v is null || v.Length != d))
                throw new InvalidOperationException($"{model.Name} returned {encoded.Length} vectors for {rows.Length + testCount} texts, or vectors not of size {d}.");
            var empty = new VBuffer<float>(d, 0, [], []);
            var trainRows = Enumerable.Repeat(empty, train.Texts.Length).ToArray();
            for (int i = 0; i < rows.Length; i++) trainRows[rows[i]] = new VBuffer<float>(d, encoded[i]);
            VBuffer<float>[]? testRows = test is null ? null : Enumerable.Range(0, testCount).Select(i => new VBuffer<float>(d, encoded[rows.Length + i])).ToArray();
            double seconds = sw.Elapsed.TotalSeconds;
            report.EmbeddingRuns.Add(new EmbeddingRunRecord(model.Name, model.Description, rows.Length, testCount, seconds, mem.PeakAboveBaselineMb));
            var transformer = model.Estimator(ml, options.TextColumn).Fit(train.View);
            var table = new FeatureTable
            {
                Train = trainRows, Test = testRows, Size = d,
                Featurizer = new TransformerChain<ITransformer>(transformer, ml.Transforms.Concatenate(CandidatePipelines.FeaturesColumn, SentenceEmbeddingModel.EmbeddingColumn)
                    .Fit(VectorSchema((SentenceEmbeddingModel.EmbeddingColumn, d), ("Unused", 1)))),
                Seconds = seconds, PeakMemoryMb = mem.PeakAboveBaselineMb,
            };
            _embeddings = (transformer, table);
            return _embeddings;
        }

        private FeatureTable[]? EmbeddingTables(CandidateSpec c, CancellationToken budget, bool withVae)
        {
            if (Embeddings(budget) is not { } emb) return null;
            if (!withVae) return [emb.Table];
            var fitted = Vae(c.Vae!, budget);
            if (fitted is null) return null;
            var (vae, seconds, peak) = fitted.Value;
            int l = vae.LatentSize, d = emb.Table.Size;
            double[] weights = CandidatePipelines.LatentWeights(l);
            _weights[(c.Featurizer, c.Vae, 0)] = weights;
            var tables = new FeatureTable[weights.Length];
            for (int w = 0; w < weights.Length; w++)
            {
                var (normalizer, trainZ, testZ) = StandardizedLatent(vae, weights[w], budget);
                var concat = ml.Transforms.Concatenate(CandidatePipelines.FeaturesColumn, SentenceEmbeddingModel.EmbeddingColumn, CandidatePipelines.LatentFeaturesColumn)
                    .Fit(VectorSchema((SentenceEmbeddingModel.EmbeddingColumn, d), (CandidatePipelines.LatentFeaturesColumn, l)));
                tables[w] = new FeatureTable
                {
                    Train = FeatureTable.Concatenate(emb.Table.Train, d, trainZ, l),
                    Test = testZ is null ? null : FeatureTable.Concatenate(emb.Table.Test!, d, testZ, l),
                    Size = d + l,
                    Featurizer = new TransformerChain<ITransformer>(emb.Transformer, vae.Transformer, normalizer, concat),
                    Seconds = seconds + emb.Table.Seconds,
                    PeakMemoryMb = Math.Max(peak, emb.Table.PeakMemoryMb),
                };
            }
            return tables;
        }

        /// <summary>
        /// An ML.NET mean–variance normalizer of the latent block that computes (x − mean) · w / sd. ML.NET's normalizer
        /// has no scale argument, so it is fitted on a stand-in column mean + (x − mean) / w, which has the same mean
        /// and standard deviation sd / w: the fitted transformer is a plain <c>NormalizeMeanVariance</c> of the model zip.
        /// </summary>
        private ITransformer FitLatentNormalizer(float[] means, int l, double weight)
        {
            float[] source = means;
            if (weight != 1.0)
            {
                int rows = means.Length / l;
                var mean = new double[l];
                for (int i = 0; i < rows; i++) for (int d = 0; d < l; d++) mean[d] += means[i * l + d];
                for (int d = 0; d < l; d++) mean[d] /= Math.Max(1, rows);
                source = new float[means.Length];
                for (int i = 0; i < means.Length; i++) source[i] = (float)(mean[i % l] + (means[i] - mean[i % l]) / weight);
            }
            return CandidatePipelines.LatentNormalizer(ml).Fit(LatentView(source, l));
        }

        /// <summary>
        /// The <see cref="FeaturizerKind.VaeEnsemble"/> table: each member VAE's standardised latent means, side by side;
        /// with <paramref name="withNgrams"/> (<see cref="FeaturizerKind.NgramsAndVaeEnsemble"/>) the TF-IDF n-grams come
        /// first and there is one table per latent block weight (<see cref="CandidatePipelines.EnsembleLatentWeights"/>).
        /// The saved chain runs each VaeLatent step and its normalizer, copies the result to a column of its own, and
        /// concatenates those columns (after the n-grams) in the same order.
        /// </summary>
        private FeatureTable[]? EnsembleTables(CandidateSpec c, CancellationToken budget, bool withNgrams)
        {
            (ITransformer Transformer, FeatureTable Table)? ngrams = withNgrams ? Ngrams(budget) : null;
            var members = CandidateSpec.EnsembleMembers(c.Vae!);
            var fitted = new List<(FittedVae Vae, double Seconds, double PeakMb)>();
            foreach (var m in members)
            {
                if (Vae(m, budget) is not { } f) return null;
                fitted.Add(f);
            }
            int latent = fitted.Sum(f => f.Vae.LatentSize);
            double[] weights = withNgrams ? CandidatePipelines.EnsembleLatentWeights(latent) : [1.0];
            _weights[(c.Featurizer, c.Vae, 0)] = weights;
            var tables = new FeatureTable[weights.Length];
            for (int w = 0; w < weights.Length; w++)
            {
                VBuffer<float>[]? trainRows = ngrams?.Table.Train, testRows = ngrams?.Table.Test;
                int size = ngrams?.Table.Size ?? 0;
                var parts = new List<ITransformer>();
                var columns = new List<(string Name, int Size)>();
                if (ngrams is { } ng)
                {
                    parts.Add(ng.Transformer);
                    columns.Add((CandidatePipelines.NgramColumn, size));
                }
                for (int i = 0; i < fitted.Count; i++)
                {
                    var vae = fitted[i].Vae;
                    int l = vae.LatentSize;
                    var (normalizer, trainZ, testZ) = StandardizedLatent(vae, weights[w], budget);
                    string column = "VaeEnsemble" + i;
                    parts.Add(vae.Transformer);
                    parts.Add(normalizer);
                    parts.Add(ml.Transforms.CopyColumns(column, CandidatePipelines.LatentFeaturesColumn)
                        .Fit(VectorSchema((CandidatePipelines.LatentFeaturesColumn, l))));
                    columns.Add((column, l));
                    trainRows = trainRows is null ? trainZ : FeatureTable.Concatenate(trainRows, size, trainZ, l);
                    testRows = testZ is null ? null : testRows is null ? testZ : FeatureTable.Concatenate(testRows, size, testZ, l);
                    size += l;
                }
                parts.Add(ml.Transforms.Concatenate(CandidatePipelines.FeaturesColumn, columns.Select(col => col.Name).ToArray())
                    .Fit(VectorSchema(columns.ToArray())));
                tables[w] = new FeatureTable
                {
                    Train = trainRows!, Test = testRows, Size = size,
                    Featurizer = new TransformerChain<ITransformer>(parts.ToArray()),
                    Seconds = fitted.Sum(f => f.Seconds) + (ngrams?.Table.Seconds ?? 0),
                    PeakMemoryMb = Math.Max(fitted.Max(f => f.PeakMb), ngrams?.Table.PeakMemoryMb ?? 0),
                };
            }
            return tables;
        }

        /// <summary>The latent block of <paramref name="vae"/> times <paramref name="weight"/>: its fitted normalizer and the standardised training and test rows.</summary>
        private (ITransformer Normalizer, VBuffer<float>[] Train, VBuffer<float>[]? Test) StandardizedLatent(FittedVae vae, double weight, CancellationToken ct)
        {
            int l = vae.LatentSize;
            var normalizer = FitLatentNormalizer(vae.TrainMeans, l, weight);
            return (normalizer, Standardize(normalizer, vae.TrainMeans, l, ct), vae.TestMeans is null ? null : Standardize(normalizer, vae.TestMeans, l, ct));
        }

        private VBuffer<float>[] Standardize(ITransformer normalizer, float[] means, int l, CancellationToken ct) =>
            FeatureTable.Read(normalizer.Transform(LatentView(means, l)), CandidatePipelines.LatentFeaturesColumn, ct).Rows;

        /// <summary>A view with the latent means (rows × <paramref name="l"/>) as <see cref="CandidatePipelines.LatentColumn"/>.</summary>
        private IDataView LatentView(float[] means, int l)
        {
            int rows = means.Length / l;
            var def = SchemaDefinition.Create(typeof(LatentRow));
            def[nameof(LatentRow.Latent)].ColumnType = new VectorDataViewType(NumberDataViewType.Single, l);
            def[nameof(LatentRow.Latent)].ColumnName = CandidatePipelines.LatentColumn;
            return ml.Data.LoadFromEnumerable(Enumerable.Range(0, rows).Select(i => new LatentRow { Latent = means.AsSpan(i * l, l).ToArray() }), def);
        }

        /// <summary>An empty view with float vector columns of the given names and sizes, at most four (what fitting a Concatenate needs).</summary>
        private IDataView VectorSchema(params (string Name, int Size)[] columns)
        {
            if (columns.Length > 4) throw new ArgumentOutOfRangeException(nameof(columns), columns.Length, "at most four vector columns");
            var def = SchemaDefinition.Create(typeof(FourVectors));
            var names = new[] { nameof(FourVectors.A), nameof(FourVectors.B), nameof(FourVectors.C), nameof(FourVectors.D) };
            for (int i = 0; i < names.Length; i++)
            {
                var column = def[names[i]];
                column.ColumnType = new VectorDataViewType(NumberDataViewType.Single, i < columns.Length ? columns[i].Size : 1);
                column.ColumnName = i < columns.Length ? columns[i].Name : "Unused" + i;
            }
            return ml.Data.LoadFromEnumerable(Array.Empty<FourVectors>(), def);
        }

        private sealed class LatentRow
        {
            public float[] Latent { get; set; } = [];
        }

        private sealed class FourVectors
        {
            public VBuffer<float> A { get; set; }
            public VBuffer<float> B { get; set; }
            public VBuffer<float> C { get; set; }
            public VBuffer<float> D { get; set; }
        }
    }

    /// <summary>An <see cref="IProgress{T}"/> that reports synchronously on the calling thread (no SynchronizationContext posting).</summary>
    private sealed class SyncProgress<T>(Action<T> handler) : IProgress<T>
    {
        public void Report(T value) => handler(value);
    }
}

/// <summary>Materialised features of one fitted featurizer.</summary>
internal sealed record FeatureTableParts(VBuffer<float>[] Train, VBuffer<float>[]? Test, int Size);
