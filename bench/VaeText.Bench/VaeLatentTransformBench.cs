using System.Diagnostics;
using System.Globalization;
using System.Text.Json;

namespace VaeText.Bench;

using Microsoft.ML;
using Microsoft.ML.Data;
using VaeText.MLNet;

/// <summary>
/// vaelatent-transform (../shared/BENCHMARKS.md): a pipeline with only the VaeLatent step (bag-of-words VAE,
/// 20,000-word vocabulary, default sizes) fitted on the texts, saved with mlContext.Model.Save and loaded back with
/// mlContext.Model.Load; then the loaded model's Transform over all documents on N threads (one share of the documents
/// per thread), the engine's own text → latent encode of the same documents, and the median latency of one
/// PredictionEngine.Predict on a single document.
/// </summary>
internal static class VaeLatentTransformBench
{
    private sealed class Doc
    {
        [LoadColumn(1)] public string Text { get; set; } = "";
    }

    private sealed class Latent
    {
        [ColumnName("Latent")] public float[] Value { get; set; } = [];
    }

    public static int Run(string[] args)
    {
        string? data = null; int limit = 0, epochs = 1, threads = 2, vocab = 20_000, predictions = 2000;
        for (int i = 0; i < args.Length; i++)
        {
            string Next() => i + 1 < args.Length ? args[++i] : throw new ArgumentException($"{args[i]} needs a value");
            switch (args[i])
            {
                case "--data": data = Next(); break;
                case "--limit": limit = int.Parse(Next(), CultureInfo.InvariantCulture); break;
                case "--epochs": epochs = int.Parse(Next(), CultureInfo.InvariantCulture); break;
                case "--threads": threads = int.Parse(Next(), CultureInfo.InvariantCulture); break;
                case "--vocabulary": vocab = int.Parse(Next(), CultureInfo.InvariantCulture); break;
                case "--predictions": predictions = int.Parse(Next(), CultureInfo.InvariantCulture); break;
                default: Console.Error.WriteLine($"unknown option {args[i]}"); return 2;
            }
        }
        if (data is null || threads < 1 || epochs < 1 || predictions < 1)
        {
            Console.Error.WriteLine("usage: vaelatent-transform --data TRAIN_TSV (label, text) [--limit N] [--epochs N=1] [--threads N=2] [--vocabulary N=20000] [--predictions N=2000]");
            return 2;
        }
        if (!File.Exists(data)) { Console.Error.WriteLine($"vaelatent-transform: '{data}' not found"); return 2; }

        var ml = new MLContext(seed: 1);
        IDataView raw = ml.Data.LoadFromTextFile<Doc>(data, hasHeader: true, separatorChar: '\t');
        if (limit > 0) raw = ml.Data.TakeRows(raw, limit);
        // Hold the texts in memory (in-memory data views) so the timed passes measure text → latent, not file parsing.
        var texts = raw.GetColumn<string>("Text").ToArray();
        var docs = ml.Data.LoadFromEnumerable(texts.Select(t => new Doc { Text = t }).ToArray());
        // One contiguous share of the documents per thread: each thread runs the loaded model's Transform over its share.
        var shares = Enumerable.Range(0, threads).Select(k =>
        {
            int s0 = (int)((long)texts.Length * k / threads), s1 = (int)((long)texts.Length * (k + 1) / threads);
            return (Start: s0, View: ml.Data.LoadFromEnumerable(texts[s0..s1].Select(t => new Doc { Text = t }).ToArray()));
        }).ToArray();

        var sw = Stopwatch.StartNew();
        var options = new VaeLatentEstimator.Options { MaxVocabularySize = vocab, Epochs = epochs, MaxThreads = threads };
        var fitted = ml.Transforms.VaeLatent("Latent", options, "Text").Fit(docs);
        double trainS = sw.Elapsed.TotalSeconds;

        string dir = Path.Combine(Path.GetTempPath(), "vaetext-bench-" + Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(dir);
        try
        {
            string zip = Path.Combine(dir, "vaelatent.zip");
            ml.Model.Save(fitted, docs.Schema, zip);
            long zipBytes = new FileInfo(zip).Length;
            // For reference: the freshly fitted step (its ONNX session runs with one intra-op thread; ML.NET does not
            // save session thread settings, so a loaded model runs with ONNX Runtime's defaults).
            double fittedS = ParallelTransform(fitted, shares, threads, null);
            fitted.Dispose();

            sw.Restart();
            var loadContext = new MLContext(seed: 1);
            ITransformer loaded = loadContext.Model.Load(zip, out _);
            double loadS = sw.Elapsed.TotalSeconds;

            // Transform: one thread per share, each reading the latent column of its documents through the loaded model.
            var viaMlNet = new float[texts.Length][];
            double transformS = ParallelTransform(loaded, shares, threads, viaMlNet);
            double transformCpuS = s_lastCpuS;
            int latentSize = viaMlNet[0].Length;
            // The same on one thread, one cursor over all documents.
            double singleS = Time(() =>
            {
                var output = loaded.Transform(docs);
                var col = output.Schema["Latent"];
                using var cursor = output.GetRowCursor([col]);
                var get = cursor.GetGetter<VBuffer<float>>(col);
                VBuffer<float> v = default;
                while (cursor.MoveNext()) get(ref v);
            });

            // The engine's own text → latent (tokenize, bag of words, encoder) of the same documents.
            var step = VaeLatentTransformer.Find(loaded) ?? throw new InvalidOperationException("no VaeLatent step in the loaded model");
            float[] engine = [];
            double engineS = Time(() => engine = step.EncodeMeans(texts, threads));
            double engineCpuS = s_lastCpuS;
            double maxDiff = 0;
            for (int i = 0; i < texts.Length; i++)
                for (int j = 0; j < latentSize; j++) maxDiff = Math.Max(maxDiff, Math.Abs(viaMlNet[i][j] - engine[(long)i * latentSize + j]));

            // PredictionEngine on the VaeLatent step alone, one document at a time.
            var engineForOne = loadContext.Model.CreatePredictionEngine<Doc, Latent>(loaded, inputSchema: docs.Schema);
            var doc = new Doc();
            for (int i = 0; i < 200; i++) { doc.Text = texts[i % texts.Length]; engineForOne.Predict(doc); }
            var us = new double[predictions];
            for (int i = 0; i < predictions; i++)
            {
                doc.Text = texts[(i * 7919) % texts.Length];
                long t0 = Stopwatch.GetTimestamp();
                engineForOne.Predict(doc);
                us[i] = Stopwatch.GetElapsedTime(t0).TotalMicroseconds;
            }
            double predictMeanUs = us.Average();
            Array.Sort(us);
            engineForOne.Dispose();
            (loaded as IDisposable)?.Dispose();

            Console.WriteLine(JsonSerializer.Serialize(new Dictionary<string, object>
            {
                ["bench"] = "vaelatent-transform", ["docs"] = texts.Length, ["threads"] = threads,
                ["vocabulary"] = step.VocabularySize, ["latent"] = latentSize, ["epochs"] = epochs,
                ["transform_docs_per_s"] = Math.Round(texts.Length / transformS),
                ["fitted_transform_docs_per_s"] = Math.Round(texts.Length / fittedS),
                ["transform_one_cursor_docs_per_s"] = Math.Round(texts.Length / singleS),
                ["engine_encode_docs_per_s"] = Math.Round(texts.Length / engineS),
                ["transform_docs_per_cpu_s"] = Math.Round(texts.Length / transformCpuS),
                ["engine_encode_docs_per_cpu_s"] = Math.Round(texts.Length / engineCpuS),
                ["predict_latency_us"] = Math.Round(us[us.Length / 2], 1),
                ["predict_latency_p90_us"] = Math.Round(us[(int)(us.Length * 0.9)], 1),
                ["predict_latency_mean_us"] = Math.Round(predictMeanUs, 1),
                ["load_s"] = Math.Round(loadS, 3),
                ["train_s"] = Math.Round(trainS, 1), ["zip_mb"] = Math.Round(zipBytes / 1048576.0, 1),
                ["max_abs_diff_mlnet_vs_engine"] = maxDiff,
            }));
            return 0;
        }
        finally { Directory.Delete(dir, recursive: true); }
    }

    /// <summary>Seconds to read the latent column of every share through <paramref name="model"/>, one thread per share.</summary>
    private static double ParallelTransform(ITransformer model, (int Start, IDataView View)[] shares, int threads, float[][]? sink) =>
        Time(() => Parallel.ForEach(shares, new ParallelOptions { MaxDegreeOfParallelism = threads }, share =>
        {
            var output = model.Transform(share.View);
            var col = output.Schema["Latent"];
            using var cursor = output.GetRowCursor([col]);
            var get = cursor.GetGetter<VBuffer<float>>(col);
            VBuffer<float> v = default;
            int row = share.Start;
            while (cursor.MoveNext())
            {
                get(ref v);
                if (sink is not null) sink[row] = v.DenseValues().ToArray();
                row++;
            }
        }));

    /// <summary>Process CPU seconds of the last <see cref="Time"/> (all threads): on a shared machine, docs per CPU second
    /// says more about the work than docs per wall second.</summary>
    private static double s_lastCpuS;

    private static double Time(Action a)
    {
        var cpu = Process.GetCurrentProcess().TotalProcessorTime;
        var sw = Stopwatch.StartNew();
        a();
        double wall = sw.Elapsed.TotalSeconds;
        s_lastCpuS = (Process.GetCurrentProcess().TotalProcessorTime - cpu).TotalSeconds;
        return wall;
    }
}
