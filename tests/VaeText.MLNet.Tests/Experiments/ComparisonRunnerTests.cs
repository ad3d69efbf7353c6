using System.Diagnostics;
using System.Text.Json;
using Microsoft.ML;
using Microsoft.ML.Data;
using NUnit.Framework;
using VaeText.Experiments;

namespace VaeText.MLNet.Tests.Experiments;

/// <summary>
/// Comparison runs on real ML.NET pipelines over a tiny generated corpus (60 training / 24 test documents, 3 topics):
/// one shared run with every default candidate, plus focused runs.
/// </summary>
public class ComparisonRunnerTests
{
    private static readonly VaeSettings Vae = new(4, 3);
    private TinyCorpus _corpus = null!;
    private ComparisonRunner.Outcome _shared = null!;
    private readonly List<string> _stages = new();

    [OneTimeSetUp]
    public void RunOnce()
    {
        _corpus = new TinyCorpus(labelPrefix: "<b>&");
        var options = new ComparisonOptions
        {
            TrainPath = _corpus.Train, TestPath = _corpus.Test, Vae = Vae, Labeled = [9, null], Seeds = 2, Variants = true, LdaTopics = 5,
        };
        _shared = new ComparisonRunner().Run(options, new Recorder(_stages), CancellationToken.None);
    }

    [OneTimeTearDown]
    public void Cleanup()
    {
        _shared.Dispose();
        _corpus.Dispose();
    }

    private sealed class Recorder(List<string> stages) : IComparisonProgress
    {
        public void Stage(string message) => stages.Add(message);
        public void VaeEpoch(VaeSettings settings, VaeEpochPoint point) { }
        public void CandidateDone(CandidateResult result) { }
    }

    [Test]
    public void EveryCandidateIsScoredAndEachFeaturizerIsFittedOnce()
    {
        var report = _shared.Report;
        var expected = ComparisonOptions.DefaultCandidates(Vae, true, 5);
        Assert.That(report.Candidates.Count, Is.EqualTo(expected.Count * 2));
        Assert.That(report.Candidates.Select(r => r.Spec).Distinct(), Is.EquivalentTo(expected));
        Assert.That(expected.Select(c => c.FeaturizerId), Is.SupersetOf(new[] { "featurize_text", "ngrams", "lda", "vae", "vae_ensemble", "both_ensemble" }));
        // Four VAE configurations (base, half and twice the latent size, half the epochs), each trained once; the base
        // continues the half-epochs training (1 epoch, then epochs 2-3), so its curve has all three epochs.
        Assert.That(report.VaeRuns.Select(r => r.Settings), Is.EquivalentTo(new[] { Vae, Vae with { Latent = 2 }, Vae with { Latent = 8 }, Vae with { Epochs = 1 } }));
        Assert.That(report.VaeRuns.Single(r => r.Settings == Vae).Epochs.Select(e => e.Epoch), Is.EqualTo(new[] { 1, 2, 3 }));
        Assert.That(report.VaeRuns.Single(r => r.Settings == Vae with { Epochs = 1 }).Epochs.Select(e => e.Epoch), Is.EqualTo(new[] { 1 }));
        Assert.That(report.VaeRuns[0].Settings, Is.EqualTo(Vae with { Epochs = 1 }), "the shorter training runs first");
        Assert.That(report.VaeRuns.Single(r => r.Settings == Vae).Seconds, Is.GreaterThan(report.VaeRuns[0].Seconds), "a continued training counts the epochs it continued");
        Assert.That(_stages.Count(s => s.StartsWith("Training VAE 4d/3ep ", StringComparison.Ordinal)), Is.EqualTo(1));
        Assert.That(_stages.Count(s => s.StartsWith("Training VAE 4d/1ep ", StringComparison.Ordinal)), Is.EqualTo(1));
        Assert.That(_stages.Count(s => s.StartsWith("Fitting TF-IDF", StringComparison.Ordinal)), Is.EqualTo(1), "n-grams shared by two candidates");
        foreach (var r in report.Candidates)
        {
            if (r.Spec.SelfTrained && r.Labels is null)
            {
                // Self-training learns from the unlabelled training rows: with all labels there are none.
                Assert.That(r.Status, Is.EqualTo("skipped: every training row is labelled (nothing to self-train on)"));
                Assert.That(r.Seeds, Is.Zero);
                continue;
            }
            Assert.That(r.Status, Does.StartWith("ok"), r.Spec.Name);
            Assert.That(r.Seeds, Is.EqualTo(r.Labels is null ? 1 : 2), r.Spec.Name);
            Assert.That(r.Accuracies.Count, Is.EqualTo(r.Seeds));
            Assert.That(r.CvMean, Is.InRange(0.0, 1.0), r.Spec.Name);
            Assert.That(r.AccuracyMean, Is.InRange(0.0, 1.0), r.Spec.Name);
            Assert.That(r.Rank, Is.GreaterThan(0));
            Assert.That(r.FitSeconds, Is.GreaterThan(0));
            Assert.That(r.LatentWeights.Count, Is.EqualTo(r.Spec.Featurizer is FeaturizerKind.Both or FeaturizerKind.NgramsAndVaeEnsemble ? r.Seeds : 0));
            if (r.Spec.Featurizer == FeaturizerKind.NgramsAndVaeEnsemble)
                Assert.That(r.LatentWeights, Has.All.AnyOf(CandidatePipelines.EnsembleLatentWeights(2 + 4 + 8).Cast<object>().ToArray()), "the 2+4+8-d block's weights");
        }
        // These topics are easy: the TF-IDF baseline with all labels is nearly perfect on the test split.
        Assert.That(report.Candidates.Single(r => r.Labels is null && r.Spec.Featurizer == FeaturizerKind.Ngrams).AccuracyMean, Is.GreaterThan(0.9));
        Assert.That(report.Classes, Is.EqualTo(new[] { "<b>&food", "<b>&sport", "<b>&tech" }));
    }

