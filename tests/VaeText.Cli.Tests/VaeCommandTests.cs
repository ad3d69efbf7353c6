using System.Globalization;
using System.Text.Json;
using Microsoft.ML;
using NUnit.Framework;
using VaeText.Cli.Commands;
using VaeText.Cli.Tests.Support;
using VaeText.MLNet;

namespace VaeText.Cli.Tests;

/// <summary>
/// The VAE through the CLI: train (n-grams ⊕ latent, latent alone) → ML.NET zip → evaluate, predict (argument and
/// standard input), featurize, topics (with NPMI), all reading the VAE back out of the saved ML.NET model.
/// </summary>
[NonParallelizable]
public class VaeCommandTests
{
    private string _dir = "", _model = "", _train = "", _test = "";

    [OneTimeSetUp]
    public async Task Train()
    {
        _dir = TestFiles.TempDir();
        _train = TestFiles.SampleSubset("train.tsv", Path.Combine(_dir, "train.tsv"), 2);
        _test = TestFiles.SampleFile("test.tsv");
        _model = Path.Combine(_dir, "both.zip");
        var (code, output, err) = await CliRunner.Run("train", "--dataset", _train, "--model", _model,
            "--featurizer", "both", "--trainer", "sdca", "--latent", "8", "--epochs", "3", "--seed", "2", "--json");
        Assert.That(code, Is.EqualTo(0), err);
        using var doc = JsonDocument.Parse(output.Trim());
        Assert.That(doc.RootElement.GetProperty("classes").GetInt32(), Is.EqualTo(5));
        Assert.That(doc.RootElement.GetProperty("documents").GetInt32(), Is.EqualTo(250));
        Assert.That(err, Does.Contain("epoch   3/3"), "epoch progress goes to standard error under --json");
    }

    [OneTimeTearDown]
    public void Clean()
    {
        PredictCommand.StandardInput = () => Console.In;
        if (_dir != "") Directory.Delete(_dir, true);
    }

    [Test]
    public void TheZipIsAnMLNetModelWithTheVaeInside()
    {
        Assert.That(Directory.GetFiles(_dir).Select(Path.GetFileName), Is.EquivalentTo(new[] { "train.tsv", "both.zip" }), "no temporary files");
        var ml = new MLContext();
        var model = ml.Model.Load(_model, out var schema);
        var vae = VaeLatentTransformer.Find(model);
        Assert.That(vae, Is.Not.Null);
        Assert.That(vae!.LatentSize, Is.EqualTo(8));
        Assert.That(vae.InputColumnNames, Is.EqualTo(new[] { "text" }));
        Assert.That(model.GetOutputSchema(schema).GetColumnOrNull("LatentFeatures"), Is.Not.Null);
    }

    [Test]
    public async Task EvaluateAndPredict()
    {
        var (code, output, err) = await CliRunner.Run("evaluate", "--model", _model, "--dataset", _test, "--json");
        Assert.That(code, Is.EqualTo(0), err);
        using (var doc = JsonDocument.Parse(output.Trim()))
        {
            Assert.That(doc.RootElement.GetProperty("micro_accuracy").GetDouble(), Is.InRange(0.7, 1.0), "n-grams ⊕ latent separate the sample's topics");
            Assert.That(doc.RootElement.GetProperty("log_loss").GetDouble(), Is.GreaterThan(0));
        }
        (code, output, _) = await CliRunner.Run("evaluate", "--model", _model, "--dataset", _test);
        Assert.That(code, Is.EqualTo(0));
        Assert.That(output, Does.Contain("micro_accuracy").And.Not.Contain("\u001b["));

        var texts = File.ReadLines(_test).Skip(1).Take(3).Select(l => l.Split('\t')[1]).ToArray();
        PredictCommand.StandardInput = () => new StringReader(string.Join('\n', texts) + "\n");
        (code, output, err) = await CliRunner.Run("predict", "--model", _model);
        Assert.That(code, Is.EqualTo(0), err);
        var lines = output.Trim().Split('\n');
        Assert.That(lines, Has.Length.EqualTo(3));
        for (int i = 0; i < texts.Length; i++)
        {
            var (c1, one, e1) = await CliRunner.Run("predict", "--model", _model, "--text", texts[i]);
            Assert.That(c1, Is.EqualTo(0), e1);
            Assert.That(lines[i], Is.EqualTo(one.Trim()), "standard input gives the same line as --text");
        }
    }

