using System.Globalization;
using System.Text.Json;
using Microsoft.ML;
using Microsoft.ML.Data;
using NUnit.Framework;
using VaeText.Cli.Tests.Support;
using VaeText.Experiments;
using VaeText.Pipelines;

namespace VaeText.Cli.Tests;

/// <summary>
/// `vaetext train --featurizer auto` chooses among n-grams, the VAE and both (and both's latent weight) by k-fold
/// cross-validation on the training rows: the choice is the highest CV accuracy it prints, the printed figures are a
/// real CV (recomputed here for n-grams), the model is a working ML.NET zip, and the same seed gives the same choice
/// and the same predictions whatever lies beside the training file.
/// </summary>
[NonParallelizable]
public class AutoFeaturizerTests
{
    private static readonly string[] Settings = ["--featurizer", "auto", "--latent", "8", "--epochs", "3", "--seed", "1"];
    private const int Documents = 125; // every 4th document of datasets/sample/train.tsv
    private string _dir = "";
    private string _train = "";
    private string _model = "";
    private JsonElement _json;

    [OneTimeSetUp]
    public async Task TrainOnce()
    {
        _dir = TestFiles.TempDir();
        Directory.CreateDirectory(Path.Combine(_dir, "a"));
        _train = TestFiles.SampleSubset("train.tsv", Path.Combine(_dir, "a", "train.tsv"), 4);
        File.Copy(TestFiles.SampleFile("test.tsv"), Path.Combine(_dir, "a", "test.tsv"));
        _model = Path.Combine(_dir, "a", "auto.zip");
        // Also checks that a plain MLContext's PredictionEngine gives what `vaetext predict` gives, and no temp file is left.
        var (_, json) = await ModelZipTests.TrainAndCheck(_train, _model, Settings);
        using var doc = JsonDocument.Parse(json);
        _json = doc.RootElement.Clone();
    }

    [OneTimeTearDown]
    public void Clean()
    {
        if (_dir.Length > 0) Directory.Delete(_dir, true);
    }

    private static (string Featurizer, double? Weight, double Cv)[] Trials(JsonElement json) =>
        json.GetProperty("cv_trials").EnumerateArray().Select(t => (
            t.GetProperty("featurizer").GetString()!,
            t.GetProperty("latent_weight").ValueKind == JsonValueKind.Null ? (double?)null : t.GetProperty("latent_weight").GetDouble(),
            t.GetProperty("cv_accuracy").GetDouble())).ToArray();

    [Test]
    public void ChoosesTheHighestCrossValidatedAccuracy()
    {
        var trials = Trials(_json);
        // SDCA: n-grams, the VAE, and both at the comparison's two latent weights.
        Assert.That(trials.Select(t => t.Featurizer), Is.EqualTo(new[] { "ngrams", "vae", "both", "both" }));
        Assert.That(trials.Skip(2).Select(t => t.Weight!.Value), Is.EqualTo(CandidatePipelines.LatentWeights(8)).Within(1e-12));
        Assert.That(_json.GetProperty("folds").GetString(), Is.EqualTo("5-fold"));
        foreach (var t in trials)
        {
            // Pooled over the folds: every row is held out once, so the accuracy is (correct rows) / 125.
            Assert.That(t.Cv, Is.InRange(0.2, 1.0), t.Featurizer);
            Assert.That(t.Cv * Documents, Is.EqualTo(Math.Round(t.Cv * Documents)).Within(1e-9), t.Featurizer);
        }
        double best = trials.Max(t => t.Cv);
        var chosen = trials.First(t => t.Cv == best); // ties: the earlier (smaller) pipeline
        Assert.That(_json.GetProperty("chosen").GetString(), Is.EqualTo(chosen.Featurizer));
        var weight = _json.GetProperty("latent_weight");
        Assert.That(weight.ValueKind == JsonValueKind.Null ? (double?)null : weight.GetDouble(), Is.EqualTo(chosen.Weight));
        var perFeaturizer = _json.GetProperty("cv_accuracy").EnumerateObject().ToDictionary(p => p.Name, p => p.Value.GetDouble());
        Assert.That(perFeaturizer.Keys, Is.EqualTo(new[] { "ngrams", "vae", "both" }));
        foreach (var (name, cv) in perFeaturizer) Assert.That(cv, Is.EqualTo(trials.Where(t => t.Featurizer == name).Max(t => t.Cv)), name);
        Assert.That(_json.GetProperty("pipeline").GetString(), Does.StartWith(chosen.Featurizer switch
        {
            "ngrams" => "TF-IDF 1–2-grams + SDCA", "vae" => "VAE 8d/3ep + SDCA", _ => "TF-IDF ⊕ VAE 8d/3ep + SDCA (latent weight",
        }));
    }