    [Test]
    public void OneSelectedPipelinePerLabelsSettingByCrossValidation()
    {
        var report = _shared.Report;
        foreach (var g in report.Candidates.GroupBy(r => r.Labels))
        {
            var selected = g.Single(r => r.Selected);
            Assert.That(selected.Rank, Is.EqualTo(1));
            Assert.That(selected.CvMean, Is.EqualTo(g.Max(r => r.CvMean)));
        }
        Assert.That(report.Best, Is.SameAs(report.Candidates.Single(r => r.Labels is null && r.Selected)));
        Assert.That(report.BestConfusion!.Cast<int>().Sum(), Is.EqualTo(24));
        // Per-draw picks: two seeds at 9 labels, one fit with all labels.
        Assert.That(report.SeedSelections.Select(s => (s.Labels, s.Seed)), Is.EqualTo(new (int?, int)[] { (9, 1), (9, 2), (null, 1) }));
        Assert.That(report.LatentMap!.X.Length, Is.EqualTo(24));
    }

    [Test]
    public void OutputsAreWrittenTogetherAndResultsJsonHasTheSchema()
    {
        var dir = Path.Combine(_corpus.Dir, "out-schema");
        ComparisonOutputs.Write(dir, _shared, CancellationToken.None);
        Assert.That(Directory.GetFiles(dir).Select(Path.GetFileName).OrderBy(s => s),
            Is.EqualTo(new[] { "best-model.zip", "leaderboard.md", "report.html", "results.json" }));
        using var doc = JsonDocument.Parse(File.ReadAllText(Path.Combine(dir, "results.json")));
        var root = doc.RootElement;
        Assert.That(root.GetProperty("dataset").GetString(), Is.EqualTo(_corpus.Train));
        Assert.That(root.GetProperty("selection").GetString(), Does.Contain("cross-validation on the labelled rows"));
        var cands = root.GetProperty("candidates").EnumerateArray().ToList();
        Assert.That(cands.Count, Is.EqualTo(_shared.Report.Candidates.Count));
        Assert.That(cands.Count(c => c.GetProperty("selected").GetBoolean()), Is.EqualTo(2));
        Assert.That(cands.Count(c => c.GetProperty("self_training").GetBoolean()), Is.EqualTo(2));
        foreach (var c in cands)
        {
            Assert.That(c.GetProperty("featurizer").GetString(), Is.AnyOf("featurize_text", "ngrams", "lda", "vae", "vae_ensemble", "both_ensemble"));
            Assert.That(c.GetProperty("trainer").GetString(), Is.AnyOf("sdca", "fasttree", "lightgbm"));
            if (c.GetProperty("status").GetString()!.StartsWith("skipped", StringComparison.Ordinal))
            {
                Assert.That(c.GetProperty("self_training").GetBoolean() && c.GetProperty("labels").ValueKind == JsonValueKind.Null);
                Assert.That(c.GetProperty("cv_accuracy").ValueKind, Is.EqualTo(JsonValueKind.Null));
                continue;
            }
            Assert.That(c.GetProperty("cv_accuracy").GetDouble(), Is.InRange(0.0, 1.0));
            Assert.That(c.GetProperty("accuracy_mean").GetDouble(), Is.InRange(0.0, 1.0));
            Assert.That(c.GetProperty("fit_seconds").GetDouble(), Is.GreaterThan(0));
            Assert.That(c.GetProperty("peak_memory_mb").GetDouble(), Is.GreaterThanOrEqualTo(0));
        }
        var lda = cands.Where(c => c.GetProperty("featurizer").GetString() == "lda").ToList();
        Assert.That(lda.Count, Is.EqualTo(2));
        Assert.That(lda[0].GetProperty("lda_topics").GetInt32(), Is.EqualTo(5));
        Assert.That(root.GetProperty("seed_selections").GetArrayLength(), Is.EqualTo(3));
        // Topic coherence: every VAE's and the LDA's top words with NPMI over the training texts, as Npmi computes it.
        var texts = ComparisonRunner.Load(new MLContext(1), _corpus.Train, "label", "text", CancellationToken.None).Texts;
        var topicSets = root.GetProperty("vae_runs").EnumerateArray().Concat(root.GetProperty("lda_runs").EnumerateArray()).ToList();
        Assert.That(root.GetProperty("vae_runs").GetArrayLength(), Is.EqualTo(4));
        Assert.That(root.GetProperty("lda_runs").GetArrayLength(), Is.EqualTo(1));
        Assert.That(root.GetProperty("lda_runs")[0].GetProperty("topics").GetInt32(), Is.EqualTo(5));
        Assert.That(root.GetProperty("topic_coherence").GetString(), Does.Contain("NPMI"));
        foreach (var set in topicSets)
        {
            var words = set.GetProperty("top_words").EnumerateArray().Select(t => (IReadOnlyList<string>)t.EnumerateArray().Select(w => w.GetString()!).ToList()).ToList();
            var npmi = set.GetProperty("topic_npmi").EnumerateArray().Select(x => x.GetDouble()).ToArray();
            var expected = Npmi.Coherence(words, texts);
            Assert.That(words.Count, Is.EqualTo(set.TryGetProperty("latent", out var l) ? l.GetInt32() : 5));
            bool vae = set.TryGetProperty("latent", out _);
            Assert.That(words.All(w => vae ? w.Count == 10 : w.Count is > 1 and <= 10), "ten words per latent dimension, up to ten per LDA topic");
            Assert.That(npmi, Is.EqualTo(expected).Within(1e-6));
            Assert.That(set.GetProperty("mean_npmi").GetDouble(), Is.EqualTo(expected.Average()).Within(1e-6));
        }
        var md = File.ReadAllText(Path.Combine(dir, "leaderboard.md"));
        Assert.That(md, Does.Contain("| 1 |").And.Contain("(selected)").And.Contain("LDA 5 topics + SDCA").And.Contain("CV accuracy %"));
        var ldaMean = root.GetProperty("lda_runs")[0].GetProperty("mean_npmi").GetDouble();
        Assert.That(md, Does.Contain("## Topic coherence").And.Contain("| LDA 5 topics | 5 | " + ldaMean.ToString("F3", System.Globalization.CultureInfo.InvariantCulture) + " |"));
        var html = File.ReadAllText(Path.Combine(dir, "report.html"));
        Assert.That(html, Does.Not.Contain("<b>&"));
        Assert.That(html, Does.Contain("&lt;b&gt;&amp;sport").And.Contain("LDA 5 topics + SDCA"));
        Assert.That(html, Does.Contain("id=\"topic-coherence\"").And.Contain("id=\"lda-topics\"").And.Contain("<th>NPMI</th>"));
    }

