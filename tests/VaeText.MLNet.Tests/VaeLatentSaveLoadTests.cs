using System.IO.Compression;
using Microsoft.ML;
using Microsoft.ML.Data;
using NUnit.Framework;
using VaeText.MLNet.Tests.Support;

namespace VaeText.MLNet.Tests;

/// <summary>Save / Load of pipelines holding a VaeLatent step through ML.NET's own model zip.</summary>
public class VaeLatentSaveLoadTests
{
    private string _dir = "";

    [SetUp]
    public void SetUp() => _dir = Datasets.TempDir();

    [TearDown]
    public void TearDown() => Directory.Delete(_dir, recursive: true);

    internal sealed class Sms
    {
        public bool Label { get; set; }
        public string Text { get; set; } = "";
    }

    private static float[][] Scores(ITransformer model, IDataView data) => model.Transform(data).GetColumn<float[]>("Score").ToArray();

    /// <summary>Save to a file, load in a new MLContext; returns the loaded model (caller disposes).</summary>
    private ITransformer SaveAndLoad(MLContext ml, ITransformer model, IDataView train, string name)
    {
        var path = Path.Combine(_dir, name);
        ml.Model.Save(model, train.Schema, path);
        using (var zip = ZipFile.OpenRead(path))
            Assert.That(zip.Entries.Any(e => e.FullName.EndsWith("/OnnxModel", StringComparison.Ordinal)), "the ONNX encoder is an entry of ML.NET's zip");
        return new MLContext().Model.Load(path, out _);
    }

    [Test]
    public void IssueExampleOnTheSampleSavesLoadsAndPredictsIdentically()
    {
        var mlContext = new MLContext(seed: 1);
        IDataView train = mlContext.Data.LoadFromTextFile<Review>(Datasets.Sample("train.tsv"), hasHeader: true, separatorChar: '\t');
        IDataView test = mlContext.Data.LoadFromTextFile<Review>(Datasets.Sample("test.tsv"), hasHeader: true, separatorChar: '\t');
        var pipeline = mlContext.Transforms.Conversion.MapValueToKey("Label")
            .Append(mlContext.Transforms.VaeLatent(outputColumnName: "Latent", inputColumnName: "Text"))
            .Append(mlContext.Transforms.Text.FeaturizeText("NGrams", "Text"))
            .Append(mlContext.Transforms.Concatenate("Features", "Latent", "NGrams"))
            .AppendCacheCheckpoint(mlContext)
            .Append(mlContext.MulticlassClassification.Trainers.SdcaMaximumEntropy())
            .Append(mlContext.Transforms.Conversion.MapKeyToValue("PredictedLabel"));
        ITransformer model = pipeline.Fit(train);
        var metrics = mlContext.MulticlassClassification.Evaluate(model.Transform(test));
        Assert.That(metrics.MacroAccuracy, Is.GreaterThan(0.8));
        var before = Scores(model, test);
        var labelsBefore = model.Transform(test).GetColumn<string>("PredictedLabel").ToArray();
        using var loaded = (IDisposable)SaveAndLoad(mlContext, model, train, "model.zip");
        var l = (ITransformer)loaded;
        Assert.That(Scores(l, test), Is.EqualTo(before), "bit-identical scores after Load");
        Assert.That(l.Transform(test).GetColumn<string>("PredictedLabel").ToArray(), Is.EqualTo(labelsBefore));
        Assert.That(mlContext.MulticlassClassification.Evaluate(l.Transform(test)).MacroAccuracy, Is.EqualTo(metrics.MacroAccuracy));

        // The VAE is reachable from the loaded chain.
        var fitted = VaeLatentTransformer.Find(model)!;
        var found = VaeLatentTransformer.Find(l);
        Assert.That(found, Is.Not.Null);
        Assert.That(found!.LatentSize, Is.EqualTo(fitted.LatentSize));
        Assert.That(found.VocabularySize, Is.EqualTo(fitted.VocabularySize));
        Assert.That(found.InputColumnNames, Is.EqualTo(new[] { "Text" }));
        Assert.That(found.OutputColumnName, Is.EqualTo("Latent"));
        Assert.That(found.TopWords(5), Is.EqualTo(fitted.TopWords(5)));
        var texts = test.GetColumn<string>("Text").Take(20).ToArray();
        Assert.That(found.EncodeMeans(texts, 1), Is.EqualTo(fitted.EncodeMeans(texts, 1)));
        Assert.That(found.Transform(test).GetColumn<float[]>("Latent").ToArray(), Is.EqualTo(fitted.Transform(test).GetColumn<float[]>("Latent").ToArray()));
        ((IDisposable)model).Dispose();
    }

