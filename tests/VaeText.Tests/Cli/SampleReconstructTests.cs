using NUnit.Framework;
using VaeText.Tests.Pipeline;
using VaeText.Cli.Commands;
using VaeText.Transforms;

namespace VaeText.Tests.Cli;

[NonParallelizable]
public class SampleReconstructTests
{
    private string _dir = "";
    private string _lstm = "", _bow = "";
    private VaeLatentTransformer _vae = null!;

    [OneTimeSetUp]
    public void Fit()
    {
        _dir = Path.Combine(Path.GetTempPath(), "vaetext-sample-" + Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(_dir);
        var ctx = new VaeTextContext(4);
        var data = ctx.Data.LoadFromEnumerable(Workout.Reviews);
        _vae = ctx.Transforms.VaeLatent(new VaeLatentEstimator.Options
        {
            OutputColumnName = "Latent", InputColumnName = "Text", Encoder = VaeLatentEstimator.EncoderKind.Lstm,
            Decoder = VaeLatentEstimator.DecoderKind.LstmAutoregressive, LatentSize = 3, Epochs = 3, BatchSize = 4,
            MaxSequenceLength = 8, EmbeddingSize = 8, SequenceHiddenSize = 8, DecoderHiddenSize = 8,
        }).Fit(data);
        _lstm = Path.Combine(_dir, "lstm.zip");
        ctx.Model.Save(new TransformerChain<ITransformer>(_vae), data.Schema, _lstm);
        var bow = ctx.Transforms.VaeLatent(new VaeLatentEstimator.Options { OutputColumnName = "Latent", InputColumnName = "Text", LatentSize = 2, EncoderHiddenSizes = [4], Epochs = 1 }).Fit(data);
        _bow = Path.Combine(_dir, "bow.zip");
        ctx.Model.Save(bow, data.Schema, _bow);
    }

    [OneTimeTearDown]
    public void Clean()
    {
        ReconstructCommand.StandardInput = () => Console.In;
        Directory.Delete(_dir, true);
    }

    private static Task<(int Code, string Out, string Err)> Run(params string[] args) => Support.CliRunner.Run(args);

    private static string[] Lines(string s) => s.Replace("\r", "").TrimEnd('\n').Split('\n');

    [Test]
    public async Task SampleWritesSeededTextsFromTheModel()
    {
        var (code, output, err) = await Run("sample", "--model", _lstm, "--count", "3", "--temperature", "0.7", "--seed", "5");
        Assert.That(code, Is.EqualTo(0), err);
        Assert.That(Lines(output), Is.EqualTo(_vae.Sample(3, 0.7, 5).ToArray()));
        var words = new HashSet<string>(Enumerable.Range(0, _vae.VocabularySize).Select(i => _vae.Vocabulary[i]));
        Assert.That(Lines(output).All(l => l.Length > 0), "every text has a word");
        Assert.That(Lines(output).SelectMany(l => l.Split(' ', StringSplitOptions.RemoveEmptyEntries)).All(words.Contains));
        var (code2, json, _) = await Run("sample", "--model", _lstm, "--count", "2", "--temperature", "0", "--json");
        Assert.That(code2, Is.EqualTo(0));
        Assert.That(json.Trim(), Does.StartWith("{\"samples\":["));
    }

    [Test]
    public async Task ReconstructReadsTextOrStandardInput()
    {
        var (code, output, err) = await Run("reconstruct", "--model", _lstm, "--text", "a great movie");
        Assert.That(code, Is.EqualTo(0), err);
        Assert.That(Lines(output), Is.EqualTo(new[] { _vae.Reconstruct("a great movie") }));
        ReconstructCommand.StandardInput = () => new StringReader("bad plot\nloved the music\n");
        var (code2, output2, _) = await Run("reconstruct", "--model", _lstm, "--json");
        Assert.That(code2, Is.EqualTo(0));
        var lines = Lines(output2);
        Assert.That(lines, Has.Length.EqualTo(2));
        Assert.That(lines[1], Does.Contain("\"text\":\"loved the music\"").And.Contain("\"reconstruction\":"));
    }

    [Test]
    public async Task TrainWithTheLstmDecoderThenSample()
    {
        string tsv = Path.Combine(_dir, "train.tsv");
        File.WriteAllLines(tsv, new[] { "label\ttext" }.Concat(Enumerable.Range(0, 3).SelectMany(_ => Workout.Reviews.Select(r => r.Label + "\t" + r.Text))));
        string zip = Path.Combine(_dir, "trained.zip");
        var (code, _, err) = await Run("train", "--dataset", tsv, "--model", zip, "--encoder", "lstm", "--decoder", "lstm", "--epochs", "1", "--latent", "4");
        Assert.That(code, Is.EqualTo(0), err);
        var (code2, output, err2) = await Run("sample", "--model", zip, "--count", "2", "--seed", "3");
        Assert.That(code2, Is.EqualTo(0), err2);
        Assert.That(Lines(output), Has.Length.EqualTo(2));
        Assert.That(Lines(output).All(l => l.Length > 0));
        (code, _, err) = await Run("train", "--dataset", tsv, "--model", zip, "--decoder", "lstm");
        Assert.That(code, Is.EqualTo(2));
        Assert.That(err, Does.Contain("--decoder lstm needs a sequence encoder"));
    }

    [Test]
    public async Task ModelsWithoutAnLstmDecoderAndBadOptionsAreOneLineErrors()
    {
        var (code, output, err) = await Run("sample", "--model", _bow);
        Assert.That(code, Is.EqualTo(1));
        Assert.That(output, Is.Empty);
        Assert.That(Lines(err), Has.Length.EqualTo(1));
        Assert.That(err, Does.Contain("LSTM decoder").And.Contain("--decoder lstm"));
        (code, _, err) = await Run("reconstruct", "--model", _bow, "--text", "x");
        Assert.That(code, Is.EqualTo(1));
        Assert.That(err, Does.Contain("LSTM decoder"));
        (code, _, err) = await Run("sample", "--model", _lstm, "--temperature", "-1");
        Assert.That(code, Is.EqualTo(2));
        Assert.That(err, Does.Contain("--temperature must be between 0 and 100"));
        (code, _, err) = await Run("sample", "--model", _lstm, "--count", "0");
        Assert.That(code, Is.EqualTo(2));
        (code, _, err) = await Run("sample", "--model", Path.Combine(_dir, "missing.zip"));
        Assert.That(code, Is.EqualTo(1));
        Assert.That(err, Does.Contain("file not found"));
    }
}
