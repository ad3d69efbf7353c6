using System.Text.Json;
using NUnit.Framework;
using VaeText.Experiments;

namespace VaeText.Tests.Experiments;

public class ComparisonRunnerTests
{
    [Test]
    public void TrainsEachVaeOnceAndAggregatesLowLabelSeeds()
    {
        using var corpus = new TinyCorpus();
        var backend = new TinyBackend();
        var vae = new VaeSettings(4, 3);
        var options = new ComparisonOptions
        {
            TrainPath = corpus.Train, TestPath = corpus.Test, Vae = vae, Labeled = new int?[] { 6, 15, null }, Seeds = 3,
        };
        var outcome = new ComparisonRunner(backend).Run(options, null, CancellationToken.None);
        var report = outcome.Report;
        // Default set: 5 main candidates + 3 variants, 4 distinct VAE configurations.
        Assert.That(backend.VaeTrainings, Is.EqualTo(4));
        Assert.That(backend.Trained.Distinct().Count(), Is.EqualTo(4));
        Assert.That(report.Candidates.Count, Is.EqualTo(8 * 3));
        Assert.That(report.VaeRuns.Count, Is.EqualTo(4));
        Assert.That(report.VaeRuns[0].Epochs.Count, Is.EqualTo(3));
        foreach (var r in report.Candidates)
        {
            // All labels: every seed would draw the same labelled set, so the candidate is fitted once.
            Assert.That(r.Seeds, Is.EqualTo(r.Labels is null ? 1 : 3), r.Spec.Name);
            Assert.That(r.AccuracyMean, Is.InRange(0.0, 1.0));
            Assert.That(r.Rank, Is.GreaterThan(0));
        }
        // With 6 labels the seeds draw different subsets, so accuracies vary for at least one candidate.
        Assert.That(report.Candidates.Where(r => r.Labels == 6).Any(r => r.AccuracyStd > 0));
        Assert.That(report.Candidates.Where(r => r.Labels is null).All(r => r.Status.Contains("one fit")));
        // 8 candidates × (3 + 3 seeds at 6 and 15 labels + 1 fit with all labels).
        Assert.That(backend.Fits, Is.EqualTo(8 * 7));
        // The n-gram centroid separates these topics well.
        Assert.That(report.Candidates.Single(r => r.Labels is null && r.Spec.Featurizer == FeaturizerKind.Ngrams && r.Spec.Trainer == TrainerKind.Sdca).AccuracyMean, Is.GreaterThan(0.8));
        Assert.That(report.Best, Is.Not.Null);
        Assert.That(report.Best!.Labels, Is.Null);
        Assert.That(report.BestConfusion!.Cast<int>().Sum(), Is.EqualTo(24));
        Assert.That(report.LatentMap!.X.Length, Is.EqualTo(24));
        Assert.That(report.Classes, Is.EqualTo(new[] { "food", "sport", "tech" }));
    }

    [Test]
    public void CrossValidatesWithoutATestSet()
    {
        using var corpus = new TinyCorpus();
        var options = new ComparisonOptions { TrainPath = corpus.Train, Vae = new VaeSettings(4, 2), Variants = false, Folds = 3 };
        var report = new ComparisonRunner(new TinyBackend()).Run(options, null, CancellationToken.None).Report;
        Assert.That(report.Evaluation, Is.EqualTo("3-fold cross-validation"));
        Assert.That(report.BestConfusion!.Cast<int>().Sum(), Is.EqualTo(60));
        var folds = ComparisonRunner.FoldAssignment(60, 3);
        Assert.That(folds.Count(f => f == 0), Is.EqualTo(20));
    }

    [Test]
    public void TimeBudgetSkipsLaterWorkButKeepsTheFirstResult()
    {
        using var corpus = new TinyCorpus();
        var backend = new TinyBackend { VaeDelay = TimeSpan.FromMilliseconds(400) };
        var options = new ComparisonOptions { TrainPath = corpus.Train, TestPath = corpus.Test, Vae = new VaeSettings(4, 10), TimeBudgetSeconds = 0.5 };
        var sw = System.Diagnostics.Stopwatch.StartNew();
        var report = new ComparisonRunner(backend).Run(options, null, CancellationToken.None).Report;
        Assert.That(sw.Elapsed.TotalSeconds, Is.LessThan(3));
        Assert.That(report.Candidates.Count(r => r.Seeds > 0), Is.GreaterThanOrEqualTo(1));
        Assert.That(report.Candidates.Any(r => r.Status.StartsWith("skipped", StringComparison.Ordinal)));
        Assert.That(report.VaeRuns, Is.Empty, "the VAE (10 × 400 ms) cannot finish within 0.5 s");
    }

