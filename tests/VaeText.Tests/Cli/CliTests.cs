using System.Text.Json;
using NUnit.Framework;
using VaeText.Tests.Experiments;
using VaeText.Cli;
using VaeText.Experiments;

namespace VaeText.Tests.Cli;

[NonParallelizable]
public class CliTests
{
    private static async Task<(int Code, string Out, string Err)> Run(params string[] args) => await Run(CancellationToken.None, args);

    private static Task<(int Code, string Out, string Err)> Run(CancellationToken ct, params string[] args) => Support.CliRunner.Run(ct, args);

    private static void AssertOneLineError(string err, string contains)
    {
        var lines = err.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.That(lines.Length, Is.EqualTo(1), "expected one error line, got: " + err);
        Assert.That(lines[0], Does.StartWith("vaetext: "));
        Assert.That(lines[0], Does.Contain(contains));
        Assert.That(err, Does.Not.Contain("   at "), "no stack trace");
    }

    [TearDown]
    public void ResetBackends()
    {
        Backends.ExperimentOverride = null;
        Backends.ModelOverride = null;
    }

    [TestCase("--latent must be between 1 and", "train", "--dataset", "x.tsv", "--model", "m.zip", "--latent", "0")]
    [TestCase("--epochs must be between 1 and", "train", "--dataset", "x.tsv", "--model", "m.zip", "--epochs", "-1")]
    [TestCase("--trainer must be one of sdca, fasttree", "train", "--dataset", "x.tsv", "--model", "m.zip", "--trainer", "svm")]
    [TestCase("abc", "train", "--dataset", "x.tsv", "--model", "m.zip", "--latent", "abc")]
    [TestCase("--dataset", "train", "--model", "m.zip")]
    [TestCase("--time-budget must be a positive number", "compare", "--dataset", "x.tsv", "--out", "d", "--time-budget", "0")]
    [TestCase("--seeds must be between 1 and", "compare", "--dataset", "x.tsv", "--out", "d", "--seeds", "0")]
    [TestCase("--top must be between 1 and", "topics", "--model", "m.zip", "--top", "0")]
    [TestCase("--latent must be between 1 and", "demo", "--latent", "5000")]
    [TestCase("frobnicate", "frobnicate")]
    public async Task UsageErrorsAreOneLineWithExitCode2(string expected, params string[] args)
    {
        var (code, output, err) = await Run(args);
        Assert.That(code, Is.EqualTo(2));
        AssertOneLineError(err, expected);
        Assert.That(output, Is.Empty);
    }

    [Test]
    public async Task MissingFilesAreOneLineUserErrors()
    {
        var (code, _, err) = await Run("train", "--dataset", "/nonexistent/train.tsv", "--model", Path.Combine(Path.GetTempPath(), "m.zip"));
        Assert.That(code, Is.EqualTo(1));
        AssertOneLineError(err, "file not found: /nonexistent/train.tsv");
        (code, _, err) = await Run("evaluate", "--model", "/nonexistent/m.zip", "--dataset", "x.tsv");
        Assert.That(code, Is.EqualTo(1));
        AssertOneLineError(err, "--model: file not found");
        using var corpus = new TinyCorpus();
        (code, _, err) = await Run("train", "--dataset", corpus.Train, "--model", "/nonexistent-dir/m.zip");
        Assert.That(code, Is.EqualTo(1));
        AssertOneLineError(err, "folder does not exist");
        (code, _, err) = await Run("compare", "--dataset", corpus.Train, "--out", corpus.Train);
        Assert.That(code, Is.EqualTo(1));
        AssertOneLineError(err, "is a file, expected a folder");
        (code, _, err) = await Run("compare", "--dataset", corpus.Train, "--out", Path.Combine(corpus.Dir, "o"), "--labeled", "200,x");
        Assert.That(code, Is.EqualTo(2));
        AssertOneLineError(err, "--labeled: 'x' is not a positive integer");
        Assert.That(Directory.Exists(Path.Combine(corpus.Dir, "o")), Is.False);
    }

