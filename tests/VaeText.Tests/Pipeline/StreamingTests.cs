using NUnit.Framework;
using VaeText.Data;
using VaeText.Transforms;

namespace VaeText.Tests.Pipeline;

public class StreamingTests
{
    internal static IEnumerable<Review> Generate(long count, int seed)
    {
        string[] words = ["good", "bad", "film", "plot", "actor", "music", "boring", "great", "story", "slow", "fun", "long"];
        var rng = new VaeText.Core.Rng(seed);
        for (long i = 0; i < count; i++)
        {
            int n = 3 + rng.NextInt(8);
            var parts = new string[n];
            for (int j = 0; j < n; j++) parts[j] = words[rng.NextInt(words.Length)];
            yield return new Review { Label = "x", Text = string.Join(' ', parts) };
        }
    }

    [Test]
    public void FittedVaeLatentStreamsWithFlatMemory()
    {
        var ctx = new VaeTextContext(4);
        var fitted = ctx.Transforms.VaeLatent(new VaeLatentEstimator.Options { OutputColumnName = "Latent", InputColumnName = "Text", LatentSize = 4, EncoderHiddenSizes = [8], Epochs = 1 })
            .Fit(ctx.Data.LoadFromEnumerable(Generate(200, 1).ToList()));
        const int rows = 30_000;
        var view = fitted.Transform(ctx.Data.LoadFromEnumerable(Generate(rows, 2)));
        Assert.That(view.GetRowCount(), Is.Null, "the source is a lazy generator");
        var col = view.Schema["Latent"];
        using var cur = view.GetRowCursor([col]);
        var g = cur.GetGetter<VBuffer<float>>(col);
        VBuffer<float> v = default;
        long baseline = 0, peak = 0, n = 0;
        double sum = 0;
        while (cur.MoveNext())
        {
            g(ref v);
            sum += v.GetValues()[0];
            n++;
            if (n == 5_000) baseline = GC.GetTotalMemory(forceFullCollection: true);
            if (n > 5_000 && n % 10_000 == 0) peak = Math.Max(peak, GC.GetTotalMemory(forceFullCollection: true));
        }
        Assert.That(n, Is.EqualTo(rows));
        Assert.That(double.IsFinite(sum));
        TestContext.Out.WriteLine($"heap after 5k rows {baseline / 1024} KiB, peak later {peak / 1024} KiB");
        Assert.That(peak - baseline, Is.LessThan(4L << 20), "heap grew while streaming: rows are being retained");
    }
}
