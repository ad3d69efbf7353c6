using System.Text.Json;
using Microsoft.ML;
using Microsoft.ML.Data;
using NUnit.Framework;
using VaeText.Cli.Tests.Support;

namespace VaeText.Cli.Tests;

/// <summary>
/// `vaetext train` writes plain ML.NET model zips: a plain MLContext loads them (mlContext.Model.Load) and a
/// PredictionEngine gives the same labels and scores as `vaetext predict --json`; `vaetext evaluate` reports what
/// ML.NET's evaluator computes on the loaded model.
/// </summary>
[NonParallelizable]
public class ModelZipTests
{
    private string _dir = "";

    public sealed class Input
    {
        [LoadColumn(0), ColumnName("label")] public string Label { get; set; } = "";
        [LoadColumn(1), ColumnName("text")] public string Text { get; set; } = "";
    }

    public sealed class TextOnly
    {
        [ColumnName("text")] public string Text { get; set; } = "";
    }

    public sealed class MulticlassOutput
    {
        public string PredictedLabel { get; set; } = "";
        public float[] Score { get; set; } = [];
    }

    public sealed class BinaryOutput
    {
        public string PredictedLabel { get; set; } = "";
        public float Probability { get; set; }
    }

    [OneTimeSetUp]
    public void MakeDir() => _dir = TestFiles.TempDir();

    [OneTimeTearDown]
    public void Clean() => Directory.Delete(_dir, true);

    private static List<string> Probes() =>
    [
        .. File.ReadLines(TestFiles.SampleFile("test.tsv")).Skip(1).Take(6).Select(l => l.Split('\t')[1]),
        "",
        "zzzz unseen words only",
        "the team won the match, and the chef baked bread",
    ];

    /// <summary>Trains with the CLI, loads with a plain MLContext and compares a PredictionEngine's output with `vaetext predict --json`.</summary>
    internal static async Task<ITransformer> CheckSameAsCli(string train, string model, params string[] trainArgs) =>
        (await TrainAndCheck(train, model, trainArgs)).Model;

    /// <summary><see cref="CheckSameAsCli"/>, also returning the train command's JSON line.</summary>
    internal static async Task<(ITransformer Model, string TrainJson)> TrainAndCheck(string train, string model, params string[] trainArgs)
    {
        var (code, output, err) = await CliRunner.Run(["train", "--dataset", train, "--model", model, "--json", .. trainArgs]);
        string trainJson = output.Trim();
        Assert.That(code, Is.EqualTo(0), err);
        Assert.That(Directory.GetFiles(Path.GetDirectoryName(model)!).Where(f => Path.GetFileName(f).StartsWith('.')), Is.Empty, "no temporary file left");
        using (var doc = JsonDocument.Parse(output.Trim())) Assert.That(doc.RootElement.GetProperty("model").GetString(), Is.EqualTo(model));

        var ml = new MLContext();
        var loaded = ml.Model.Load(model, out var schema);
        Assert.That(schema.Select(c => c.Name), Is.EqualTo(new[] { "label", "text" }), "the input schema is the training file's columns");
        bool binary = loaded.GetOutputSchema(schema)["Score"].Type is NumberDataViewType;
        var engine = binary ? null : ml.Model.CreatePredictionEngine<Input, MulticlassOutput>(loaded, schema);
        var binaryEngine = binary ? ml.Model.CreatePredictionEngine<Input, BinaryOutput>(loaded, schema) : null;
        // Without the label column too: the saved model needs the text only.
        var textOnly = binary ? null : ml.Model.CreatePredictionEngine<TextOnly, MulticlassOutput>(loaded, ignoreMissingColumns: true);

        foreach (var t in Probes())
        {
            (code, output, err) = await CliRunner.Run("predict", "--model", model, "--text", t, "--json");
            Assert.That(code, Is.EqualTo(0), err);
            using var doc = JsonDocument.Parse(output.Trim());
            var scores = doc.RootElement.GetProperty("scores").EnumerateObject().ToDictionary(p => p.Name, p => p.Value.GetSingle());
            string label = doc.RootElement.GetProperty("label").GetString()!;
            Assert.That(scores.Values.Sum(), Is.EqualTo(1f).Within(1e-4), t);
            if (binary)
            {
                var p = binaryEngine!.Predict(new Input { Text = t });
                Assert.That(p.PredictedLabel, Is.EqualTo(label), t);
                Assert.That(scores.Values.Last(), Is.EqualTo(p.Probability), $"{t}: P(second class)");
            }
            else
            {
                var p = engine!.Predict(new Input { Text = t });
                Assert.That(p.PredictedLabel, Is.EqualTo(label), t);
                Assert.That(scores.Values.ToArray(), Is.EqualTo(p.Score), t + ": every class score, exactly");
                Assert.That(textOnly!.Predict(new TextOnly { Text = t }).Score, Is.EqualTo(p.Score));
                Assert.That(label, Is.EqualTo(scores.MaxBy(kv => kv.Value).Key));
            }
        }
        return (loaded, trainJson);
    }

