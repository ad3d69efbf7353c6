using NUnit.Framework;
using VaeText.Data;
using VaeText.Tests.Pipeline;
using VaeText.Trainers;
using VaeText.Transforms;

namespace VaeText.Tests.Reliability;

/// <summary>A fitted pipeline (VAE + trainer) used from 8 threads gives the serial outputs; a shared engine is safe or refuses.</summary>
public class ConcurrencyTests
{
    private static (VaeTextContext Ctx, ITransformer Model, IDataView Data) Fit(bool trees)
    {
        var ctx = new VaeTextContext(3);
        var data = ctx.Data.LoadFromEnumerable(Workout.Reviews.Concat(Workout.Reviews.Select(r => new Review { Label = r.Label, Text = r.Text + " again" })).ToArray());
        var pipe = ctx.Transforms.Conversion.MapValueToKey("Label")
            .Append(ctx.Transforms.VaeLatent(new VaeLatentEstimator.Options { InputColumnName = "Text", OutputColumnName = "Latent", LatentSize = 3, EncoderHiddenSizes = [8], Epochs = 2, LogVarianceColumnName = "LogVar", ReconstructionErrorColumnName = "Recon" }))
            .Append(ctx.Transforms.Text.FeaturizeText("Ngrams", "Text"))
            .Append(ctx.Transforms.Concatenate("Features", "Latent", "Ngrams"))
            .Append(ctx.Transforms.NormalizeMinMax("Features"))
            .Append<MulticlassPredictionTransformer>(trees
                ? ctx.MulticlassClassification.Trainers.FastTree("Label", "Features", numberOfLeaves: 4, numberOfTrees: 5, minimumExampleCountPerLeaf: 2)
                : ctx.MulticlassClassification.Trainers.SdcaMaximumEntropy("Label", "Features"))
            .Append(ctx.Transforms.Conversion.MapKeyToValue("PredictedLabel"));
        return (ctx, pipe.Fit(data), data);
    }

    [TestCase(false)]
    [TestCase(true)]
    public void EightThreadsGiveTheSerialOutputsBitForBit(bool trees)
    {
        var (_, model, data) = Fit(trees);
        var serial = Workout.ReadAll(model.Transform(data));
        var results = new List<object[]>[8];
        using var start = new Barrier(8);
        var threads = Enumerable.Range(0, 8).Select(i => new Thread(() =>
        {
            start.SignalAndWait();
            for (int rep = 0; rep < 4; rep++) results[i] = Workout.ReadAll(model.Transform(data));
        })).ToArray();
        foreach (var t in threads) t.Start();
        foreach (var t in threads) t.Join();
        foreach (var r in results)
        {
            Assert.That(r, Has.Count.EqualTo(serial.Count));
            for (int i = 0; i < r.Count; i++)
                for (int j = 0; j < r[i].Length; j++)
                    if (r[i][j] is float[] f) Assert.That(((float[])serial[i][j]).Select(BitConverter.SingleToInt32Bits), Is.EqualTo(f.Select(BitConverter.SingleToInt32Bits)));
                    else Assert.That(r[i][j], Is.EqualTo(serial[i][j]));
        }
    }

    [Test]
    public void ASharedPredictionEngineIsNeverSilentlyWrong()
    {
        var (ctx, model, _) = Fit(false);
        var expected = new Dictionary<string, string>();
        using (var own = ctx.Model.CreatePredictionEngine<Review, ReviewPrediction>(model))
            foreach (var r in Workout.Reviews) expected[r.Text] = own.Predict(r).Predicted;
        using var shared = ctx.Model.CreatePredictionEngine<Review, ReviewPrediction>(model);
        int ok = 0, refused = 0, wrong = 0;
        Parallel.For(0, 8, new ParallelOptions { MaxDegreeOfParallelism = 8 }, t =>
        {
            for (int k = 0; k < 200; k++)
            {
                var r = Workout.Reviews[(t + k) % Workout.Reviews.Length];
                try
                {
                    if (shared.Predict(r).Predicted == expected[r.Text]) Interlocked.Increment(ref ok);
                    else Interlocked.Increment(ref wrong);
                }
                catch (InvalidOperationException e) when (e.Message.Contains("not thread-safe")) { Interlocked.Increment(ref refused); }
            }
        });
        TestContext.Out.WriteLine($"{ok} correct, {refused} refused, {wrong} wrong");
        Assert.That(wrong, Is.EqualTo(0));
        Assert.That(ok + refused, Is.EqualTo(1600));
    }
}