    private sealed class Row
    {
        [LoadColumn(0), ColumnName("label")] public string Label { get; set; } = "";
        [LoadColumn(1), ColumnName("text")] public string Text { get; set; } = "";
    }

    private sealed class FeatureRow
    {
        public string LabelText { get; set; } = "";
        public VBuffer<float> Features { get; set; }
    }

    [Test]
    public void PrintedNgramsFigureIsAFiveFoldCrossValidation()
    {
        // Recomputed with ML.NET directly: TF-IDF fitted on all training texts (labels unused), stratified folds of
        // seed 1, SDCA fitted on four folds and scored on the fifth, correct predictions pooled over the folds.
        var ml = new MLContext(1);
        var data = ml.Data.LoadFromTextFile<Row>(_train, hasHeader: true, separatorChar: '\t');
        var labels = data.GetColumn<string>("label").ToArray();
        var classes = labels.Distinct().OrderBy(c => c, StringComparer.Ordinal).ToArray();
        int[] y = labels.Select(l => Array.IndexOf(classes, l)).ToArray();
        var ngrams = CandidatePipelines.Ngrams(ml, "text").Fit(data).Transform(data);
        var (features, size) = FeatureTable.Read(ngrams, "NgramFeatures", CancellationToken.None); // a copy of each row's sparse vector
        int[] rows = Enumerable.Range(0, labels.Length).ToArray();
        Assert.That(rows, Has.Length.EqualTo(Documents));
        var folds = CrossValidationFolds.Create(rows, y, 1)!;
        Assert.That(folds.Run, Is.EqualTo(5));
        int correct = 0;
        for (int f = 0; f < 5; f++)
        {
            var (fit, eval) = folds.Split(rows, f);
            IDataView View(int[] subset)
            {
                var def = SchemaDefinition.Create(typeof(FeatureRow));
                def[nameof(FeatureRow.Features)].ColumnType = new VectorDataViewType(NumberDataViewType.Single, size);
                return ml.Data.LoadFromEnumerable(subset.Select(r => new FeatureRow { LabelText = labels[r], Features = features[r] }), def);
            }
            var fml = new MLContext(1);
            var mapping = fml.Transforms.Conversion.MapValueToKey("Label", "LabelText", keyData: MapKeys(fml, classes));
            var model = mapping.Append(CandidatePipelines.Trainer(fml, TrainerKind.Sdca, FeaturizerKind.Ngrams, classes.Length, fit.Length))
                .Append(fml.Transforms.Conversion.MapKeyToValue("PredictedLabel"))
                .Fit(View(ComparisonRunner.TrainingOrder(fit, 1))); // the rows in the comparison's seeded order
            var predicted = model.Transform(View(eval)).GetColumn<string>("PredictedLabel").ToArray();
            correct += eval.Where((r, i) => predicted[i] == labels[r]).Count();
        }
        Assert.That(_json.GetProperty("cv_accuracy").GetProperty("ngrams").GetDouble(), Is.EqualTo((double)correct / Documents).Within(1e-12));
    }

    private sealed class ClassName
    {
        public string Value { get; set; } = "";
    }

    private static IDataView MapKeys(MLContext ml, string[] classes) => ml.Data.LoadFromEnumerable(classes.Select(c => new ClassName { Value = c }));

    [Test]
    public async Task ModelEvaluatesOnTheTestSplit()
    {
        var (code, output, err) = await CliRunner.Run("evaluate", "--model", _model, "--dataset", Path.Combine(_dir, "a", "test.tsv"), "--json");
        Assert.That(code, Is.EqualTo(0), err);
        using var doc = JsonDocument.Parse(output.Trim());
        Assert.That(doc.RootElement.GetProperty("documents").GetInt32(), Is.EqualTo(150));
        Assert.That(doc.RootElement.GetProperty("micro_accuracy").GetDouble(), Is.GreaterThan(0.8), "the sample's topics are learnable from 125 documents");
    }