    [Test]
    public void BestModelZipIsAnMLNetModelThatReproducesTheReportedTestAccuracy()
    {
        var path = Path.Combine(_corpus.Dir, "best.zip");
        _shared.SaveBestModel!(path);
        var best = _shared.Report.Best!;
        Assert.That(Accuracy(path, _corpus.Test), Is.EqualTo(best.Accuracies[0]).Within(1e-9), best.Spec.Name);
    }

    [Test]
    public void SavedVaePipelinesLoadAndPredictAsScored()
    {
        // Only VAE candidates, so that the selected (and saved) pipeline holds the VaeLatent transformer.
        using var corpus = new TinyCorpus();
        var options = new ComparisonOptions
        {
            TrainPath = corpus.Train, TestPath = corpus.Test, Vae = Vae,
            Candidates = [new(FeaturizerKind.Vae, TrainerKind.Sdca, Vae), new(FeaturizerKind.Both, TrainerKind.Sdca, Vae), new(FeaturizerKind.Vae, TrainerKind.FastTree, Vae)],
        };
        using var outcome = new ComparisonRunner().Run(options, null, CancellationToken.None);
        var path = Path.Combine(corpus.Dir, "vae-best.zip");
        outcome.SaveBestModel!(path);
        var best = outcome.Report.Candidates.Single(r => r.Selected);
        Assert.That(best.Spec.UsesVae);
        Assert.That(Accuracy(path, corpus.Test), Is.EqualTo(best.Accuracies[0]).Within(1e-9), best.Spec.Name);
    }

