using NUnit.Framework;
using VaeText.Data;
using VaeText.IO;
using VaeText.Transforms;

namespace VaeText.Tests.Pipeline;

public sealed class ReviewPrediction
{
    [ColumnName("PredictedLabel")] public string Predicted { get; set; } = "";
    public float[] Score { get; set; } = [];
}

public class EndToEndTests
{
    [OneTimeSetUp]
    public void Register() => ModelLoaderRegistry.RegisterAssembly(typeof(EndToEndTests).Assembly);

    internal static string? FindShared(string name)
    {
        var env = Environment.GetEnvironmentVariable("VAETEXT_SHARED_DATASETS");
        if (env is not null && Directory.Exists(Path.Combine(env, name))) return Path.Combine(env, name);
        for (var d = new DirectoryInfo(TestContext.CurrentContext.TestDirectory); d is not null; d = d.Parent)
        {
            var p = Path.Combine(d.FullName, "shared", "datasets", name);
            if (Directory.Exists(p)) return p;
        }
        return null;
    }

    internal static string? FindRepoSample() => Support.TestFiles.SampleFolder();

    private static IEstimator<ITransformer> IssuePipeline(VaeTextContext ctx, int epochs, bool sdca = false) =>
        ctx.Transforms.Conversion.MapValueToKey("Label")
            .Append(ctx.Transforms.VaeLatent(new VaeLatentEstimator.Options { OutputColumnName = "Latent", InputColumnName = "Text", LatentSize = 8, EncoderHiddenSizes = [32], Epochs = epochs, BatchSize = 32, MaxVocabularySize = 2000 }))
            .Append(ctx.Transforms.Text.FeaturizeText("NGrams", "Text", new TextFeaturizingEstimator.Options { MaximumCharNgrams = 3000, MaximumWordNgrams = 3000 }))
            .Append(ctx.Transforms.Concatenate("Features", "Latent", "NGrams"))
            .Append<MulticlassPredictionTransformer>(sdca ? ctx.MulticlassClassification.Trainers.SdcaMaximumEntropy("Label", "Features") : new CentroidTrainer("Label", "Features"))
            .Append(ctx.Transforms.Conversion.MapKeyToValue("PredictedLabel"));

    /// <summary>Fit, save to a file, load in a fresh context, compare every output bit and the prediction engine.</summary>
    private static double RunPipeline(string trainPath, string testPath, int epochs, bool sdca = false)
    {
        var ctx = new VaeTextContext(seed: 1);
        var cols = new[] { new TextLoader.Column("Label", DataKind.String, "label"), new TextLoader.Column("Text", DataKind.String, "text") };
        var train = ctx.Data.LoadFromTextFile(trainPath, cols, hasHeader: true, separatorChar: '\t', allowQuoting: false);
        var test = ctx.Data.LoadFromTextFile(testPath, cols, hasHeader: true, separatorChar: '\t', allowQuoting: false);
        var pipeline = IssuePipeline(ctx, epochs, sdca);
        pipeline.GetOutputSchema(SchemaShape.Create(train.Schema));
        var model = pipeline.Fit(train);
        var path = Path.Combine(Path.GetTempPath(), $"vt_model_{Guid.NewGuid():N}.zip");
        try
        {
            ctx.Model.Save(model, train.Schema, path);
            var fresh = new VaeTextContext(seed: 99);
            var loaded = fresh.Model.Load(path, out var inputSchema);
            Assert.That(inputSchema.Select(c => c.Name), Is.EqualTo(new[] { "Label", "Text" }));
            Workout.AssertIdentical(model.Transform(test), loaded.Transform(test));
            var texts = fresh.Data.CreateEnumerable<Review>(test, reuseRowObject: false).ToList();
            using var e1 = ctx.Model.CreatePredictionEngine<Review, ReviewPrediction>(model);
            using var e2 = fresh.Model.CreatePredictionEngine<Review, ReviewPrediction>(loaded, inputSchema);
            int correct = 0;
            foreach (var r in texts)
            {
                var p1 = e1.Predict(r); var p2 = e2.Predict(r);
                Assert.That(p2.Predicted, Is.EqualTo(p1.Predicted));
                Assert.That(p2.Score, Is.EqualTo(p1.Score));
                if (p1.Predicted == r.Label) correct++;
            }
            return (double)correct / texts.Count;
        }
        finally { File.Delete(path); }
    }

