using Microsoft.ML;
using Microsoft.ML.Data;
using NUnit.Framework;
using VaeText.MLNet.Tests.Support;

namespace VaeText.MLNet.Tests;

/// <summary>An ML.NET-style workout of the VaeLatent step: schema promised vs actual, bad columns, empty data.</summary>
public class VaeLatentWorkoutTests
{
    private sealed class TwoTexts
    {
        public string Title { get; set; } = "";
        public string Body { get; set; } = "";
        public float Number { get; set; }
    }

    private static IDataView Data(MLContext ml, int n = 60) => ml.Data.LoadFromEnumerable(Enumerable.Range(0, n).Select(i => new TwoTexts
    {
        Title = (i % 3) switch { 0 => "goal match", 1 => "stock market", _ => "film actor" },
        Body = (i % 3) switch { 0 => "the team won the league match with a late goal", 1 => "shares and bank profit rose as the market traded", _ => "the director cast a new actor in the film role" },
        Number = i,
    }));

    [Test]
    public void PromisedSchemaEqualsActualWithOptionalColumns()
    {
        var ml = new MLContext(seed: 1);
        var data = Data(ml);
        var o = VaeLatentInMemoryTests.Small(3);
        o.LogVarianceColumnName = "LogVar";
        o.ReconstructionErrorColumnName = "Score";
        var est = ml.Transforms.VaeLatent("Z", o, "Title", "Body");
        var promised = est.GetOutputSchema(Shapes.Of(data.Schema));
        using var t = est.Fit(data);
        var actual = t.GetOutputSchema(data.Schema);
        var transformed = t.Transform(data);
        Assert.That(transformed.Schema.Select(c => c.Name), Is.EqualTo(actual.Select(c => c.Name)));
        var actualShape = Shapes.Of(actual);
        Assert.That(actualShape.Select(c => c.Name), Is.EqualTo(promised.Select(c => c.Name)));
        foreach (var (p, a) in promised.Zip(actualShape))
            Assert.That((a.Kind, a.ItemType, a.IsKey), Is.EqualTo((p.Kind, p.ItemType, p.IsKey)), p.Name);
        Assert.That(((VectorDataViewType)actual["Z"].Type).Size, Is.EqualTo(3));
        Assert.That(((VectorDataViewType)actual["LogVar"].Type).Size, Is.EqualTo(3));
        Assert.That(actual["Score"].Type, Is.EqualTo(NumberDataViewType.Single));
        var scores = transformed.GetColumn<float>("Score").ToArray();
        var z = transformed.GetColumn<float[]>("Z").ToArray();
        var texts = data.GetColumn<string>("Title").Zip(data.GetColumn<string>("Body"), (a, b) => a + " " + b).ToArray();
        var e = t.Vae.EncodeDetailed(texts, 1);
        for (int i = 0; i < texts.Length; i++)
        {
            Assert.That(scores[i], Is.EqualTo((float)e.NegativeElbo(i)).Within(1e-3 * Math.Max(1, Math.Abs(scores[i]))));
            Assert.That(z[i], Is.EqualTo(e.Means.AsSpan(i * 3, 3).ToArray()).Within(1e-5));
        }
    }

    [Test]
    public void RuntimeHooksReportProgressAndCancelAndSettingsRoundTripThroughSaveLoad()
    {
        var ml = new MLContext(seed: 1);
        var data = Data(ml);
        var epochs = new List<VaeText.Training.VaeEpochReport>();
        int batches = 0;
        var o = VaeLatentInMemoryTests.Small(3);
        o.Progress = new SyncProgress<VaeText.Training.VaeEpochReport>(epochs.Add);
        o.BatchProgress = _ => batches++;
        using var t = ml.Transforms.VaeLatent("Z", o, "Body").Fit(data);
        Assert.That(epochs.Select(e => e.Epoch), Is.EqualTo(new[] { 1, 2, 3 }));
        Assert.That(batches, Is.EqualTo(3 * 2), "60 documents in batches of 32: two steps per epoch");
        // Same settings and seed give the same step; a different seed a different one.
        using var again = ml.Transforms.VaeLatent("Z", VaeLatentInMemoryTests.Small(3), "Body").Fit(data);
        var z = t.Transform(data).GetColumn<float[]>("Z").ToArray();
        Assert.That(again.Transform(data).GetColumn<float[]>("Z").ToArray(), Is.EqualTo(z));
        var other = VaeLatentInMemoryTests.Small(3);
        other.Seed = 7;
        using var seeded = ml.Transforms.VaeLatent("Z", other, "Body").Fit(data);
        Assert.That(seeded.Transform(data).GetColumn<float[]>("Z").ToArray(), Is.Not.EqualTo(z));
        // Save / load the step alone in a fresh context.
        var ms = new MemoryStream();
        ml.Model.Save(t, data.Schema, ms);
        ms.Position = 0;
        var loaded = new MLContext().Model.Load(ms, out var schema);
        try
        {
            Assert.That(schema.Select(c => c.Name), Is.EqualTo(data.Schema.Select(c => c.Name)));
            Assert.That(loaded.Transform(data).GetColumn<float[]>("Z").ToArray(), Is.EqualTo(z));
        }
        finally { (loaded as IDisposable)?.Dispose(); }
        // Cancellation stops training between batches.
        using var cts = new CancellationTokenSource();
        var c = VaeLatentInMemoryTests.Small(3);
        c.BatchProgress = _ => cts.Cancel();
        c.CancellationToken = cts.Token;
        Assert.Throws(Is.InstanceOf<OperationCanceledException>(), () => ml.Transforms.VaeLatent("Z", c, "Body").Fit(data));
    }