    [Test]
    public void VaeEnsembleConcatenatesTheSizesAndItsSavedModelPredictsAsScored()
    {
        using var corpus = new TinyCorpus();
        var (outcome, row) = RunAlone(corpus, new(FeaturizerKind.VaeEnsemble, TrainerKind.Sdca, Vae));
        using var owned = outcome;
        Assert.That(row.Spec.Name, Is.EqualTo("VAE 2d+4d+8d/3ep + SDCA"));
        Assert.That(row.Spec.FeaturizerId, Is.EqualTo("vae_ensemble"));
        Assert.That(row.Seeds, Is.EqualTo(2));
        // The ensemble's fit time is its member VAEs' together.
        Assert.That(row.FeaturizerSeconds, Is.EqualTo(outcome.Report.VaeRuns.Sum(r => r.Seconds)).Within(1e-9));
        var path = Path.Combine(corpus.Dir, "ensemble.zip");
        outcome.SaveBestModel!(path);
        // The saved chain (three VaeLatent steps, their normalizers, one Concatenate) scores the test split as the run did.
        Assert.That(Accuracy(path, corpus.Test), Is.EqualTo(row.Accuracies[0]).Within(1e-9));
        var ml = new MLContext(1);
        var model = ml.Model.Load(path, out _);
        var data = ml.Data.LoadFromTextFile(corpus.Test, [new TextLoader.Column("label", DataKind.String, 0), new TextLoader.Column("text", DataKind.String, 1)], '\t', hasHeader: true);
        var features = model.Transform(data).Schema[CandidatePipelines.FeaturesColumn];
        Assert.That(((VectorDataViewType)features.Type).Size, Is.EqualTo(2 + 4 + 8));
        (model as IDisposable)?.Dispose();
    }

    /// <summary>
    /// One candidate of the VAE ensemble (2+4+8 latent) on the tiny corpus, 30 labels, 2 seeds: its row is scored and each
    /// member VAE is trained once.
    /// </summary>
    private static (ComparisonRunner.Outcome Outcome, CandidateResult Row) RunAlone(TinyCorpus corpus, CandidateSpec candidate)
    {
        var outcome = new ComparisonRunner().Run(new ComparisonOptions
        {
            TrainPath = corpus.Train, TestPath = corpus.Test, Vae = Vae, Seeds = 2, Labeled = [30], Candidates = [candidate],
        }, null, CancellationToken.None);
        var row = outcome.Report.Candidates.Single();
        Assert.That(row.Status, Does.StartWith("ok"));
        Assert.That(outcome.Report.VaeRuns.Select(r => r.Settings.Latent), Is.EquivalentTo(new[] { 2, 4, 8 }));
        return (outcome, row);
    }