    [Test]
    public void IssuePipelineOnFixtureSavesLoadsAndPredictsIdentically()
    {
        // A plug-in trainer defined in this test assembly (nearest centroid) on the in-memory fixture written as TSV.
        var tmp = Path.Combine(Path.GetTempPath(), $"vt_fixture_{Guid.NewGuid():N}");
        Directory.CreateDirectory(tmp);
        try
        {
            string train = Path.Combine(tmp, "train.tsv");
            File.WriteAllLines(train, new[] { "label\ttext" }.Concat(Workout.Reviews.Select(r => $"{r.Label}\t{r.Text}")));
            double acc = RunPipeline(train, train, epochs: 3);
            Assert.That(acc, Is.GreaterThan(0.0));
        }
        finally { Directory.Delete(tmp, true); }
    }

    [Test]
    public void IssuePipelineWithSdcaOnRepoSample()
    {
        var dir = FindRepoSample();
        if (dir is null) Assert.Ignore("datasets/sample not present");
        double acc = RunPipeline(Path.Combine(dir!, "train.tsv"), Path.Combine(dir!, "test.tsv"), epochs: 3, sdca: true);
        TestContext.Out.WriteLine($"sample SDCA accuracy {acc:F3}");
        Assert.That(acc, Is.GreaterThan(0.6));
    }

    [Test]
    public void IssuePipelineOnSmsSpam()
    {
        var dir = FindShared("sms_spam");
        if (dir is null) Assert.Ignore("shared/datasets/sms_spam not present");
        // Keep it fast: the first 600 training rows, 200 test rows, 2 epochs.
        var tmp = Path.Combine(Path.GetTempPath(), $"vt_sms_{Guid.NewGuid():N}");
        Directory.CreateDirectory(tmp);
        try
        {
            File.WriteAllLines(Path.Combine(tmp, "train.tsv"), File.ReadLines(Path.Combine(dir!, "train.tsv")).Take(601));
            File.WriteAllLines(Path.Combine(tmp, "test.tsv"), File.ReadLines(Path.Combine(dir!, "test.tsv")).Take(201));
            double acc = RunPipeline(Path.Combine(tmp, "train.tsv"), Path.Combine(tmp, "test.tsv"), epochs: 2, sdca: true);
            TestContext.Out.WriteLine($"sms_spam SDCA accuracy {acc:F3}");
            Assert.That(acc, Is.GreaterThan(0.85));
        }
        finally { Directory.Delete(tmp, true); }
    }

    [Test]
    public void TransformersAreThreadSafe()
    {
        var ctx = new VaeTextContext(seed: 2);
        var data = ctx.Data.LoadFromEnumerable(Workout.Reviews);
        var model = IssuePipeline(ctx, 2).Fit(data);
        var serial = Workout.ReadAll(model.Transform(data));
        var results = new List<object[]>[8];
        Parallel.For(0, 8, new ParallelOptions { MaxDegreeOfParallelism = 8 }, i =>
        {
            for (int rep = 0; rep < 3; rep++) results[i] = Workout.ReadAll(model.Transform(data));
        });
        foreach (var r in results)
        {
            Assert.That(r.Count, Is.EqualTo(serial.Count));
            for (int i = 0; i < r.Count; i++) Assert.That(r[i], Is.EqualTo(serial[i]));
        }
        // Engines: one per thread is fine; sharing one across threads concurrently is refused, never silently wrong.
        var preds = new string[8][];
        Parallel.For(0, 8, i =>
        {
            using var e = ctx.Model.CreatePredictionEngine<Review, ReviewPrediction>(model);
            preds[i] = Workout.Reviews.Select(r => e.Predict(r).Predicted).ToArray();
        });
        Assert.That(preds.Distinct(new SeqEq()).Count(), Is.EqualTo(1));
    }

    private sealed class SeqEq : IEqualityComparer<string[]>
    {
        public bool Equals(string[]? a, string[]? b) => a!.SequenceEqual(b!);
        public int GetHashCode(string[] o) => o.Length;
    }
}
