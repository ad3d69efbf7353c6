using System.Text.Json;
using Microsoft.ML;
using Microsoft.ML.Data;
using NUnit.Framework;
using VaeText.Cli.Tests.Support;
using VaeText.Experiments;

namespace VaeText.Cli.Tests;

/// <summary>`vaetext compare` and `vaetext demo` through the CLI, on real ML.NET pipelines.</summary>
[NonParallelizable]
public class CompareCliTests : ThreeTopicCorpusFixture
{
    [Test]
    public async Task CompareWritesOutputsAndJson()
    {
        var dir = Path.Combine(_dir, "run");
        var (code, output, err) = await CliRunner.Run("compare", "--dataset", _train, "--test", _test, "--out", dir,
            "--labeled", "10,all", "--seeds", "2", "--latent", "4", "--epochs", "2", "--lda-topics", "4", "--json");
        Assert.That(code, Is.EqualTo(0), err);
        using var doc = JsonDocument.Parse(output);
        var cands = doc.RootElement.GetProperty("candidates").EnumerateArray().ToList();
        Assert.That(cands.Count, Is.EqualTo(2 * ComparisonOptions.DefaultCandidates(new VaeSettings(4, 2), true).Count));
        Assert.That(cands.Select(c => c.GetProperty("labels").ValueKind == JsonValueKind.Null ? -1 : c.GetProperty("labels").GetInt32()).Distinct().OrderBy(x => x), Is.EqualTo(new[] { -1, 10 }));
        Assert.That(cands.Count(c => c.GetProperty("selected").GetBoolean()), Is.EqualTo(2));
        Assert.That(err, Does.Contain("epoch"), "progress goes to stderr under --json");
        Assert.That(Directory.GetFiles(dir).Select(Path.GetFileName).OrderBy(f => f),
            Is.EqualTo(new[] { "best-model.zip", "leaderboard.md", "report.html", "results.json" }), "no temporary files remain");

        (code, output, err) = await CliRunner.Run("compare", "--dataset", _train, "--test", _test, "--out", dir, "--latent", "4", "--epochs", "2", "--no-variants", "--lda-topics", "4");
        Assert.That(code, Is.EqualTo(0), err);
        Assert.That(output, Does.Contain("Leaderboard").And.Contain("TF-IDF 1–2-grams + SDCA").And.Contain("LDA 4 topics + SDCA").And.Contain("(selected)"));
        Assert.That(output, Does.Not.Contain("\u001b["), "no ANSI escapes when not a terminal");
        Assert.That(output, Does.Not.Contain("loglikelihood"), "LDA's native log stays out of the output");
    }

    [Test]
    public async Task BestModelZipIsAnMLNetModelThatVaetextEvaluateReads()
    {
        var dir = Path.Combine(_dir, "run");
        var (code, _, err) = await CliRunner.Run("compare", "--dataset", _train, "--test", _test, "--out", dir, "--latent", "4", "--epochs", "3",
            "--labeled", "30", "--seeds", "2", "--no-variants", "--lda-topics", "4");
        Assert.That(code, Is.EqualTo(0), err);
        using var doc = JsonDocument.Parse(File.ReadAllText(Path.Combine(dir, "results.json")));
        var best = doc.RootElement.GetProperty("candidates").EnumerateArray().Single(c => c.GetProperty("selected").GetBoolean());
        Assert.That(best.GetProperty("rank").GetInt32(), Is.EqualTo(1));
        // ML.NET loads the zip and reproduces the seed-1 test accuracy (the model is fitted on seed 1's labelled rows).
        var ml = new MLContext(3);
        var model = ml.Model.Load(Path.Combine(dir, "best-model.zip"), out _);
        var data = ml.Data.LoadFromTextFile(_test, [new("label", DataKind.String, 0), new("text", DataKind.String, 1)], '\t', hasHeader: true);
        var predicted = model.Transform(data).GetColumn<ReadOnlyMemory<char>>("PredictedLabel").Select(m => m.ToString()).ToArray();
        var truth = data.GetColumn<ReadOnlyMemory<char>>("label").Select(m => m.ToString()).ToArray();
        Assert.That(truth.Zip(predicted).Count(p => p.First == p.Second) / (double)truth.Length,
            Is.EqualTo(best.GetProperty("accuracies")[0].GetDouble()).Within(1e-6));
        // vaetext evaluate reads it too and gets the same accuracy.
        (code, var output, err) = await CliRunner.Run("evaluate", "--model", Path.Combine(dir, "best-model.zip"), "--dataset", _test, "--json");
        Assert.That(code, Is.EqualTo(0), err);
        using var ev = JsonDocument.Parse(output.Trim());
        Assert.That(ev.RootElement.GetProperty("micro_accuracy").GetDouble(), Is.EqualTo(best.GetProperty("accuracies")[0].GetDouble()).Within(1e-6));
    }

    [Test]
    public async Task CancelledCompareLeavesNoFiles()
    {
        var dir = Path.Combine(_dir, "run");
        using var cts = new CancellationTokenSource(TimeSpan.FromMilliseconds(1500));
        var (code, _, err) = await CliRunner.Run(cts.Token, "compare", "--dataset", _train, "--test", _test, "--out", dir, "--latent", "4", "--epochs", "10000");
        Assert.That(code, Is.EqualTo(130));
        Assert.That(err.Trim().Split('\n').Last(), Does.Contain("cancelled"));
        Assert.That(Directory.Exists(dir), Is.False);
    }

    [Test]
    public async Task BadColumnIsAOneLineError()
    {
        var (code, _, err) = await CliRunner.Run("compare", "--dataset", _train, "--out", Path.Combine(_dir, "x"), "--label-col", "category");
        Assert.That(code, Is.EqualTo(1));
        CliRunner.AssertOneLineError(err, "category");
        Assert.That(Directory.Exists(Path.Combine(_dir, "x")), Is.False);
    }

    [Test]
    public async Task DemoRunsOnTheSampleCorpusQuickly()
    {
        var sw = System.Diagnostics.Stopwatch.StartNew();
        var dir = Path.Combine(_dir, "demo");
        var (code, output, err) = await CliRunner.Run("demo", "--dataset", Path.GetDirectoryName(TestFiles.SampleFile("train.tsv"))!, "--out", dir);
        Assert.That(code, Is.EqualTo(0), err);
        Assert.That(output, Does.Contain("Selected by cross-validation on the labelled rows").And.Contain("Top words per latent dimension").And.Contain("LDA 10 topics + SDCA"));
        Assert.That(File.Exists(Path.Combine(dir, "best-model.zip")));
        Assert.That(sw.Elapsed.TotalSeconds, Is.LessThan(120));
    }
}