    [Test]
    public void NgramsAndVaeEnsembleChoosesAWeightAndItsSavedModelPredictsAsScored()
    {
        using var corpus = new TinyCorpus();
        var (outcome, row) = RunAlone(corpus, new(FeaturizerKind.NgramsAndVaeEnsemble, TrainerKind.Sdca, Vae));
        using var owned = outcome;
        Assert.That(row.Spec.Name, Is.EqualTo("TF-IDF ⊕ VAE 2d+4d+8d/3ep + SDCA"));
        Assert.That(row.Spec.FeaturizerId, Is.EqualTo("both_ensemble"));
        Assert.That(row.LatentWeights, Has.Count.EqualTo(2));
        Assert.That(row.LatentWeights, Has.All.AnyOf(CandidatePipelines.EnsembleLatentWeights(14).Cast<object>().ToArray()));
        var path = Path.Combine(corpus.Dir, "both-ensemble.zip");
        outcome.SaveBestModel!(path);
        // The saved chain (TF-IDF, three VaeLatent steps with their weighted normalizers, one Concatenate) scores the
        // test split as the run did.
        Assert.That(Accuracy(path, corpus.Test), Is.EqualTo(row.Accuracies[0]).Within(1e-9));
    }

    [Test]
    public void VaesTrainedBesideTheCandidatesGiveTheSameRunAsTrainedInLine()
    {
        using var corpus = new TinyCorpus();
        var candidates = new CandidateSpec[]
        {
            new(FeaturizerKind.Ngrams, TrainerKind.Sdca, null), new(FeaturizerKind.Vae, TrainerKind.Sdca, Vae),
            new(FeaturizerKind.Vae, TrainerKind.Sdca, Vae with { Epochs = 2 }), new(FeaturizerKind.VaeEnsemble, TrainerKind.Sdca, Vae),
            new(FeaturizerKind.VaeEnsemble, TrainerKind.Sdca, Vae, SelfTrained: true), new(FeaturizerKind.NgramsAndVaeEnsemble, TrainerKind.Sdca, Vae),
        };
        var stages = new List<string>();
        // One thread: everything in line. Two: the VAEs train on a thread of their own while the TF-IDF candidate runs.
        ComparisonRunner.Outcome Run(int threads) => new ComparisonRunner().Run(new ComparisonOptions
        {
            TrainPath = corpus.Train, TestPath = corpus.Test, Vae = Vae, Labeled = [12, null], Seeds = 2, Candidates = candidates, Threads = threads,
        }, threads == 2 ? new Recorder(stages) : null, CancellationToken.None);
        using var inline = Run(1);
        using var beside = Run(2);
        static string Summary(ComparisonReport r) => string.Join("\n", r.Candidates.Select(c =>
            $"{c.Spec.Name} {c.LabelsText} {c.Status} rank {c.Rank} cv {string.Join(",", c.CvAccuracies)} test {string.Join(",", c.Accuracies)} w {string.Join(",", c.LatentWeights)}"))
            + "\n" + string.Join("\n", r.VaeRuns.OrderBy(v => v.Settings.Name).Select(v => v.Settings.Name + " " + string.Join(",", v.Epochs.Select(e => e.Reconstruction))));
        Assert.That(Summary(beside.Report), Is.EqualTo(Summary(inline.Report)));
        Assert.That(beside.Report.Candidates.Count(c => c.Seeds > 0), Is.EqualTo(11));
        Assert.That(stages.Count(s => s.StartsWith("Training VAE", StringComparison.Ordinal)), Is.EqualTo(4));
    }

