using System.Text.Json;
using NUnit.Framework;
using VaeText.Cli.Commands;
using VaeText.Experiments;

namespace VaeText.Tests.Cli;

[NonParallelizable]
public class RoundTripTests
{
    private string _dir = "";
    private string _train = "", _test = "";

    [OneTimeSetUp]
    public void FindSample()
    {
        _train = Support.TestFiles.SampleFile("train.tsv");
        _test = Support.TestFiles.SampleFile("test.tsv");
        _dir = Path.Combine(Path.GetTempPath(), "vaetext-rt-" + Guid.NewGuid().ToString("N")[..8]);
        Directory.CreateDirectory(_dir);
    }

    [OneTimeTearDown]
    public void Clean()
    {
        if (_dir != "" && Directory.Exists(_dir)) Directory.Delete(_dir, true);
    }

    private static Task<(int Code, string Out, string Err)> Run(params string[] args) => Support.CliRunner.Run(args);

    [Test]
    public async Task TrainEvaluatePredictFeaturizeTopics()
    {
        var dir = Path.Combine(_dir, "rt");
        Directory.CreateDirectory(dir);
        var model = Path.Combine(dir, "m.zip");
        var (code, output, err) = await Run("train", "--dataset", _train, "--label-col", "label", "--text-col", "text", "--model", model,
            "--featurizer", "both", "--trainer", "sdca", "--latent", "8", "--epochs", "3", "--seed", "2", "--json");
        Assert.That(code, Is.EqualTo(0), err);
        Assert.That(File.Exists(model));
        Assert.That(Directory.GetFiles(dir).Length, Is.EqualTo(1), "no temporary files left");
        using (var doc = JsonDocument.Parse(output.Trim())) Assert.That(doc.RootElement.GetProperty("classes").GetInt32(), Is.GreaterThanOrEqualTo(4));

        (code, output, err) = await Run("evaluate", "--model", model, "--dataset", _test, "--json");
        Assert.That(code, Is.EqualTo(0), err);
        using (var doc = JsonDocument.Parse(output.Trim()))
        {
            var r = doc.RootElement;
            Assert.That(r.GetProperty("micro_accuracy").GetDouble(), Is.InRange(0.5, 1.0), "n-grams ⊕ latent separate the sample's topics");
            Assert.That(r.GetProperty("macro_accuracy").GetDouble(), Is.InRange(0.0, 1.0));
            Assert.That(r.GetProperty("log_loss").GetDouble(), Is.GreaterThan(0));
        }

        var firstTest = File.ReadLines(_test).Skip(1).First().Split('\t');
        (code, output, err) = await Run("predict", "--model", model, "--text", firstTest[1], "--json");
        Assert.That(code, Is.EqualTo(0), err);
        using (var doc = JsonDocument.Parse(output.Trim()))
        {
            var scores = doc.RootElement.GetProperty("scores").EnumerateObject().Select(p => p.Value.GetDouble()).ToList();
            Assert.That(scores.Sum(), Is.EqualTo(1.0).Within(1e-3));
            Assert.That(doc.RootElement.GetProperty("label").GetString(), Is.Not.Empty);
        }
        PredictCommand.StandardInput = () => new StringReader("first line\nsecond line\n");
        try
        {
            (code, output, err) = await Run("predict", "--model", model);
            Assert.That(code, Is.EqualTo(0), err);
            Assert.That(output.Trim().Split('\n').Length, Is.EqualTo(2));
        }
        finally { PredictCommand.StandardInput = () => Console.In; }

        var feats = Path.Combine(_dir, "z.tsv");
        (code, _, err) = await Run("featurize", "--model", model, "--dataset", _test, "--out", feats);
        Assert.That(code, Is.EqualTo(0), err);
        var lines = File.ReadAllLines(feats);
        Assert.That(lines[0].Split('\t').Length, Is.EqualTo(9));
        Assert.That(lines.Length, Is.EqualTo(File.ReadAllLines(_test).Count(l => l.Length > 0)));
        Assert.That(lines[1].Split('\t').Skip(1).Select(v => float.Parse(v, System.Globalization.CultureInfo.InvariantCulture)).All(float.IsFinite));

        (code, output, err) = await Run("topics", "--model", model, "--top", "5", "--reference", _train, "--json");
        Assert.That(code, Is.EqualTo(0), err);
        using (var doc = JsonDocument.Parse(output.Trim()))
        {
            var topics = doc.RootElement.GetProperty("topics").EnumerateArray().ToList();
            Assert.That(topics.Count, Is.EqualTo(8));
            Assert.That(topics.All(t => t.GetProperty("words").GetArrayLength() == 5));
            Assert.That(doc.RootElement.GetProperty("mean_npmi").GetDouble(), Is.InRange(-1.0, 1.0));
        }
    }

