using System.Diagnostics;
using System.Globalization;
using System.Text.Json;
using VaeText.Core;
using VaeText.Models;
using VaeText.Tensors;
using VaeText.Training;

namespace VaeText.Bench;

/// <summary>
/// bow-vae: the fixed work of shared/BENCHMARKS.md. Usage:
/// bow-vae --data TRAIN_TSV [--epochs 2] [--limit N] [--threads 2] [--vocab 20000]
/// (or --synthetic to time the engine on a seeded Zipf corpus of the same shape, without reading data).
/// Prints one JSON line.
/// </summary>
internal static class BowVaeBench
{
    public static int Run(string[] args)
    {
        string? data = null;
        int epochs = 2, threads = 2, vocabSize = 20000, limit = 0;
        bool synthetic = false;
        for (int i = 0; i < args.Length; i++)
        {
            string Next() => i + 1 < args.Length ? args[++i] : throw new ArgumentException($"{args[i]} needs a value");
            switch (args[i])
            {
                case "--data": data = Next(); break;
                case "--epochs": epochs = int.Parse(Next(), CultureInfo.InvariantCulture); break;
                case "--threads": threads = int.Parse(Next(), CultureInfo.InvariantCulture); break;
                case "--limit": limit = int.Parse(Next(), CultureInfo.InvariantCulture); break;
                case "--vocab": vocabSize = int.Parse(Next(), CultureInfo.InvariantCulture); break;
                case "--synthetic": synthetic = true; break;
                default: Console.Error.WriteLine($"bow-vae: unknown argument '{args[i]}'"); return 2;
            }
        }
        if (data == null && !synthetic) { Console.Error.WriteLine("usage: bow-vae --data TRAIN_TSV [--epochs 2] [--limit N] [--threads 2]"); return 2; }
        BowVaeBenchPrep.SetKernelThreads(threads);

        var prepClock = Stopwatch.StartNew();
        CsrMatrix x = synthetic ? Synthetic(limit > 0 ? limit : 25000, vocabSize) : BowVaeBenchPrep.Prepare(data!, limit, vocabSize);
        double prep = prepClock.Elapsed.TotalSeconds;

        var model = new BowVae(new BowVaeOptions { VocabularySize = x.Columns, Seed = 1 }, x);
        var opts = new VaeTrainingOptions { Epochs = epochs, BatchSize = 256, LearningRate = 2e-3, AnnealingSteps = 1000, Seed = 1, MaxThreads = threads };
        VaeBatchReport lastBatch = default;
        var result = new VaeTrainer(opts).Train(model, x, null, b => lastBatch = b);

        var encClock = Stopwatch.StartNew();
        var means = model.Encode(x, threads);
        double enc = encClock.Elapsed.TotalSeconds;
        if (!means.All(float.IsFinite)) { Console.Error.WriteLine("bow-vae: non-finite latent means"); return 1; }

        var epochS = result.Epochs.Select(e => Math.Round(e.Seconds, 2)).ToArray();
        var last = result.Epochs[^1];
        var json = new Dictionary<string, object>
        {
            ["impl"] = synthetic ? "vaetext-synthetic" : "vaetext",
            ["threads"] = threads,
            ["docs"] = x.Rows,
            ["vocab"] = x.Columns,
            ["prep_s"] = Math.Round(prep, 2),
            ["epoch_s"] = epochS,
            ["train_docs_per_s"] = Math.Round(x.Rows / result.Epochs.Min(e => e.Seconds), 1),
            ["encode_docs_per_s"] = Math.Round(x.Rows / enc, 1),
            ["last_batch"] = new Dictionary<string, double> { ["recon"] = Math.Round(lastBatch.Reconstruction, 3), ["kl"] = Math.Round(lastBatch.Kl, 3) },
            ["last_epoch"] = new Dictionary<string, double> { ["recon"] = Math.Round(last.Reconstruction, 3), ["kl"] = Math.Round(last.Kl, 3) },
            ["peak_rss_mb"] = PeakRssMb(),
        };
        Console.WriteLine(JsonSerializer.Serialize(json));
        return 0;
    }

    private static double PeakRssMb()
    {
        try
        {
            foreach (var line in File.ReadLines("/proc/self/status"))
                if (line.StartsWith("VmHWM:", StringComparison.Ordinal))
                    return Math.Round(double.Parse(line[6..].Trim().Split(' ')[0], CultureInfo.InvariantCulture) / 1024, 1);
        }
        catch (IOException) { }
        return double.NaN;
    }

    /// <summary>A seeded corpus shaped like IMDB: Zipf word frequencies, ~230 tokens per document.</summary>
    private static CsrMatrix Synthetic(int docs, int vocab)
    {
        var r = new Rng(11);
        var cdf = new double[vocab];
        double s = 0;
        for (int i = 0; i < vocab; i++) { s += 1.0 / (i + 1); cdf[i] = s; }
        var ptr = new int[docs + 1];
        var idx = new List<int>(); var val = new List<float>();
        var counts = new SortedDictionary<int, float>();
        for (int d = 0; d < docs; d++)
        {
            counts.Clear();
            int len = 50 + r.NextInt(360);
            for (int t = 0; t < len; t++)
            {
                int w = Array.BinarySearch(cdf, r.NextDouble() * s);
                if (w < 0) w = ~w;
                w = Math.Min(w, vocab - 1);
                counts[w] = counts.GetValueOrDefault(w) + 1;
            }
            foreach (var (k, v) in counts) { idx.Add(k); val.Add(v); }
            ptr[d + 1] = idx.Count;
        }
        return new CsrMatrix(docs, vocab, ptr, idx.ToArray(), val.ToArray());
    }
}