    [Test]
    public async Task FeaturizeWritesTheLatentMeansOfTheSavedVae()
    {
        var feats = Path.Combine(_dir, "z.tsv");
        try
        {
            var (code, _, err) = await CliRunner.Run("featurize", "--model", _model, "--dataset", _test, "--out", feats);
            Assert.That(code, Is.EqualTo(0), err);
            var lines = File.ReadAllLines(feats);
            Assert.That(lines[0], Is.EqualTo("label\t" + string.Join('\t', Enumerable.Range(0, 8).Select(i => "z" + i))));
            Assert.That(lines, Has.Length.EqualTo(151));
            var vae = VaeLatentTransformer.Find(new MLContext().Model.Load(_model, out _))!;
            var first = File.ReadLines(_test).Skip(1).First().Split('\t');
            var expected = vae.EncodeMeans([first[1]]);
            var row = lines[1].Split('\t');
            Assert.That(row[0], Is.EqualTo(first[0]));
            Assert.That(row.Skip(1).Select(v => float.Parse(v, CultureInfo.InvariantCulture)), Is.EqualTo(expected));
        }
        finally { File.Delete(feats); }
    }

    [Test]
    public async Task TopicsWithNpmi()
    {
        var (code, output, err) = await CliRunner.Run("topics", "--model", _model, "--top", "5", "--reference", _train, "--json");
        Assert.That(code, Is.EqualTo(0), err);
        using var doc = JsonDocument.Parse(output.Trim());
        var topics = doc.RootElement.GetProperty("topics").EnumerateArray().ToList();
        Assert.That(topics, Has.Count.EqualTo(8));
        Assert.That(topics.All(t => t.GetProperty("words").GetArrayLength() == 5));
        Assert.That(doc.RootElement.GetProperty("mean_npmi").GetDouble(), Is.InRange(-1.0, 1.0));
        var vae = VaeLatentTransformer.Find(new MLContext().Model.Load(_model, out _))!;
        Assert.That(topics[0].GetProperty("words").EnumerateArray().Select(w => w.GetString()), Is.EqualTo(vae.TopWords(5)[0]));
        (code, _, err) = await CliRunner.Run("topics", "--model", _model, "--reference", _train, "--text-col", "body");
        Assert.That(code, Is.EqualTo(1));
        CliRunner.AssertOneLineError(err, "no column named 'body'");
    }

    [Test]
    public async Task LatentOnlyOnTwoClassesWithFastTreeAndSdca()
    {
        var two = TestFiles.SampleSubset("train.tsv", Path.Combine(_dir, "two.tsv"), 1, l => l.StartsWith("sports\t", StringComparison.Ordinal) || l.StartsWith("cooking\t", StringComparison.Ordinal));
        try
        {
            await ModelZipTests.CheckSameAsCli(two, Path.Combine(_dir, "vae-sdca.zip"), "--featurizer", "vae", "--trainer", "sdca", "--latent", "4", "--epochs", "3");
            var (code, output, err) = await CliRunner.Run("evaluate", "--model", Path.Combine(_dir, "vae-sdca.zip"), "--dataset", two, "--json");
            Assert.That(code, Is.EqualTo(0), err);
            using (var doc = JsonDocument.Parse(output.Trim()))
                Assert.That(doc.RootElement.GetProperty("accuracy").GetDouble(), Is.GreaterThan(0.8), "sports vs cooking separate on the latent alone");
            await ModelZipTests.CheckSameAsCli(two, Path.Combine(_dir, "vae-ft.zip"), "--featurizer", "vae", "--trainer", "fasttree", "--latent", "4", "--epochs", "3");
        }
        finally
        {
            foreach (var f in new[] { "two.tsv", "vae-sdca.zip", "vae-ft.zip" }) File.Delete(Path.Combine(_dir, f));
        }
    }
}
