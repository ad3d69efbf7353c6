using System.Diagnostics;

namespace VaeText.Experiments;

/// <summary>
/// Runs an AutoML-style comparison: every candidate pipeline at every labelled-subset size and seed, each VAE
/// configuration trained once (on all training texts, labels unused) and shared, evaluation on the test split or by
/// k-fold cross-validation, within a time budget. Writes nothing itself; see <see cref="ComparisonOutputs"/>.
/// </summary>
internal sealed class ComparisonRunner
{
    private readonly IExperimentBackend _backend;

    /// <summary>Creates a runner over a backend.</summary>
    public ComparisonRunner(IExperimentBackend backend) => _backend = backend ?? throw new ArgumentNullException(nameof(backend));

    /// <summary>The result of a run: the report plus what is needed to save the best model.</summary>
    internal sealed class Outcome
    {
        /// <summary>The report.</summary>
        public required ComparisonReport Report { get; init; }
        /// <summary>Saves the best model to a path (null when nothing was evaluated).</summary>
        public Action<string>? SaveBestModel { get; init; }
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
    }

    /// <summary>Runs the comparison. User cancellation throws <see cref="OperationCanceledException"/>.</summary>
    public Outcome Run(ComparisonOptions options, IComparisonProgress? progress, CancellationToken ct)
    {
        Validate(options);
        var clock = Stopwatch.StartNew();
        bool OverBudget() => options.TimeBudgetSeconds is double b && clock.Elapsed.TotalSeconds >= b;

        progress?.Stage($"Loading {options.TrainPath}");
        var train = _backend.Load(options.TrainPath, options.LabelColumn, options.TextColumn);
        LabeledTexts? test = null;
        if (options.TestPath is not null)
        {
            progress?.Stage($"Loading {options.TestPath}");
            test = _backend.Load(options.TestPath, options.LabelColumn, options.TextColumn);
        }
        if (train.Texts.Count < 2) throw new InvalidDataException($"'{options.TrainPath}' has {train.Texts.Count} document(s); a comparison needs at least 2.");
        if (test is { Texts.Count: 0 }) throw new InvalidDataException($"'{options.TestPath}' has no documents.");
        ct.ThrowIfCancellationRequested();

        var classes = train.Labels.Concat(test?.Labels ?? Array.Empty<string>()).Distinct().OrderBy(s => s, StringComparer.Ordinal).ToArray();
        if (train.Labels.Distinct().Count() < 2) throw new InvalidDataException($"'{options.TrainPath}' has only one class ('{classes[0]}'); a classifier needs at least two.");
        var classIndex = classes.Select((c, i) => (c, i)).ToDictionary(p => p.c, p => p.i, StringComparer.Ordinal);
        int[] yTrain = train.Labels.Select(l => classIndex[l]).ToArray();
        int[]? yTest = test?.Labels.Select(l => classIndex[l]).ToArray();
        bool cv = test is null;
        int folds = Math.Min(options.Folds, train.Texts.Count);
        int[] foldOf = cv ? FoldAssignment(train.Texts.Count, folds) : Array.Empty<int>();

        var report = new ComparisonReport
        {
            Dataset = options.TrainPath,
            TestDataset = options.TestPath,
            Evaluation = cv ? $"{folds}-fold cross-validation" : "test split",
            Classes = classes,
            TrainCount = train.Texts.Count,
            TestCount = cv ? train.Texts.Count : test!.Texts.Count,
            TimeBudgetSeconds = options.TimeBudgetSeconds,
        };

        var candidates = (options.Candidates ?? ComparisonOptions.DefaultCandidates(options.Vae, options.Variants)).ToList();
        var labeled = options.Labeled.Distinct().OrderBy(n => n ?? int.MaxValue).ToList();

        // Featurizers are computed lazily, once each.
        (IFeatureTable Train, IFeatureTable? Test, double Seconds)? ngrams = null;
        // Peak memory above the baseline while each shared featurizer was fitted (reported with the candidates using it).
        double ngramsPeakMb = 0;
        var vaePeakMb = new Dictionary<VaeSettings, double>();
        var vaes = new Dictionary<VaeSettings, (ITrainedVae Vae, VaeRunRecord Record)?>();
        var both = new Dictionary<VaeSettings, (IFeatureTable Train, IFeatureTable? Test)>();

        (IFeatureTable Train, IFeatureTable? Test, double Seconds) GetNgrams()
        {
            if (ngrams is { } have) return have;
            progress?.Stage("Fitting the n-gram featurizer");
            using var mem = new PeakMemorySampler(); // before the clock: its baseline collection is not the featurizer's time
            var sw = Stopwatch.StartNew();
            var (tr, te) = _backend.FitNgrams(train.Texts, test?.Texts, ct);
            ngrams = (tr, te, sw.Elapsed.TotalSeconds);
            ngramsPeakMb = mem.PeakAboveBaselineMb;
            return ngrams.Value;
        }

        (ITrainedVae Vae, VaeRunRecord Record)? GetVae(VaeSettings s)
        {
            if (vaes.TryGetValue(s, out var have)) return have;
            if (OverBudget()) { vaes[s] = null; return null; }
            progress?.Stage($"Training {s.Name} on {train.Texts.Count} texts (labels unused)");
            progress?.VaeStarted(s);
            var record = new VaeRunRecord { Settings = s };
            using var mem = new PeakMemorySampler(); // before the clock: its baseline collection is not the VAE's time
            var sw = Stopwatch.StartNew();
            using var budgetCts = CancellationTokenSource.CreateLinkedTokenSource(ct);
            if (options.TimeBudgetSeconds is double b) budgetCts.CancelAfter(TimeSpan.FromSeconds(Math.Max(0.001, b - clock.Elapsed.TotalSeconds)));
            var epochProgress = new SyncProgress<VaeEpochPoint>(p => { record.Epochs.Add(p); progress?.VaeEpoch(s, p); });
            ITrainedVae vae;
            try
            {
                vae = _backend.TrainVae(train.Texts, test?.Texts, s, options.VaeSeed, epochProgress, budgetCts.Token);
                vaePeakMb[s] = mem.PeakAboveBaselineMb;
            }
            catch (OperationCanceledException) when (!ct.IsCancellationRequested)
            {
                vaes[s] = null; // The time budget ran out during training.
                return null;
            }
            record.Seconds = sw.Elapsed.TotalSeconds;
            record.TopWords = vae.TopWords(10);
            report.VaeRuns.Add(record);
            vaes[s] = (vae, record);
            return vaes[s];
        }

        (IFeatureTable Train, IFeatureTable? Test, double Seconds)? Features(CandidateSpec c)
        {
            switch (c.Featurizer)
            {
                case FeaturizerKind.Ngrams:
                    return GetNgrams();
                case FeaturizerKind.Vae:
                {
                    var v = GetVae(c.Vae!);
                    if (v is null) return null;
                    return (v.Value.Vae.Train, v.Value.Vae.Test, v.Value.Record.Seconds);
                }
                default:
                {
                    var n = GetNgrams();
                    var v = GetVae(c.Vae!);
                    if (v is null) return null;
                    if (!both.TryGetValue(c.Vae!, out var pair))
                    {
                        pair = (_backend.Concatenate(n.Train, v.Value.Vae.Train),
                                n.Test is null ? null : _backend.Concatenate(n.Test, v.Value.Vae.Test!));
                        both[c.Vae!] = pair;
                    }
                    return (pair.Train, pair.Test, n.Seconds + v.Value.Record.Seconds);
                }
            }
        }

        var confusions = new Dictionary<CandidateResult, int[,]>();
        bool anyDone = false;
        foreach (var cand in candidates)
        {
            foreach (var n in labeled)
            {
                ct.ThrowIfCancellationRequested();
                var row = new CandidateResult { Spec = cand, Labels = n };
                report.Candidates.Add(row);
                if (anyDone && OverBudget()) { row.Status = "skipped: time budget"; continue; }
                var feats = Features(cand);
                if (feats is null) { row.Status = "skipped: time budget (VAE not trained)"; continue; }
                row.FeaturizerSeconds = feats.Value.Seconds;
                double featurizerPeak = Math.Max(cand.Featurizer == FeaturizerKind.Vae ? 0 : ngramsPeakMb,
                    cand.Vae is { } cv2 && vaePeakMb.TryGetValue(cv2, out var vp) ? vp : 0);
                if (n is int k && k > train.Texts.Count) row.Status = $"ok (only {train.Texts.Count} labelled documents exist)";
                // Every seed would draw the same labelled set (all labels): fit once; the seed would only reshuffle the trainer.
                bool sameSetEverySeed = n is not int k2 || k2 >= (cv ? train.Texts.Count - train.Texts.Count / folds : train.Texts.Count);
                int seedCount = sameSetEverySeed ? 1 : options.Seeds;
                if (sameSetEverySeed && options.Seeds > 1)
                    row.Status = row.Status == "ok" ? "ok (one fit: same labels for every seed)" : row.Status[..^1] + "; one fit: same labels for every seed)";
                using var candidateMemory = new PeakMemorySampler();
                for (int seed = 1; seed <= seedCount; seed++)
                {
                    ct.ThrowIfCancellationRequested();
                    if (anyDone && seed > 1 && OverBudget()) { row.Status = $"partial: time budget ({row.Seeds} of {seedCount} seeds)"; break; }
                    var truth = new List<int>();
                    var predicted = new List<int>();
                    double fitSeconds = 0;
                    for (int fold = 0; fold < (cv ? folds : 1); fold++)
                    {
                        int[] pool = cv ? Enumerable.Range(0, train.Texts.Count).Where(i => foldOf[i] != fold).ToArray()
                                        : Enumerable.Range(0, train.Texts.Count).ToArray();
                        int[] rows = Subsample(pool, n, seed, yTrain, options.Stratified);
                        var labels = rows.Select(i => yTrain[i]).ToArray();
                        var sw = Stopwatch.StartNew();
                        var model = _backend.Fit(cand.Trainer, feats.Value.Train, rows, labels, classes.Length, seed, ct);
                        fitSeconds += sw.Elapsed.TotalSeconds;
                        if (cv)
                        {
                            int[] evalRows = Enumerable.Range(0, train.Texts.Count).Where(i => foldOf[i] == fold).ToArray();
                            predicted.AddRange(_backend.Predict(model, feats.Value.Train, evalRows));
                            truth.AddRange(evalRows.Select(i => yTrain[i]));
                        }
                        else
                        {
                            predicted.AddRange(_backend.Predict(model, feats.Value.Test!, null));
                            truth.AddRange(yTest!);
                        }
                    }
                    var scores = ClassificationScores.Compute(truth.ToArray(), predicted.ToArray(), classes.Length);
                    row.Accuracies.Add(scores.Accuracy);
                    row.MacroAccuracies.Add(scores.MacroAccuracy);
                    row.ClassifierSeconds.Add(fitSeconds);
                    if (seed == 1) confusions[row] = scores.Confusion;
                    anyDone = true;
                }
                row.PeakMemoryMb = Math.Max(featurizerPeak, candidateMemory.PeakAboveBaselineMb);
                progress?.CandidateDone(row);
            }
        }

        var ranked = Leaderboard.Rank(report.Candidates);
        report.Candidates.Clear();
        report.Candidates.AddRange(ranked);
        report.Best = Leaderboard.Best(ranked);
        Action<string>? saveBest = null;
        if (report.Best is { } best)
        {
            report.BestConfusion = confusions[best];
            var feats = Features(best.Spec)!.Value;
            int[] rows = Subsample(Enumerable.Range(0, train.Texts.Count).ToArray(), best.Labels, 1, yTrain, options.Stratified);
            saveBest = path =>
            {
                var model = _backend.Fit(best.Spec.Trainer, feats.Train, rows, rows.Select(i => yTrain[i]).ToArray(), classes.Length, 1, ct);
                _backend.SaveModel(path, best.Spec, feats.Train, model, classes);
            };
        }

        // Latent map from the best candidate's VAE, or the first VAE trained.
        var mapVae = (report.Best?.Spec.Vae is { } bv && vaes.TryGetValue(bv, out var bvae) && bvae is not null) ? bvae
                   : vaes.Values.FirstOrDefault(v => v is not null);
        if (mapVae is { } mv)
        {
            int total = cv ? train.Texts.Count : test!.Texts.Count;
            int[] y = cv ? yTrain : yTest!;
            int count = Math.Min(total, options.MaxMapPoints);
            // Evenly spaced rows: deterministic and spread over the file.
            int[] rows = Enumerable.Range(0, count).Select(i => (int)((long)i * total / count)).ToArray();
            var means = mv.Vae.EvaluationMeans(rows);
            var proj = Pca.Project2D(means);
            report.LatentMap = new LatentMap(proj.X, proj.Y, rows.Select(i => y[i]).ToArray(), proj.ExplainedFirst, proj.ExplainedSecond,
                $"{mv.Record.Settings.Name}, {count} {(cv ? "training" : "test")} documents");
        }
        report.TotalSeconds = clock.Elapsed.TotalSeconds;
        report.FinishedUtc = DateTime.UtcNow;
        return new Outcome { Report = report, SaveBestModel = saveBest };
    }

    /// <summary>Deterministic fold assignment: a seeded shuffle, then round-robin.</summary>
    internal static int[] FoldAssignment(int count, int folds)
    {
        var order = Enumerable.Range(0, count).ToArray();
        new Core.Rng(20_240_601).Shuffle<int>(order);
        var fold = new int[count];
        for (int i = 0; i < count; i++) fold[order[i]] = i % folds;
        return fold;
    }

    private static int[] Subsample(int[] pool, int? n, int seed, int[] yAll, bool stratified)
    {
        if (n is not int k || k >= pool.Length) return pool;
        var picked = LabelSampler.Draw(k, pool.Length, seed, stratified ? pool.Select(i => yAll[i]).ToArray() : null);
        return picked.Select(i => pool[i]).ToArray();
    }

    /// <summary>An <see cref="IProgress{T}"/> that reports synchronously on the calling thread (no SynchronizationContext posting).</summary>
    private sealed class SyncProgress<T>(Action<T> handler) : IProgress<T>
    {
        public void Report(T value) => handler(value);
    }
}