    [Test]
    public void ConcurrentSchemasAndTransformsAgreeWithSequentialOnes()
    {
        var ml = new MLContext(seed: 1);
        var data = Data(ml);
        var est = ml.Transforms.VaeLatent("Z", VaeLatentInMemoryTests.Small(3), "Title", "Body");
        var shapes = new SchemaShape[8];
        Parallel.For(0, shapes.Length, i => shapes[i] = est.GetOutputSchema(Shapes.Of(data.Schema)));
        Assert.That(shapes.Select(s => s.Count).Distinct(), Is.EqualTo(new[] { data.Schema.Count + 1 }));
        using var t = est.Fit(data);
        var expected = t.Transform(data).GetColumn<float[]>("Z").ToArray();
        var results = new float[4][][];
        Parallel.For(0, results.Length, i => results[i] = t.Transform(data).GetColumn<float[]>("Z").ToArray());
        foreach (var r in results) Assert.That(r, Is.EqualTo(expected));
    }

    private sealed class SyncProgress<T>(Action<T> report) : IProgress<T>
    {
        public void Report(T value) => report(value);
    }

    [TestCase("Missing", "not found")]
    [TestCase("Number", "Single")]
    public void BadInputColumnRejectedAtGetOutputSchemaAndFitNamingIt(string column, string detail)
    {
        var ml = new MLContext(seed: 1);
        var data = Data(ml);
        var est = ml.Transforms.VaeLatent("Z", VaeLatentInMemoryTests.Small(), "Title", column);
        var e1 = Assert.Throws<ArgumentOutOfRangeException>(() => est.GetOutputSchema(Shapes.Of(data.Schema)))!;
        Assert.That(e1.Message, Does.Contain($"'{column}'").And.Contain(detail).And.Contain("Text"));
        var e2 = Assert.Throws<ArgumentOutOfRangeException>(() => est.Fit(data))!;
        Assert.That(e2.Message, Does.Contain($"'{column}'").And.Contain(detail).And.Contain("Text"));
        // Also inside an ML.NET chain, before any training.
        var chain = ml.Transforms.Conversion.MapValueToKey("Label", "Title").Append(est);
        Assert.That(Assert.Throws<ArgumentOutOfRangeException>(() => chain.GetOutputSchema(Shapes.Of(data.Schema)))!.Message, Does.Contain($"'{column}'"));
    }

    [Test]
    public void BadInputColumnRejectedAtTransformNamingIt()
    {
        var ml = new MLContext(seed: 1);
        var data = Data(ml);
        using var t = ml.Transforms.VaeLatent("Z", VaeLatentInMemoryTests.Small(), "Title").Fit(data);
        var other = ml.Data.LoadFromEnumerable(new[] { new { Body = "x" } });
        Assert.That(Assert.Throws<ArgumentOutOfRangeException>(() => t.Transform(other))!.Message, Does.Contain("'Title'"));
        Assert.That(Assert.Throws<ArgumentOutOfRangeException>(() => t.GetOutputSchema(other.Schema))!.Message, Does.Contain("'Title'"));
    }

    [Test]
    public void EmptyTrainingDataRejectedClearly()
    {
        var ml = new MLContext(seed: 1);
        var empty = ml.Data.LoadFromEnumerable(Array.Empty<TwoTexts>());
        var ex = Assert.Throws<InvalidOperationException>(() => ml.Transforms.VaeLatent("Z", VaeLatentInMemoryTests.Small(), "Body").Fit(empty))!;
        Assert.That(ex.Message, Does.Contain("no rows").And.Contain("'Body'"));
        var blank = ml.Data.LoadFromEnumerable(new[] { new TwoTexts { Title = "", Body = "  " } });
        var ex2 = Assert.Throws<InvalidOperationException>(() => ml.Transforms.VaeLatent("Z", VaeLatentInMemoryTests.Small(), "Body").Fit(blank))!;
        Assert.That(ex2.Message, Does.Contain("'Body'").And.Contain("vocabulary"));
    }

    [Test]
    public void BadOptionsRejectedNamingTheSetting()
    {
        var ml = new MLContext();
        Assert.That(Assert.Throws<ArgumentOutOfRangeException>(() => ml.Transforms.VaeLatent("Z", new VaeLatentEstimator.Options { LatentSize = 0 }, "T"))!.Message, Does.Contain("LatentSize"));
        Assert.That(Assert.Throws<ArgumentOutOfRangeException>(() => ml.Transforms.VaeLatent("Z", new VaeLatentEstimator.Options { MaxThreads = -1 }, "T"))!.Message, Does.Contain("MaxThreads"));
        Assert.That(Assert.Throws<ArgumentOutOfRangeException>(() => ml.Transforms.VaeLatent("Z", new VaeLatentEstimator.Options { Decoder = VaeLatentEstimator.DecoderKind.LstmAutoregressive }, "T"))!.Message, Does.Contain("sequence encoder"));
        Assert.Throws<ArgumentException>(() => ml.Transforms.VaeLatent("Z", new VaeLatentEstimator.Options { LogVarianceColumnName = "Z" }, "T"));
        Assert.Throws<ArgumentException>(() => ml.Transforms.VaeLatent(""));
    }
}
