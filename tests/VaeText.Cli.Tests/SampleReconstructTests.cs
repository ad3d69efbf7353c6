using Microsoft.ML;
using NUnit.Framework;
using VaeText.Cli.Commands;
using VaeText.Cli.Tests.Support;
using VaeText.MLNet;

namespace VaeText.Cli.Tests;

/// <summary>`vaetext sample` and `reconstruct` on ML.NET model zips whose VAE has the LSTM decoder.</summary>
[NonParallelizable]
public class SampleReconstructTests
{
    private string _dir = "", _lstm = "", _bow = "";
    private VaeLatentTransformer _vae = null!;

    public sealed class Review
    {
        public string Label { get; set; } = "";
        public string Text { get; set; } = "";
    }

    internal static readonly Review[] Reviews =
    [
        new() { Label = "pos", Text = "A great movie, I loved it." },
        new() { Label = "neg", Text = "Terrible plot and bad acting." },
        new() { Label = "neu", Text = "It was fine, nothing special." },
        new() { Label = "pos", Text = "Wonderful acting and a great story!" },
        new() { Label = "neg", Text = "I hated it; the worst film." },
        new() { Label = "neu", Text = "An average film with some good parts." },
        new() { Label = "pos", Text = "Loved the music and the great cast." },
        new() { Label = "neg", Text = "Boring, slow and bad." },
    ];

    [OneTimeSetUp]
    public void Fit()
    {
        _dir = TestFiles.TempDir();
        var ml = new MLContext(4);
        var data = ml.Data.LoadFromEnumerable(Reviews);
        _vae = ml.Transforms.VaeLatent("Latent", new VaeLatentEstimator.Options
        {
            Encoder = VaeLatentEstimator.EncoderKind.Lstm, Decoder = VaeLatentEstimator.DecoderKind.LstmAutoregressive, LatentSize = 3, Epochs = 3,
            BatchSize = 4, MaxSequenceLength = 8, EmbeddingSize = 8, SequenceHiddenSize = 8, DecoderHiddenSize = 8, Seed = 4,
        }, "Text").Fit(data);
        _lstm = Path.Combine(_dir, "lstm.zip");
        ml.Model.Save(_vae, data.Schema, _lstm);
        using var bow = ml.Transforms.VaeLatent("Latent", new VaeLatentEstimator.Options { LatentSize = 2, EncoderHiddenSizes = [4], Epochs = 1 }, "Text").Fit(data);
        _bow = Path.Combine(_dir, "bow.zip");
        ml.Model.Save(bow, data.Schema, _bow);
    }

    [OneTimeTearDown]
    public void Clean()
    {
        ReconstructCommand.StandardInput = () => Console.In;
        _vae?.Dispose();
        if (_dir != "") Directory.Delete(_dir, true);
    }

    private static string[] Lines(string s) => s.Replace("\r", "").TrimEnd('\n').Split('\n');

    [Test]
    public async Task SampleWritesSeededTextsFromTheModel()
    {
        var (code, output, err) = await CliRunner.Run("sample", "--model", _lstm, "--count", "3", "--temperature", "0.7", "--seed", "5");
        Assert.That(code, Is.EqualTo(0), err);
        Assert.That(Lines(output), Is.EqualTo(_vae.Sample(3, 0.7, 5).ToArray()));
        Assert.That(Lines(output).All(l => l.Length > 0), "every text has a word");
        var (code2, json, _) = await CliRunner.Run("sample", "--model", _lstm, "--count", "2", "--temperature", "0", "--json");
        Assert.That(code2, Is.EqualTo(0));
        Assert.That(json.Trim(), Does.StartWith("{\"samples\":["));
    }

    [Test]
    public async Task ReconstructReadsTextOrStandardInput()
    {
        var (code, output, err) = await CliRunner.Run("reconstruct", "--model", _lstm, "--text", "a great movie");
        Assert.That(code, Is.EqualTo(0), err);
        Assert.That(Lines(output), Is.EqualTo(new[] { _vae.Reconstruct("a great movie") }));
        ReconstructCommand.StandardInput = () => new StringReader("bad plot\nloved the music\n");
        var (code2, output2, _) = await CliRunner.Run("reconstruct", "--model", _lstm, "--json");
        Assert.That(code2, Is.EqualTo(0));
        var lines = Lines(output2);
        Assert.That(lines, Has.Length.EqualTo(2));
        Assert.That(lines[1], Does.Contain("\"text\":\"loved the music\"").And.Contain("\"reconstruction\":"));
    }

    [Test]
    public async Task TrainWithTheLstmDecoderThenSample()
    {
        string tsv = Path.Combine(_dir, "train.tsv");
        File.WriteAllLines(tsv, new[] { "label\ttext" }.Concat(Enumerable.Range(0, 3).SelectMany(_ => Reviews.Select(r => r.Label + "\t" + r.Text))));
        string zip = Path.Combine(_dir, "trained.zip");
        var (code, _, err) = await CliRunner.Run("train", "--dataset", tsv, "--model", zip, "--encoder", "lstm", "--decoder", "lstm", "--epochs", "1", "--latent", "4");
        Assert.That(code, Is.EqualTo(0), err);
        var (code2, output, err2) = await CliRunner.Run("sample", "--model", zip, "--count", "2", "--seed", "3");
        Assert.That(code2, Is.EqualTo(0), err2);
        Assert.That(Lines(output), Has.Length.EqualTo(2));
        Assert.That(Lines(output).All(l => l.Length > 0));
    }

    [Test]
    public async Task ModelsWithoutAnLstmDecoderAreOneLineErrors()
    {
        var (code, output, err) = await CliRunner.Run("sample", "--model", _bow);
        Assert.That(code, Is.EqualTo(1));
        Assert.That(output, Is.Empty);
        CliRunner.AssertOneLineError(err, "LSTM decoder", "--decoder lstm");
        (code, _, err) = await CliRunner.Run("reconstruct", "--model", _bow, "--text", "x");
        Assert.That(code, Is.EqualTo(1));
        CliRunner.AssertOneLineError(err, "LSTM decoder");
    }
}