    [Test]
    public void OutputsAreWrittenTogetherAndResultsJsonHasTheSchema()
    {
        using var corpus = new TinyCorpus(labelPrefix: "<b>&");
        var dir = Path.Combine(corpus.Dir, "out");
        var options = new ComparisonOptions { TrainPath = corpus.Train, TestPath = corpus.Test, Vae = new VaeSettings(4, 2), Labeled = new int?[] { 9 }, Seeds = 2, Variants = false };
        var outcome = new ComparisonRunner(new TinyBackend()).Run(options, null, CancellationToken.None);
        ComparisonOutputs.Write(dir, outcome, CancellationToken.None);
        Assert.That(Directory.GetFiles(dir).Select(Path.GetFileName).OrderBy(s => s),
            Is.EqualTo(new[] { "best-model.zip", "leaderboard.md", "report.html", "results.json" }));
        using var doc = JsonDocument.Parse(File.ReadAllText(Path.Combine(dir, "results.json")));
        var root = doc.RootElement;
        Assert.That(root.GetProperty("dataset").GetString(), Is.EqualTo(corpus.Train));
        var cands = root.GetProperty("candidates").EnumerateArray().ToList();
        Assert.That(cands.Count, Is.EqualTo(5));
        foreach (var c in cands)
        {
            Assert.That(c.GetProperty("pipeline").GetString(), Is.Not.Empty);
            Assert.That(c.GetProperty("featurizer").GetString(), Is.AnyOf("ngrams", "vae", "both"));
            Assert.That(c.GetProperty("trainer").GetString(), Is.AnyOf("sdca", "fasttree"));
            Assert.That(c.GetProperty("labels").GetInt32(), Is.EqualTo(9));
            Assert.That(c.GetProperty("seeds").GetInt32(), Is.EqualTo(2));
            Assert.That(c.GetProperty("accuracy_mean").GetDouble(), Is.InRange(0.0, 1.0));
            Assert.That(c.GetProperty("accuracy_std").GetDouble(), Is.InRange(0.0, 1.0));
            Assert.That(c.GetProperty("macro_accuracy_mean").GetDouble(), Is.InRange(0.0, 1.0));
            Assert.That(c.GetProperty("fit_seconds").GetDouble(), Is.GreaterThanOrEqualTo(0));
            Assert.That(c.GetProperty("peak_memory_mb").GetDouble(), Is.GreaterThanOrEqualTo(0));
        }
        var md = File.ReadAllText(Path.Combine(dir, "leaderboard.md"));
        Assert.That(md, Does.Contain("| 1 |"));
        var html = File.ReadAllText(Path.Combine(dir, "report.html"));
        Assert.That(html, Does.Not.Contain("<b>&"));
        Assert.That(html, Does.Contain("&lt;b&gt;&amp;sport"));
    }

    [Test]
    public void CancellationWritesNothing()
    {
        using var corpus = new TinyCorpus();
        var dir = Path.Combine(corpus.Dir, "out");
        var options = new ComparisonOptions { TrainPath = corpus.Train, TestPath = corpus.Test, Vae = new VaeSettings(4, 2), Variants = false };
        var outcome = new ComparisonRunner(new TinyBackend()).Run(options, null, CancellationToken.None);
        using var cts = new CancellationTokenSource();
        cts.Cancel();
        Assert.Throws<OperationCanceledException>(() => ComparisonOutputs.Write(dir, outcome, cts.Token));
        Assert.That(Directory.Exists(dir), Is.False);
        Assert.Throws<OperationCanceledException>(() => new ComparisonRunner(new TinyBackend()).Run(options, null, cts.Token));
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
}