    [Test]
    public void FastTreeOneVersusAllOnTheSampleWithTwoInputColumns()
    {
        var ml = new MLContext(seed: 1);
        var train = ml.Data.LoadFromTextFile<Review>(Datasets.Sample("train.tsv"), hasHeader: true, separatorChar: '\t');
        var test = ml.Data.LoadFromTextFile<Review>(Datasets.Sample("test.tsv"), hasHeader: true, separatorChar: '\t');
        var o = VaeLatentInMemoryTests.Small(8);
        o.Epochs = 10;
        var pipeline = ml.Transforms.Conversion.MapValueToKey("Label")
            .Append(ml.Transforms.CopyColumns("Text2", "Text"))
            .Append(ml.Transforms.VaeLatent("Features", o, "Text", "Text2"))
            .AppendCacheCheckpoint(ml)
            .Append(ml.MulticlassClassification.Trainers.OneVersusAll(ml.BinaryClassification.Trainers.FastTree(numberOfLeaves: 4, numberOfTrees: 20, minimumExampleCountPerLeaf: 5)))
            .Append(ml.Transforms.Conversion.MapKeyToValue("PredictedLabel"));
        var model = pipeline.Fit(train);
        var metrics = ml.MulticlassClassification.Evaluate(model.Transform(test));
        Assert.That(metrics.MacroAccuracy, Is.GreaterThan(0.5), "8 latent dimensions alone separate the sample's topics");
        var step = VaeLatentTransformer.Find(model)!;
        Assert.That(step.InputColumnNames, Is.EqualTo(new[] { "Text", "Text2" }));
        var texts = test.GetColumn<string>("Text").ToArray();
        var latent = model.Transform(test).GetColumn<float[]>("Features").ToArray();
        var engine = step.EncodeMeans(texts.Select(t => t + " " + t).ToArray(), 1);
        for (int i = 0; i < texts.Length; i++) Assert.That(latent[i], Is.EqualTo(engine.AsSpan(i * 8, 8).ToArray()).Within(1e-5), "the two columns are one document joined with a space");
        var before = Scores(model, test);
        using var loaded = (IDisposable)SaveAndLoad(ml, model, train, "fasttree.zip");
        Assert.That(Scores((ITransformer)loaded, test), Is.EqualTo(before));
        Assert.That(VaeLatentTransformer.Find((ITransformer)loaded)!.InputColumnNames, Is.EqualTo(new[] { "Text", "Text2" }));
        ((IDisposable)model).Dispose();
    }

    private static (IDataView Train, IDataView Test)? SmsSpam(MLContext ml, int trainRows, int testRows)
    {
        var trainPath = Datasets.Shared("sms_spam", "train.tsv");
        var testPath = Datasets.Shared("sms_spam", "test.tsv");
        if (trainPath is null || testPath is null) return null;
        static IEnumerable<Sms> Read(string path, int n) => File.ReadLines(path).Skip(1).Take(n).Select(line => line.Split('\t', 2))
            .Where(p => p.Length == 2).Select(p => new Sms { Label = p[0] == "spam", Text = p[1] });
        return (ml.Data.LoadFromEnumerable(Read(trainPath, trainRows).ToList()), ml.Data.LoadFromEnumerable(Read(testPath, testRows).ToList()));
    }