    [Test]
    public async Task CorruptModelIsAOneLineError()
    {
        var bad = Path.Combine(_dir, "bad.zip");
        File.WriteAllText(bad, "this is not a zip");
        var (code, _, err) = await Run("predict", "--model", bad, "--text", "hello");
        Assert.That(code, Is.EqualTo(1));
        Assert.That(err.Trim().Split('\n').Length, Is.EqualTo(1), err);
        Assert.That(err, Does.Contain("not a VaeText model"));
    }

    [Test]
    public async Task BadColumnNamesTheColumn()
    {
        var (code, _, err) = await Run("train", "--dataset", _train, "--label-col", "nope", "--model", Path.Combine(_dir, "x.zip"), "--featurizer", "ngrams");
        Assert.That(code, Is.EqualTo(1));
        Assert.That(err.Trim().Split('\n').Length, Is.EqualTo(1), err);
        Assert.That(err, Does.Contain("nope"));
        Assert.That(File.Exists(Path.Combine(_dir, "x.zip")), Is.False);
    }

    [Test]
    public async Task CompareOnSampleWritesValidResults()
    {
        var outDir = Path.Combine(_dir, "cmp");
        var (code, _, err) = await Run("compare", "--dataset", _train, "--test", _test, "--out", outDir, "--latent", "8", "--epochs", "3",
            "--labeled", "80", "--seeds", "2", "--no-variants", "--time-budget", "40");
        Assert.That(code, Is.EqualTo(0), err);
        using var doc = JsonDocument.Parse(File.ReadAllText(Path.Combine(outDir, "results.json")));
        var cands = doc.RootElement.GetProperty("candidates").EnumerateArray().ToList();
        Assert.That(cands.Count, Is.EqualTo(ComparisonOptions.DefaultCandidates(new VaeSettings(8, 3), false).Count));
        var evaluated = cands.Where(c => c.GetProperty("seeds").GetInt32() > 0).ToList();
        Assert.That(evaluated.Count, Is.GreaterThanOrEqualTo(3));
        foreach (var c in evaluated)
        {
            Assert.That(c.GetProperty("accuracy_mean").GetDouble(), Is.InRange(0.0, 1.0));
            Assert.That(c.GetProperty("accuracy_std").GetDouble(), Is.InRange(0.0, 1.0));
            Assert.That(c.GetProperty("macro_accuracy_mean").GetDouble(), Is.InRange(0.0, 1.0));
        }
        var best = cands.Single(c => c.GetProperty("selected").GetBoolean());
        Assert.That(best.GetProperty("rank").GetInt32(), Is.EqualTo(1));
        Assert.That(best.GetProperty("labels").GetInt32(), Is.EqualTo(80));
        Assert.That(best.GetProperty("accuracy_mean").GetDouble(), Is.GreaterThan(0.6));
        // The saved best model is an ML.NET model zip: ML.NET loads it and reproduces the seed-1 accuracy (seed 1's labelled subset).
        var ml = new Microsoft.ML.MLContext(3);
        var model = ml.Model.Load(Path.Combine(outDir, "best-model.zip"), out _);
        var data = Microsoft.ML.TextLoaderSaverCatalog.LoadFromTextFile(ml.Data, _test, [new("label", Microsoft.ML.Data.DataKind.String, 0), new("text", Microsoft.ML.Data.DataKind.String, 1)], '\t', hasHeader: true);
        var predicted = Microsoft.ML.Data.ColumnCursorExtensions.GetColumn<ReadOnlyMemory<char>>(model.Transform(data), "PredictedLabel").Select(m => m.ToString()).ToArray();
        var truth = Microsoft.ML.Data.ColumnCursorExtensions.GetColumn<ReadOnlyMemory<char>>(data, "label").Select(m => m.ToString()).ToArray();
        Assert.That(truth.Zip(predicted).Count(p => p.First == p.Second) / (double)truth.Length, Is.EqualTo(best.GetProperty("accuracies")[0].GetDouble()).Within(1e-6),
            "the saved best model (seed 1's labelled subset) reproduces its seed-1 accuracy");
    }
}
