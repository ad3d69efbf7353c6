using System.Diagnostics;
using System.Globalization;
using VaeText.Data;
using VaeText.Transforms;

namespace VaeText.Bench;

/// <summary>
/// Streams N generated documents (default 1,000,000) through a fitted VaeLatent transform and prints one JSON line
/// with rows/s and the managed heap sampled along the way (flat heap = true streaming).
/// Usage: stream [--rows N] [--latent L]
/// </summary>
internal static class StreamBench
{
    private sealed class Doc
    {
        public string Text { get; set; } = "";
    }

    private static IEnumerable<Doc> Generate(long count, int seed)
    {
        string[] words = ["good", "bad", "film", "plot", "actor", "music", "boring", "great", "story", "slow", "fun", "long", "cast", "scene", "end", "script"];
        var rng = new VaeText.Core.Rng(seed);
        for (long i = 0; i < count; i++)
        {
            int n = 5 + rng.NextInt(20);
            var parts = new string[n];
            for (int j = 0; j < n; j++) parts[j] = words[rng.NextInt(words.Length)];
            yield return new Doc { Text = string.Join(' ', parts) };
        }
    }

    public static int Run(string[] args)
    {
        long rows = 1_000_000;
        int latent = 32;
        for (int i = 0; i + 1 < args.Length; i += 2)
        {
            if (args[i] == "--rows") rows = long.Parse(args[i + 1], CultureInfo.InvariantCulture);
            else if (args[i] == "--latent") latent = int.Parse(args[i + 1], CultureInfo.InvariantCulture);
            else { Console.Error.WriteLine($"unknown option '{args[i]}'"); return 2; }
        }
        var ctx = new VaeTextContext(1);
        var fitSw = Stopwatch.StartNew();
        var fitted = ctx.Transforms.VaeLatent(new VaeLatentEstimator.Options { OutputColumnName = "Latent", InputColumnName = "Text", LatentSize = latent, EncoderHiddenSizes = [64], Epochs = 2 })
            .Fit(ctx.Data.LoadFromEnumerable(Generate(2000, 7).ToList()));
        double fitS = fitSw.Elapsed.TotalSeconds;
        var view = fitted.Transform(ctx.Data.LoadFromEnumerable(Generate(rows, 8)));
        var col = view.Schema["Latent"];
        var heap = new List<long>();
        var sw = Stopwatch.StartNew();
        long n = 0;
        double check = 0;
        using (var cur = view.GetRowCursor([col]))
        {
            var g = cur.GetGetter<VBuffer<float>>(col);
            VBuffer<float> v = default;
            long every = Math.Max(1, rows / 10);
            while (cur.MoveNext())
            {
                g(ref v);
                check += v.GetValues()[0];
                if (++n % every == 0) heap.Add(GC.GetTotalMemory(forceFullCollection: true));
            }
        }
        double s = sw.Elapsed.TotalSeconds;
        long minHeap = heap.Count > 0 ? heap.Min() : 0, maxHeap = heap.Count > 0 ? heap.Max() : 0;
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"{{\"bench\":\"stream\",\"rows\":{n},\"latent\":{latent},\"fit_s\":{fitS:F2},\"stream_s\":{s:F2},\"rows_per_s\":{n / s:F0},\"heap_min_mib\":{minHeap / 1048576.0:F1},\"heap_max_mib\":{maxHeap / 1048576.0:F1},\"peak_working_set_mib\":{Process.GetCurrentProcess().PeakWorkingSet64 / 1048576.0:F1},\"checksum\":{check:F3}}}"));
        return 0;
    }
}