    [Test]
    public void SmsSpamExampleAndFastTreeBinarySaveLoadIdentically()
    {
        var ml = new MLContext(seed: 1);
        var data = SmsSpam(ml, 1000, 300);
        if (data is null) Assert.Ignore("shared/datasets/sms_spam not found beside the repository");
        var (train, test) = data!.Value;
        var o = VaeLatentInMemoryTests.Small(8);
        o.Epochs = 5;
        o.MaxVocabularySize = 3000;

        // The issue's example (multiclass over ham / spam).
        var text = ml.Data.LoadFromTextFile<Review>(Datasets.Shared("sms_spam", "train.tsv")!, hasHeader: true, separatorChar: '\t');
        var textTest = ml.Data.LoadFromTextFile<Review>(Datasets.Shared("sms_spam", "test.tsv")!, hasHeader: true, separatorChar: '\t');
        text = ml.Data.TakeRows(text, 1000);
        textTest = ml.Data.TakeRows(textTest, 300);
        var example = ml.Transforms.Conversion.MapValueToKey("Label")
            .Append(ml.Transforms.VaeLatent("Latent", o, "Text"))
            .Append(ml.Transforms.Text.FeaturizeText("NGrams", "Text"))
            .Append(ml.Transforms.Concatenate("Features", "Latent", "NGrams"))
            .AppendCacheCheckpoint(ml)
            .Append(ml.MulticlassClassification.Trainers.SdcaMaximumEntropy())
            .Append(ml.Transforms.Conversion.MapKeyToValue("PredictedLabel"));
        var exampleModel = example.Fit(text);
        Assert.That(ml.MulticlassClassification.Evaluate(exampleModel.Transform(textTest)).MicroAccuracy, Is.GreaterThan(0.9));
        var exampleBefore = Scores(exampleModel, textTest);
        using (var loaded = (IDisposable)SaveAndLoad(ml, exampleModel, text, "sms-example.zip"))
            Assert.That(Scores((ITransformer)loaded, textTest), Is.EqualTo(exampleBefore));
        ((IDisposable)exampleModel).Dispose();

        // FastTree, binary.
        var pipeline = ml.Transforms.VaeLatent("Latent", o, "Text")
            .Append(ml.Transforms.Text.FeaturizeText("NGrams", "Text"))
            .Append(ml.Transforms.Concatenate("Features", "Latent", "NGrams"))
            .AppendCacheCheckpoint(ml)
            .Append(ml.BinaryClassification.Trainers.FastTree(numberOfLeaves: 8, numberOfTrees: 30));
        var model = pipeline.Fit(train);
        var metrics = ml.BinaryClassification.Evaluate(model.Transform(test));
        Assert.That(metrics.Accuracy, Is.GreaterThan(0.9));
        var before = model.Transform(test).GetColumn<float>("Probability").ToArray();
        using (var loaded = (IDisposable)SaveAndLoad(ml, model, train, "sms-fasttree.zip"))
        {
            Assert.That(((ITransformer)loaded).Transform(test).GetColumn<float>("Probability").ToArray(), Is.EqualTo(before));
            Assert.That(ml.BinaryClassification.Evaluate(((ITransformer)loaded).Transform(test)).Accuracy, Is.EqualTo(metrics.Accuracy));
        }
        ((IDisposable)model).Dispose();
    }

    [TestCase(VaeLatentEstimator.EncoderKind.Lstm, VaeLatentEstimator.DecoderKind.LstmAutoregressive)]
    [TestCase(VaeLatentEstimator.EncoderKind.Transformer, VaeLatentEstimator.DecoderKind.BagOfWords)]
    public void SequenceEncodersMatchTheEngineAndSurviveSaveLoad(VaeLatentEstimator.EncoderKind encoder, VaeLatentEstimator.DecoderKind decoder)
    {
        var ml = new MLContext(seed: 1);
        var train = ml.Data.TakeRows(ml.Data.LoadFromTextFile<Review>(Datasets.Sample("train.tsv"), hasHeader: true, separatorChar: '\t'), 120);
        var test = ml.Data.TakeRows(ml.Data.LoadFromTextFile<Review>(Datasets.Sample("test.tsv"), hasHeader: true, separatorChar: '\t'), 30);
        var o = new VaeLatentEstimator.Options
        {
            Encoder = encoder, Decoder = decoder, LatentSize = 4, EmbeddingSize = 8, SequenceHiddenSize = 8, TransformerLayers = 1,
            AttentionHeads = 2, FeedForwardSize = 8, DecoderHiddenSize = 8, MaxSequenceLength = 24, Epochs = 2, BatchSize = 32,
            MaxVocabularySize = 300, MaxThreads = 2, LogVarianceColumnName = "LogVar", ReconstructionErrorColumnName = "Score",
        };
        using var step = ml.Transforms.VaeLatent("Latent", o, "Text").Fit(train);
        Assert.That(step.Encoder, Is.EqualTo(encoder));
        Assert.That(step.Decoder, Is.EqualTo(decoder));
        var texts = test.GetColumn<string>("Text").ToArray();
        var outData = step.Transform(test);
        var latent = outData.GetColumn<float[]>("Latent").ToArray();
        var detailed = step.Vae.EncodeDetailed(texts, 1);
        var score = outData.GetColumn<float>("Score").ToArray();
        for (int i = 0; i < texts.Length; i++)
        {
            Assert.That(latent[i], Is.EqualTo(detailed.Means.AsSpan(i * 4, 4).ToArray()).Within(1e-5), $"row {i}");
            Assert.That(score[i], Is.EqualTo((float)detailed.NegativeElbo(i)).Within(1e-3 * Math.Max(1, Math.Abs(score[i]))), $"row {i}");
        }
        var path = Path.Combine(_dir, "seq.zip");
        ml.Model.Save(step, train.Schema, path);
        var loadedModel = new MLContext().Model.Load(path, out _);
        try
        {
            Assert.That(loadedModel.Transform(test).GetColumn<float[]>("Latent").ToArray(), Is.EqualTo(latent));
            Assert.That(loadedModel.Transform(test).GetColumn<float>("Score").ToArray(), Is.EqualTo(score));
            var found = VaeLatentTransformer.Find(loadedModel)!;
            Assert.That(found.Encoder, Is.EqualTo(encoder));
            Assert.That(found.CanGenerate, Is.EqualTo(step.CanGenerate));
            Assert.That(found.LogVarianceColumnName, Is.EqualTo("LogVar"));
            if (step.CanGenerate)
            {
                Assert.That(found.Sample(3, 1.0, 5), Is.EqualTo(step.Sample(3, 1.0, 5)));
                Assert.That(found.Reconstruct(texts[0]), Is.EqualTo(step.Reconstruct(texts[0])));
                Assert.That(found.Interpolate(texts[0], texts[1], 2), Is.EqualTo(step.Interpolate(texts[0], texts[1], 2)));
            }
        }
        finally { (loadedModel as IDisposable)?.Dispose(); }
        using var fromFile = VaeLatentTransformer.Load(path);
        Assert.That(fromFile.TopWords(3), Is.EqualTo(step.TopWords(3)));
        Assert.That(fromFile.Transform(test).GetColumn<float[]>("Latent").ToArray(), Is.EqualTo(latent));
    }

