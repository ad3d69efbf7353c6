using System.Globalization;
using System.IO.Compression;
using System.Text.Json;
using NUnit.Framework;
using VaeText.Data;

namespace VaeText.Tests.Cli;

/// <summary>Models written by the CLI are pipeline zips: ctx.Model.Load + PredictionEngine give the CLI's predictions.</summary>
[NonParallelizable]
public class PipelineModelTests
{
    private string _dir = "", _train = "", _test = "";

    public sealed class Input
    {
        [ColumnName("text")] public string Text { get; set; } = "";
    }

    public sealed class Output
    {
        public string PredictedLabel { get; set; } = "";
        public float[] Score { get; set; } = [];
    }

    [OneTimeSetUp]
    public void FindSample()
    {
        _train = Support.TestFiles.SampleFile("train.tsv");
        _test = Support.TestFiles.SampleFile("test.tsv");
        _dir = Path.Combine(Path.GetTempPath(), "vaetext-pm-" + Guid.NewGuid().ToString("N")[..8]);
        Directory.CreateDirectory(_dir);
    }

    [OneTimeTearDown]
    public void Clean()
    {
        if (_dir != "" && Directory.Exists(_dir)) Directory.Delete(_dir, true);
    }

    private static Task<(int Code, string Out, string Err)> Run(params string[] args) => Support.CliRunner.Run(args);

    /// <summary>Trains with the CLI, loads with ctx.Model.Load and compares PredictionEngine output with `vaetext predict --json`.</summary>
    private async Task CheckSameAsCli(string train, string model, params string[] trainArgs)
    {
        var (code, _, err) = await Run(["train", "--dataset", train, "--model", model, .. trainArgs]);
        Assert.That(code, Is.EqualTo(0), err);

        var ctx = new VaeTextContext();
        var loaded = ctx.Model.Load(model, out var schema);
        Assert.That(schema.GetColumnOrNull("text"), Is.Not.Null);
        using var engine = ctx.Model.CreatePredictionEngine<Input, Output>(loaded, schema);
        var classes = engine.OutputSchema["Score"].GetSlotNamesOrNull()!.Value.DenseValues().Select(x => x.ToString()).ToArray();

        var texts = File.ReadLines(_test).Skip(1).Take(6).Select(l => l.Split('\t')[1]).ToList();
        texts.Add("");
        texts.Add("zzzz unseen words only");
        foreach (var t in texts)
        {
            (code, var output, err) = await Run("predict", "--model", model, "--text", t, "--json");
            Assert.That(code, Is.EqualTo(0), err);
            using var doc = JsonDocument.Parse(output.Trim());
            var p = engine.Predict(new Input { Text = t });
            Assert.That(p.PredictedLabel, Is.EqualTo(doc.RootElement.GetProperty("label").GetString()), t);
            Assert.That(p.Score.Sum(), Is.EqualTo(1f).Within(1e-4));
            for (int c = 0; c < classes.Length; c++)
                Assert.That(p.Score[c], Is.EqualTo(doc.RootElement.GetProperty("scores").GetProperty(classes[c]).GetDouble()).Within(1e-6), $"{t}: class {classes[c]}");
        }
    }

    [Test]
    public Task NgramsSdcaMulticlassLoadsWithContext() =>
        CheckSameAsCli(_train, Path.Combine(_dir, "ng.zip"), "--featurizer", "ngrams", "--trainer", "sdca");

    [Test]
    public Task BothFastTreeLoadsWithContext()
    {
        var part = Path.Combine(_dir, "part.tsv");
        File.WriteAllLines(part, File.ReadLines(_train).Where((_, i) => i % 5 == 0));
        return CheckSameAsCli(part, Path.Combine(_dir, "both.zip"), "--featurizer", "both", "--trainer", "fasttree", "--latent", "4", "--epochs", "2");
    }

    [Test]
    public async Task BinaryVaeSdcaLoadsWithContext()
    {
        var two = Path.Combine(_dir, "two.tsv");
        File.WriteAllLines(two, File.ReadLines(_train).Where((l, i) => i == 0 || l.StartsWith("sports\t", StringComparison.Ordinal) || l.StartsWith("cooking\t", StringComparison.Ordinal)));
        await CheckSameAsCli(two, Path.Combine(_dir, "bin.zip"), "--featurizer", "vae", "--trainer", "sdca", "--latent", "4", "--epochs", "2");
        var (code, output, err) = await Run("evaluate", "--model", Path.Combine(_dir, "bin.zip"), "--dataset", two, "--json");
        Assert.That(code, Is.EqualTo(0), err);
        using var doc = JsonDocument.Parse(output.Trim());
        Assert.That(doc.RootElement.GetProperty("accuracy").GetDouble(), Is.GreaterThan(0.8), "sports vs cooking separate on the latent alone");
    }

    [Test]
    public async Task LstmEncoderTrainsAPipelineModel()
    {
        var small = Path.Combine(_dir, "small.tsv");
        File.WriteAllLines(small, File.ReadLines(_train).Where((_, i) => i % 10 == 0));
        var model = Path.Combine(_dir, "lstm.zip");
        await CheckSameAsCli(small, model, "--featurizer", "vae", "--trainer", "sdca", "--latent", "4", "--epochs", "1", "--encoder", "lstm");
        var loaded = new VaeTextContext().Model.Load(model, out _);
        var vae = ((IEnumerable<VaeText.Transforms.ITransformer>)loaded).OfType<VaeText.Transforms.VaeLatentTransformer>().Single();
        Assert.That(vae.Encoder, Is.EqualTo(VaeText.Transforms.VaeLatentEstimator.EncoderKind.Lstm));
    }

    [Test]
    public async Task UnknownEncoderIsAUsageError()
    {
        var (code, _, err) = await Run("train", "--dataset", _train, "--model", Path.Combine(_dir, "e.zip"), "--encoder", "gru");
        Assert.That(code, Is.EqualTo(2));
        Assert.That(err, Does.Contain("--encoder must be one of bow, lstm, transformer (got 'gru')"));
        Assert.That(File.Exists(Path.Combine(_dir, "e.zip")), Is.False);
    }

    [Test]
    public async Task OldFormatModelGetsAClearError()
    {
        var old = Path.Combine(_dir, "old.zip");
        using (var zip = ZipFile.Open(old, ZipArchiveMode.Create))
        using (var w = new StreamWriter(zip.CreateEntry("manifest.json").Open()))
            w.Write("{\"format\": \"vaetext-pipeline\", \"version\": 1}");
        var (code, _, err) = await Run("evaluate", "--model", old, "--dataset", _test);
        Assert.That(code, Is.EqualTo(1));
        Assert.That(err.Trim().Split('\n').Length, Is.EqualTo(1), err);
        Assert.That(err, Does.Contain("old vaetext model format").And.Contain("retrain"));
    }
}