    [Test]
    public void ReplacingEveryTestLabelChangesNeitherTheSelectionNorTheSavedModel()
    {
        using var corpus = new TinyCorpus();
        var blind = Path.Combine(corpus.Dir, "test-blind.tsv");
        // Every test label replaced by one class: only the reported test accuracies may change.
        File.WriteAllLines(blind, File.ReadAllLines(corpus.Test).Select((l, i) => i == 0 ? l : "food" + l[l.IndexOf('\t')..]));
        var candidates = new CandidateSpec[]
        {
            new(FeaturizerKind.Ngrams, TrainerKind.Sdca, null), new(FeaturizerKind.Vae, TrainerKind.Sdca, Vae),
            new(FeaturizerKind.Vae, TrainerKind.FastTree, Vae), new(FeaturizerKind.Both, TrainerKind.Sdca, Vae),
        };
        ComparisonRunner.Outcome Run(string test) => new ComparisonRunner().Run(new ComparisonOptions
        {
            TrainPath = corpus.Train, TestPath = test, Vae = Vae, Labeled = [12, null], Seeds = 2, Candidates = candidates,
        }, null, CancellationToken.None);
        using var a = Run(corpus.Test);
        using var b = Run(blind);
        static string Summary(ComparisonReport r) => string.Join("\n", r.Candidates.Select(c =>
            $"{c.Spec.Name} {c.LabelsText} rank {c.Rank} selected {c.Selected} cv {string.Join(",", c.CvAccuracies)} w {string.Join(",", c.LatentWeights)}"));
        Assert.That(Summary(b.Report), Is.EqualTo(Summary(a.Report)));
        Assert.That(b.Report.Best!.Spec, Is.EqualTo(a.Report.Best!.Spec));
        Assert.That(b.Report.Candidates.Select(c => c.AccuracyMean), Is.Not.EqualTo(a.Report.Candidates.Select(c => c.AccuracyMean)), "the test labels did change");
        string za = Path.Combine(corpus.Dir, "a.zip"), zb = Path.Combine(corpus.Dir, "b.zip");
        a.SaveBestModel!(za);
        b.SaveBestModel!(zb);
        Assert.That(Predictions(zb, corpus.Test), Is.EqualTo(Predictions(za, corpus.Test)));
    }

    [Test]
    public void WithoutATestSplitCandidatesAreScoredByCrossValidationOnly()
    {
        using var corpus = new TinyCorpus();
        var options = new ComparisonOptions
        {
            TrainPath = corpus.Train, Vae = Vae, Folds = 3,
            Candidates = [new(FeaturizerKind.Ngrams, TrainerKind.Sdca, null), new(FeaturizerKind.Vae, TrainerKind.Sdca, Vae)],
        };
        using var outcome = new ComparisonRunner().Run(options, null, CancellationToken.None);
        var report = outcome.Report;
        Assert.That(report.Evaluation, Does.Contain("no test split"));
        Assert.That(report.Candidates.All(r => !r.HasTest && double.IsFinite(r.CvMean)));
        Assert.That(report.BestConfusion, Is.Null);
        Assert.That(report.Best, Is.Not.Null);
        Assert.That(Leaderboard.ToMarkdown(report), Does.Contain("| — |"));
        Assert.That(HtmlReport.Render(report), Does.Contain("chart-leaderboard"));
    }

    [Test]
    public void TimeBudgetSkipsLaterWorkButKeepsTheFirstResult()
    {
        using var corpus = new TinyCorpus();
        var options = new ComparisonOptions
        {
            TrainPath = corpus.Train, TestPath = corpus.Test, Vae = new VaeSettings(4, 100_000), TimeBudgetSeconds = 2,
            Candidates = [new(FeaturizerKind.Ngrams, TrainerKind.Sdca, null), new(FeaturizerKind.Vae, TrainerKind.Sdca, new VaeSettings(4, 100_000))],
        };
        var sw = Stopwatch.StartNew();
        using var outcome = new ComparisonRunner().Run(options, null, CancellationToken.None);
        Assert.That(sw.Elapsed.TotalSeconds, Is.LessThan(20));
        var rows = outcome.Report.Candidates;
        Assert.That(rows.Single(r => r.Spec.Featurizer == FeaturizerKind.Ngrams).Seeds, Is.EqualTo(1));
        Assert.That(rows.Single(r => r.Spec.Featurizer == FeaturizerKind.Vae).Status, Does.StartWith("skipped: time budget"));
        Assert.That(outcome.Report.VaeRuns, Is.Empty, "100,000 epochs cannot finish within 2 s");
    }