    [Test]
    public void LoadFromFileRejectsMissingForeignAndCorruptFiles()
    {
        var ml = new MLContext(seed: 1);
        Assert.Throws<FileNotFoundException>(() => VaeLatentTransformer.Load(Path.Combine(_dir, "none.zip")));
        var text = Path.Combine(_dir, "text.zip");
        File.WriteAllText(text, "not a zip at all");
        Assert.That(Assert.Throws<InvalidDataException>(() => VaeLatentTransformer.Load(text))!.Message, Does.Contain("not a readable ML.NET model zip"));
        var otherZip = Path.Combine(_dir, "other.zip");
        using (var z = ZipFile.Open(otherZip, ZipArchiveMode.Create)) using (var w = new StreamWriter(z.CreateEntry("hello.txt").Open())) w.Write("hi");
        Assert.That(Assert.Throws<InvalidDataException>(() => VaeLatentTransformer.Load(otherZip))!.Message, Does.Contain("not an ML.NET model"));
        // An ML.NET model without a VaeLatent step.
        var data = ml.Data.LoadFromTextFile<Review>(Datasets.Sample("train.tsv"), hasHeader: true, separatorChar: '\t');
        var plain = ml.Transforms.Text.FeaturizeText("F", "Text").Fit(data);
        var plainPath = Path.Combine(_dir, "plain.zip");
        ml.Model.Save(plain, data.Schema, plainPath);
        Assert.That(Assert.Throws<InvalidDataException>(() => VaeLatentTransformer.Load(plainPath))!.Message, Does.Contain("no VaeLatent step"));
        Assert.That(VaeLatentTransformer.Find(new MLContext().Model.Load(plainPath, out _)), Is.Null);
        // A VaeLatent zip cut short.
        using var step = ml.Transforms.VaeLatent("Z", VaeLatentInMemoryTests.Small(), "Text").Fit(data);
        var good = Path.Combine(_dir, "good.zip");
        ml.Model.Save(step, data.Schema, good);
        var bytes = File.ReadAllBytes(good);
        var cut = Path.Combine(_dir, "cut.zip");
        File.WriteAllBytes(cut, bytes[..(bytes.Length / 2)]);
        Assert.That(Assert.Throws<InvalidDataException>(() => VaeLatentTransformer.Load(cut))!.Message, Does.Contain("cut.zip"));
        using var ok = VaeLatentTransformer.Load(good);
        Assert.That(ok.VocabularySize, Is.EqualTo(step.VocabularySize));
    }

    [Test]
    public void NoTempFilesRemainAfterFitSaveLoadAndDispose()
    {
        using var tmp = new PrivateTemp();
        var ml = new MLContext(seed: 1);
        var data = ml.Data.LoadFromTextFile<Review>(Datasets.Sample("train.tsv"), hasHeader: true, separatorChar: '\t');
        var o = VaeLatentInMemoryTests.Small();
        o.ReconstructionErrorColumnName = "R";
        var model = ml.Transforms.Conversion.MapValueToKey("Label").Append(ml.Transforms.VaeLatent("Z", o, "Text")).Fit(data);
        Assert.That(tmp.Entries(), Has.Length.EqualTo(1), "the fitted step owns one ONNX file");
        var path = Path.Combine(_dir, "m.zip");
        ml.Model.Save(model, data.Schema, path);
        var loaded = new MLContext().Model.Load(path, out _);
        var found = VaeLatentTransformer.Find(loaded)!;
        Assert.That(found.Transform(data).GetColumn<float>("R").Count(), Is.EqualTo(500));
        using (var fromFile = VaeLatentTransformer.Load(path)) Assert.That(fromFile.LatentSize, Is.EqualTo(4));
        ((IDisposable)loaded).Dispose();
        ((IDisposable)model).Dispose();
        Assert.That(tmp.Entries(), Is.Empty, "no temp file remains after Fit, Save, Load and Dispose");
    }
}