    [Test]
    public async Task HelpListsEveryCommand()
    {
        var (code, output, _) = await Run("--help");
        Assert.That(code, Is.EqualTo(0));
        foreach (var c in new[] { "demo", "train", "evaluate", "predict", "featurize", "topics", "compare" })
            Assert.That(output, Does.Contain(c));
        (code, output, _) = await Run("compare", "--help");
        foreach (var o in new[] { "--dataset", "--test", "--label-col", "--text-col", "--out", "--time-budget", "--labeled", "--seeds" })
            Assert.That(output, Does.Contain(o));
    }

    [Test]
    public async Task CompareWritesOutputsAndJson()
    {
        Backends.ExperimentOverride = () => new TinyBackend();
        using var corpus = new TinyCorpus();
        var dir = Path.Combine(corpus.Dir, "run");
        var (code, output, err) = await Run("compare", "--dataset", corpus.Train, "--test", corpus.Test, "--out", dir,
            "--labeled", "10,all", "--seeds", "2", "--latent", "4", "--epochs", "2", "--json");
        Assert.That(code, Is.EqualTo(0), err);
        using var doc = JsonDocument.Parse(output);
        var cands = doc.RootElement.GetProperty("candidates").EnumerateArray().ToList();
        // The default candidates (7, or 6 without LightGbm, plus 3 VAE variants) at two labels settings.
        Assert.That(cands.Count, Is.EqualTo(2 * ComparisonOptions.DefaultCandidates(new VaeSettings(4, 2), true).Count));
        Assert.That(cands.Select(c => c.GetProperty("labels").ValueKind == JsonValueKind.Null ? -1 : c.GetProperty("labels").GetInt32()).Distinct().OrderBy(x => x), Is.EqualTo(new[] { -1, 10 }));
        Assert.That(err, Does.Contain("epoch"), "progress goes to stderr under --json");
        Assert.That(File.Exists(Path.Combine(dir, "results.json")) && File.Exists(Path.Combine(dir, "report.html")) && File.Exists(Path.Combine(dir, "leaderboard.md")) && File.Exists(Path.Combine(dir, "best-model.zip")));
        Assert.That(Directory.GetFiles(dir).Length, Is.EqualTo(4), "no temporary files remain");

        (code, output, err) = await Run("compare", "--dataset", corpus.Train, "--test", corpus.Test, "--out", dir, "--latent", "4", "--epochs", "2", "--no-variants");
        Assert.That(code, Is.EqualTo(0), err);
        Assert.That(output, Does.Contain("Leaderboard").And.Contain("TF-IDF 1–2-grams + SDCA").And.Contain("LDA 20 topics + SDCA").And.Contain("(selected)"));
        Assert.That(output, Does.Not.Contain("\u001b["), "no ANSI escapes when not a terminal");
    }

    [Test]
    public async Task CancelledCompareLeavesNoFiles()
    {
        Backends.ExperimentOverride = () => new TinyBackend { VaeDelay = TimeSpan.FromMilliseconds(200) };
        using var corpus = new TinyCorpus();
        var dir = Path.Combine(corpus.Dir, "run");
        using var cts = new CancellationTokenSource(TimeSpan.FromMilliseconds(300));
        var (code, _, err) = await Run(cts.Token, "compare", "--dataset", corpus.Train, "--test", corpus.Test, "--out", dir, "--latent", "4", "--epochs", "50");
        Assert.That(code, Is.EqualTo(130));
        Assert.That(err.Trim().Split('\n').Last(), Does.Contain("cancelled"));
        Assert.That(Directory.Exists(dir), Is.False);
    }

    [Test]
    public async Task BadColumnIsAOneLineError()
    {
        Backends.ExperimentOverride = () => new TinyBackend();
        using var corpus = new TinyCorpus();
        var (code, _, err) = await Run("compare", "--dataset", corpus.Train, "--out", Path.Combine(corpus.Dir, "x"), "--label-col", "category");
        Assert.That(code, Is.EqualTo(1));
        AssertOneLineError(err, "category");
        Assert.That(Directory.Exists(Path.Combine(corpus.Dir, "x")), Is.False);
    }
}