    [Test]
    public void ACancelledTokenStopsAnMLNetTrainerThatHasStarted()
    {
        Assert.That(MLContextCancellation.Supported);
        // A fit that takes far longer than the 300 ms after which the token fires.
        var rng = new Random(3);
        var features = new FeatureTable
        {
            Train = Enumerable.Range(0, 20_000).Select(_ => new VBuffer<float>(200, Enumerable.Range(0, 200).Select(_ => (float)rng.NextDouble()).ToArray())).ToArray(),
            Size = 200,
            Featurizer = null!,
        };
        var labels = Enumerable.Range(0, 20_000).Select(i => rng.Next(3).ToString()).ToArray();
        using var cts = new CancellationTokenSource(TimeSpan.FromMilliseconds(300));
        var sw = Stopwatch.StartNew();
        Assert.Catch<OperationCanceledException>(() => ComparisonRunner.FitClassifier(new CandidateSpec(FeaturizerKind.FeaturizeText, TrainerKind.FastTree, null),
            features, Enumerable.Range(0, 20_000).ToArray(), labels, ["0", "1", "2"], 1, cts.Token));
        Assert.That(sw.Elapsed.TotalSeconds, Is.LessThan(10));
    }

    [Test]
    public void CancellationWritesNothingAndStopsARun()
    {
        var dir = Path.Combine(_corpus.Dir, "out-cancelled");
        using var cts = new CancellationTokenSource();
        cts.Cancel();
        Assert.Throws<OperationCanceledException>(() => ComparisonOutputs.Write(dir, _shared, cts.Token));
        Assert.That(Directory.Exists(dir), Is.False);
        var options = new ComparisonOptions { TrainPath = _corpus.Train, TestPath = _corpus.Test, Vae = Vae, Variants = false };
        Assert.Catch<OperationCanceledException>(() => new ComparisonRunner().Run(options, null, cts.Token));
    }

    [Test]
    public void BadInputGetsAClearError()
    {
        using var corpus = new TinyCorpus();
        var ex = Assert.Throws<InvalidDataException>(() => new ComparisonRunner().Run(
            new ComparisonOptions { TrainPath = corpus.Train, LabelColumn = "category" }, null, CancellationToken.None));
        Assert.That(ex!.Message, Does.Contain("no column named 'category'"));
        var unknown = Path.Combine(corpus.Dir, "test-unknown.tsv");
        File.WriteAllLines(unknown, ["label\ttext", "weather\train and sun"]);
        ex = Assert.Throws<InvalidDataException>(() => new ComparisonRunner().Run(
            new ComparisonOptions { TrainPath = corpus.Train, TestPath = unknown }, null, CancellationToken.None));
        Assert.That(ex!.Message, Does.Contain("'weather'"));
        Assert.Throws<ArgumentException>(() => new ComparisonRunner().Run(
            new ComparisonOptions { TrainPath = corpus.Train, LabelColumn = "text" }, null, CancellationToken.None));
    }

    [Test]
    public void PeakMemorySamplerSeesTheWorksOwnAllocation()
    {
        using var sampler = new PeakMemorySampler();
        var block = new byte[96 << 20];
        for (int i = 0; i < block.Length; i += 4096) block[i] = 1; // touch every page
        Thread.Sleep(60);
        Assert.That(sampler.PeakAboveBaselineMb, Is.InRange(60.0, 1000.0));
        GC.KeepAlive(block);
    }

    /// <summary>Accuracy of a saved model zip on a labelled TSV, loaded in a fresh MLContext.</summary>
    internal static double Accuracy(string modelPath, string tsv)
    {
        var truth = File.ReadAllLines(tsv).Skip(1).Select(l => l[..l.IndexOf('\t')]).ToArray();
        var predicted = Predictions(modelPath, tsv);
        return truth.Zip(predicted).Count(p => p.First == p.Second) / (double)truth.Length;
    }

    /// <summary>PredictedLabel of every row of a labelled TSV by a saved model zip, loaded in a fresh MLContext.</summary>
    internal static string[] Predictions(string modelPath, string tsv)
    {
        var ml = new MLContext(7);
        var model = ml.Model.Load(modelPath, out var schema);
        Assert.That(schema.Select(c => c.Name), Is.EqualTo(new[] { "label", "text" }));
        var data = ml.Data.LoadFromTextFile(tsv, [new TextLoader.Column("label", DataKind.String, 0), new TextLoader.Column("text", DataKind.String, 1)], '\t', hasHeader: true);
        var output = model.Transform(data);
        return output.GetColumn<ReadOnlyMemory<char>>("PredictedLabel").Select(m => m.ToString()).ToArray();
    }
}