    [Test]
    public async Task SameSeedGivesTheSameChoiceAndPredictionsWhateverTheTestSplitSays()
    {
        // A second folder: the same training file beside a test split whose labels are all wrong; train reads no test split.
        var b = Path.Combine(_dir, "b");
        Directory.CreateDirectory(b);
        File.Copy(_train, Path.Combine(b, "train.tsv"));
        File.WriteAllLines(Path.Combine(b, "test.tsv"), File.ReadLines(TestFiles.SampleFile("test.tsv"))
            .Select((l, i) => i == 0 ? l : "wrong\t" + l.Split('\t')[1]));
        string model = Path.Combine(b, "auto.zip");
        var (code, output, err) = await CliRunner.Run(["train", "--dataset", Path.Combine(b, "train.tsv"), "--model", model, .. Settings]);
        Assert.That(code, Is.EqualTo(0), err);

        // The text output states the same choice and CV figures as the first run's JSON.
        var trials = Trials(_json);
        string chosen = _json.GetProperty("chosen").GetString()!;
        var weight = _json.GetProperty("latent_weight");
        string expected = string.Format(CultureInfo.InvariantCulture, "Chose {0}: CV accuracy {1:F2} % (5-fold on the training rows; {2}).",
            chosen + (weight.ValueKind == JsonValueKind.Null ? "" : string.Format(CultureInfo.InvariantCulture, ", latent weight {0:0.###}", weight.GetDouble())),
            100 * trials.Max(t => t.Cv),
            string.Join(", ", new[] { "ngrams", "vae", "both" }.Select(n => string.Format(CultureInfo.InvariantCulture, "{0} {1:F2} %", n, 100 * trials.Where(t => t.Featurizer == n).Max(t => t.Cv)))));
        Assert.That(output, Does.Contain(expected));
        Assert.That(output, Does.Contain("Saved " + model + " (" + _json.GetProperty("pipeline").GetString() + ", 5 classes"));

        // Identical predictions, score for score.
        var ml = new MLContext();
        var texts = File.ReadLines(TestFiles.SampleFile("test.tsv")).Skip(1).Select(l => new Row { Text = l.Split('\t')[1] }).ToList();
        float[][] Scores(string path)
        {
            var loaded = ml.Model.Load(path, out _);
            return loaded.Transform(ml.Data.LoadFromEnumerable(texts)).GetColumn<float[]>("Score").ToArray();
        }
        Assert.That(Scores(model), Is.EqualTo(Scores(_model)));
    }

    [Test]
    public async Task MistakesGetOneLine()
    {
        var (code, _, err) = await CliRunner.Run("train", "--dataset", _train, "--model", Path.Combine(_dir, "x.zip"), "--featurizer", "ngrams", "--folds", "3");
        Assert.That(code, Is.EqualTo(2));
        CliRunner.AssertOneLineError(err, "--folds applies to --featurizer auto");

        (code, _, err) = await CliRunner.Run("train", "--dataset", _train, "--model", Path.Combine(_dir, "x.zip"), "--featurizer", "auto", "--folds", "1");
        Assert.That(code, Is.EqualTo(2));
        Assert.That(err, Does.Contain("--folds must be between 2 and 50 (got 1)"));

        var tiny = Path.Combine(_dir, "tiny.tsv");
        File.WriteAllLines(tiny, ["label\ttext", "a\tgood film", "b\tbad film", "a\tgreat film"]);
        (code, _, err) = await CliRunner.Run("train", "--dataset", tiny, "--model", Path.Combine(_dir, "x.zip"), "--featurizer", "auto");
        Assert.That(code, Is.Not.EqualTo(0));
        CliRunner.AssertOneLineError(err, "--featurizer auto", "tiny.tsv has 3 document(s)", "at least 4");
        Assert.That(File.Exists(Path.Combine(_dir, "x.zip")), Is.False);
    }
}