    [Test]
    public async Task NgramsSdcaMulticlass()
    {
        var data = TestFiles.SampleSubset("train.tsv", Path.Combine(_dir, "part.tsv"), 2);
        var model = Path.Combine(_dir, "ng.zip");
        await CheckSameAsCli(data, model, "--featurizer", "ngrams", "--trainer", "sdca");

        // evaluate = ML.NET's multiclass evaluator on the loaded model.
        var test = TestFiles.SampleFile("test.tsv");
        var (code, output, err) = await CliRunner.Run("evaluate", "--model", model, "--dataset", test, "--json");
        Assert.That(code, Is.EqualTo(0), err);
        using var doc = JsonDocument.Parse(output.Trim());
        var ml = new MLContext();
        var loaded = ml.Model.Load(model, out _);
        var view = ml.Data.LoadFromTextFile<Input>(test, hasHeader: true, separatorChar: '\t');
        var classes = loaded.GetOutputSchema(view.Schema)["Score"];
        VBuffer<ReadOnlyMemory<char>> names = default;
        classes.GetSlotNames(ref names);
        var keys = ml.Data.LoadFromEnumerable(names.DenseValues().Select(n => new TextOnly { Text = n.ToString() }));
        var scored = loaded.Transform(ml.Transforms.Conversion.MapValueToKey("Label", "label", keyData: keys).Fit(view).Transform(view));
        var m = ml.MulticlassClassification.Evaluate(scored);
        Assert.That(doc.RootElement.GetProperty("micro_accuracy").GetDouble(), Is.EqualTo(m.MicroAccuracy));
        Assert.That(doc.RootElement.GetProperty("macro_accuracy").GetDouble(), Is.EqualTo(m.MacroAccuracy));
        Assert.That(doc.RootElement.GetProperty("log_loss").GetDouble(), Is.EqualTo(m.LogLoss).Within(1e-12));
        Assert.That(doc.RootElement.GetProperty("documents").GetInt32(), Is.EqualTo(150));
        Assert.That(m.MicroAccuracy, Is.GreaterThan(0.8), "n-grams separate the sample's topics");
    }

    [Test]
    public async Task NgramsFastTreeBinaryOnTwoClasses()
    {
        var two = TestFiles.SampleSubset("train.tsv", Path.Combine(_dir, "two.tsv"), 2, l => l.StartsWith("sports\t", StringComparison.Ordinal) || l.StartsWith("cooking\t", StringComparison.Ordinal));
        var model = Path.Combine(_dir, "bin.zip");
        var loaded = await CheckSameAsCli(two, model, "--featurizer", "ngrams", "--trainer", "fasttree");
        var chain = Pipelines.TextClassifierPipeline.Steps(loaded).ToList();
        Assert.That(chain.Any(t => t.GetType().Name.StartsWith("BinaryPredictionTransformer", StringComparison.Ordinal)), "FastTree binary for two classes");
        var (code, output, err) = await CliRunner.Run("evaluate", "--model", model, "--dataset", two, "--json");
        Assert.That(code, Is.EqualTo(0), err);
        using var doc = JsonDocument.Parse(output.Trim());
        Assert.That(doc.RootElement.GetProperty("accuracy").GetDouble(), Is.GreaterThan(0.9));
        Assert.That(doc.RootElement.GetProperty("auc").GetDouble(), Is.GreaterThan(0.9));
        foreach (var k in new[] { "precision", "recall", "f1", "log_loss", "macro_accuracy", "micro_accuracy" })
            Assert.That(doc.RootElement.TryGetProperty(k, out _), k);
    }

    [Test]
    public async Task NgramsFastTreeOneVersusAllOnThreeClasses()
    {
        var three = TestFiles.SampleSubset("train.tsv", Path.Combine(_dir, "three.tsv"), 3, l => !l.StartsWith("finance\t", StringComparison.Ordinal) && !l.StartsWith("travel\t", StringComparison.Ordinal));
        var loaded = await CheckSameAsCli(three, Path.Combine(_dir, "ova.zip"), "--featurizer", "ngrams", "--trainer", "fasttree");
        var predictor = Pipelines.TextClassifierPipeline.Steps(loaded).Single(t => t.GetType().Name.StartsWith("MulticlassPredictionTransformer", StringComparison.Ordinal));
        Assert.That(predictor.GetType().GetGenericArguments()[0].Name, Does.Contain("OneVersusAll"));
    }
}
