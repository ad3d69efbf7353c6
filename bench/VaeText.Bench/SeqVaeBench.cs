using System.Diagnostics;
using System.Globalization;
using System.Text;
using System.Text.Json;
using VaeText.Core;
using VaeText.Models;
using VaeText.Nn;
using VaeText.Optim;
using VaeText.Tensors;
using Microsoft.ML;
using Microsoft.ML.Data;
using VaeText.Text;
using VaeText.Training;

namespace VaeText.Bench;

/// seq-vae (../shared/BENCHMARKS.md): LSTM or Transformer encoder, bag-of-words decoder, the anchor's fixed work.
internal static class SeqVaeBench
{
    public static int Run(string[] args)
    {
        string? data = null, testPath = null; string encoder = "lstm"; int limit = 10000, epochs = 1, threads = 2, labeled = 0, seed = 1, truncate = 0;
        for (int i = 0; i < args.Length; i++)
        {
            string Next() => i + 1 < args.Length ? args[++i] : throw new ArgumentException($"{args[i]} needs a value");
            switch (args[i])
            {
                case "--data": data = Next(); break;
                case "--encoder": encoder = Next(); break;
                case "--limit": limit = int.Parse(Next(), CultureInfo.InvariantCulture); break;
                case "--epochs": epochs = int.Parse(Next(), CultureInfo.InvariantCulture); break;
                case "--threads": threads = int.Parse(Next(), CultureInfo.InvariantCulture); break;
                case "--labeled": labeled = int.Parse(Next(), CultureInfo.InvariantCulture); break;
                case "--test": testPath = Next(); break;
                case "--seed": seed = int.Parse(Next(), CultureInfo.InvariantCulture); break;
                case "--truncate": truncate = int.Parse(Next(), CultureInfo.InvariantCulture); break;
                default: Console.Error.WriteLine($"unknown option {args[i]}"); return 2;
            }
        }
        if (data is null)
        {
            Console.Error.WriteLine("usage: seq-vae --data TRAIN_TSV --encoder lstm|transformer|bow [--limit N] [--epochs N] [--threads N] [--labeled N --test TEST_TSV [--seed N]] [--truncate N (bow only)]");
            return 2;
        }
        if (encoder is not ("lstm" or "transformer" or "bow")) { Console.Error.WriteLine($"--encoder must be lstm, transformer or bow, got '{encoder}'"); return 2; }
        if ((labeled > 0) != (testPath is not null)) { Console.Error.WriteLine("--labeled N and --test TEST_TSV go together"); return 2; }

        KernelOptions.MaxThreads = threads;
        var sw = Stopwatch.StartNew();
        // The bow-vae tokens and vocabulary (the library's tokenizer: Python's [^\W_]+ on lower-cased text), the first
        // 128 tokens of each document as ids (0 = padding, 1 = unknown, 2 + w), bag-of-words targets over all tokens.
        var corpus = BenchData.Load(data);
        var texts = limit > 0 && limit < corpus.Count ? corpus.Texts[..limit] : corpus.Texts;
        var trainLabels = limit > 0 && limit < corpus.Count ? corpus.Labels[..limit] : corpus.Labels;
        if (labeled > 0 && trainLabels.Distinct().Count() < 2)
        {
            Console.Error.WriteLine($"seq-vae: the {texts.Length} training documents hold one class; imdb's train.tsv is sorted by label, so use --limit 0 (all documents) with --labeled");
            return 2;
        }
        var tok = new TokenizerOptions();
        if (truncate > 0)
        {
            // What a 128-token sequence encoder sees, as a bag of words: every document cut to its first N tokens.
            if (encoder != "bow") { Console.Error.WriteLine("--truncate applies to --encoder bow (sequence encoders always read the first 128 tokens)"); return 2; }
            texts = Truncate(texts, new Tokenizer(tok), truncate);
        }
        BagOfWords.Fit(texts, tok, new VocabularyOptions { MaxSize = 20000 }, out var vocabulary, out var bow, threads);
        var tokenizer = new Tokenizer(tok);
        var seqs = SeqTokens.EncodeAll(texts, tokenizer, vocabulary, 128);
        int v = vocabulary.Count, n = texts.Length;
        if (encoder == "bow") return RunBow(bow, sw.Elapsed.TotalSeconds, epochs, threads, labeled, testPath, seed, trainLabels, texts, tokenizer, vocabulary, truncate);
        var model = new SeqVae(new SeqVaeOptions
        {
            VocabularySize = v,
            Encoder = encoder == "lstm" ? SeqEncoderKind.Lstm : SeqEncoderKind.Transformer,
        }, bow);
        var net = model.Network;
        var adam = new Adam(net.Store, 1e-3);
        double prep = sw.Elapsed.TotalSeconds;
        double prepPeakMb = Process.GetCurrentProcess().PeakWorkingSet64 / 1048576.0;

        const int batch = 64;
        var rng = new Rng(1);
        var ws = net.CreateWorkspace(batch, true);
        var order = Enumerable.Range(0, n).ToArray();
        var times = new List<double>();
        long step = 0;
        double lastRecon = 0, lastKl = 0, epRecon = 0, epKl = 0;
        net.Store.ZeroGrad();
        for (int ep = 0; ep < epochs; ep++)
        {
            rng.Shuffle(order.AsSpan());
            double sr = 0, sk = 0; int cnt = 0;
            var t0 = Stopwatch.StartNew();
            for (int s = 0; s < n; s += batch)
            {
                var rows = order.AsMemory(s, Math.Min(batch, n - s));
                double beta = Math.Min(1.0, step / 1000.0);
                var loss = net.TrainBatch(new TokenBatch(seqs, rows), new CsrBatch(bow, rows), ws, beta, 0, rng, threads);
                adam.Step(zeroGradients: true, maxThreads: threads);
                step++;
                lastRecon = loss.SumRecon / loss.Count; lastKl = loss.SumKl / loss.Count;
                sr += loss.SumRecon; sk += loss.SumKl; cnt += loss.Count;
            }
            times.Add(t0.Elapsed.TotalSeconds);
            epRecon = sr / cnt; epKl = sk / cnt;
        }
        double trainPeakMb = Process.GetCurrentProcess().PeakWorkingSet64 / 1048576.0;
        var te = Stopwatch.StartNew();
        var means = model.Encode(seqs, threads);
        double enc = te.Elapsed.TotalSeconds;
        var json = new Dictionary<string, object>
        {
            ["impl"] = $"vaetext-{encoder}",
            ["threads"] = threads,
            ["docs"] = n,
            ["vocab"] = v,
            ["prep_s"] = Math.Round(prep, 2),
            ["epoch_s"] = times.Select(x => Math.Round(x, 2)).ToArray(),
            ["train_docs_per_s"] = Math.Round(n / times.Min(), 1),
            ["encode_docs_per_s"] = Math.Round(n / enc, 1),
            ["last_batch"] = new Dictionary<string, double> { ["recon"] = lastRecon, ["kl"] = lastKl },
            ["last_epoch"] = new Dictionary<string, double> { ["recon"] = Math.Round(epRecon, 3), ["kl"] = Math.Round(epKl, 3) },
            ["peak_rss_mb"] = Math.Round(Process.GetCurrentProcess().PeakWorkingSet64 / 1048576.0, 1),
            ["prep_peak_rss_mb"] = Math.Round(prepPeakMb, 1),
            ["train_peak_rss_mb"] = Math.Round(trainPeakMb, 1),
        };
        if (labeled > 0)
        {
            var test = BenchData.Load(testPath!);
            var testMeans = model.Encode(SeqTokens.EncodeAll(test.Texts, tokenizer, vocabulary, 128), threads);
            AddLowLabel(json, means, trainLabels, testMeans, test.Labels, model.LatentSize, labeled, seed);
        }
        Console.WriteLine(JsonSerializer.Serialize(json));
        return 0;
    }

    /// The BoW VAE of the bow-vae benchmark (batch 256, Adam 2e-3, β warm-up 1000 steps) on the same documents, for
    /// the low-label comparison.
    private static int RunBow(CsrMatrix bow, double prep, int epochs, int threads, int labeled, string? testPath, int seed,
        string[] trainLabels, string[] texts, Tokenizer tokenizer, Vocabulary vocabulary, int truncate)
    {
        var model = new BowVae(new BowVaeOptions { VocabularySize = bow.Columns, Seed = 1 }, bow);
        VaeBatchReport lastBatch = default;
        var result = new VaeTrainer(new VaeTrainingOptions { Epochs = epochs, BatchSize = 256, LearningRate = 2e-3, AnnealingSteps = 1000, Seed = 1, MaxThreads = threads })
            .Train(model, bow, null, b => lastBatch = b);
        var te = Stopwatch.StartNew();
        var means = model.Encode(bow, threads);
        double enc = te.Elapsed.TotalSeconds;
        var json = new Dictionary<string, object>
        {
            ["impl"] = "vaetext-bow",
            ["truncate"] = truncate,
            ["threads"] = threads,
            ["docs"] = texts.Length,
            ["vocab"] = bow.Columns,
            ["prep_s"] = Math.Round(prep, 2),
            ["epoch_s"] = result.Epochs.Select(e => Math.Round(e.Seconds, 2)).ToArray(),
            ["train_docs_per_s"] = Math.Round(texts.Length / result.Epochs.Min(e => e.Seconds), 1),
            ["encode_docs_per_s"] = Math.Round(texts.Length / enc, 1),
            ["last_batch"] = new Dictionary<string, double> { ["recon"] = lastBatch.Reconstruction, ["kl"] = lastBatch.Kl },
            ["last_epoch"] = new Dictionary<string, double> { ["recon"] = Math.Round(result.Epochs[^1].Reconstruction, 3), ["kl"] = Math.Round(result.Epochs[^1].Kl, 3) },
            ["peak_rss_mb"] = Math.Round(Process.GetCurrentProcess().PeakWorkingSet64 / 1048576.0, 1),
        };
        if (labeled > 0)
        {
            var test = BenchData.Load(testPath!);
            var testTexts = truncate > 0 ? Truncate(test.Texts, tokenizer, truncate) : test.Texts;
            var testMeans = model.Encode(BagOfWords.Build(testTexts, tokenizer, vocabulary, threads), threads);
            AddLowLabel(json, means, trainLabels, testMeans, test.Labels, model.LatentSize, labeled, seed);
        }
        Console.WriteLine(JsonSerializer.Serialize(json));
        return 0;
    }

    /// Each text cut to its first <paramref name="n"/> tokens (joined by spaces, so they tokenize the same again).
    private static string[] Truncate(string[] texts, Tokenizer tokenizer, int n) =>
        texts.Select(t => string.Join(' ', tokenizer.Tokenize(t).Take(n))).ToArray();

    /// ML.NET's SDCA (maximum entropy) on <paramref name="labeled"/> training
    /// latent vectors drawn with the seed, standardised with their own means and deviations; accuracy on the whole test set.
    private static void AddLowLabel(Dictionary<string, object> json, float[] train, string[] trainLabels, float[] test, string[] testLabels,
        int l, int labeled, int seed)
    {
        var classes = trainLabels.Distinct().OrderBy(c => c, StringComparer.Ordinal).ToArray();
        if (classes.Length < 2)
            throw new InvalidDataException($"the training documents hold one class ('{classes.FirstOrDefault()}'): imdb's train.tsv is sorted by label, so use --limit 0 (all 25,000) for --labeled");
        var index = classes.Select((c, i) => (c, i)).ToDictionary(p => p.c, p => p.i, StringComparer.Ordinal);
        var rows = Enumerable.Range(0, trainLabels.Length).ToArray();
        new Rng(seed).Shuffle(rows.AsSpan());
        rows = rows[..Math.Min(labeled, rows.Length)];
        int m = rows.Length;
        var x = new float[m * l];
        var mu = new double[l]; var sd = new double[l];
        for (int i = 0; i < m; i++) for (int j = 0; j < l; j++) mu[j] += train[rows[i] * l + j] / m;
        for (int i = 0; i < m; i++) for (int j = 0; j < l; j++) sd[j] += Math.Pow(train[rows[i] * l + j] - mu[j], 2) / m;
        for (int j = 0; j < l; j++) sd[j] = Math.Sqrt(sd[j]) + 1e-6;
        for (int i = 0; i < m; i++) for (int j = 0; j < l; j++) x[i * l + j] = (float)((train[rows[i] * l + j] - mu[j]) / sd[j]);
        var y = rows.Select(r => index[trainLabels[r]]).ToArray();
        int nt = testLabels.Length, correct = 0;
        // ML.NET's SdcaMaximumEntropy on the standardised latent vectors.
        var ml = new MLContext(seed);
        var def = SchemaDefinition.Create(typeof(LatentRow));
        def[nameof(LatentRow.Features)].ColumnType = new VectorDataViewType(NumberDataViewType.Single, l);
        var trainRows = Enumerable.Range(0, m).Select(i => new LatentRow { Label = classes[y[i]], Features = x.AsSpan(i * l, l).ToArray() });
        var testRows = Enumerable.Range(0, nt).Select(i => new LatentRow
        {
            Label = testLabels[i],
            Features = Enumerable.Range(0, l).Select(j => (float)((test[i * l + j] - mu[j]) / sd[j])).ToArray(),
        }).ToList();
        var sfit = Stopwatch.StartNew();
        var model = ml.Transforms.Conversion.MapValueToKey("Key", nameof(LatentRow.Label))
            .Append(ml.MulticlassClassification.Trainers.SdcaMaximumEntropy("Key", nameof(LatentRow.Features)))
            .Append(ml.Transforms.Conversion.MapKeyToValue("PredictedLabel"))
            .Fit(ml.Data.LoadFromEnumerable(trainRows, def));
        var predicted = model.Transform(ml.Data.LoadFromEnumerable(testRows, def)).GetColumn<string>("PredictedLabel").ToArray();
        for (int i = 0; i < nt; i++) if (predicted[i] == testLabels[i]) correct++;
        json["labeled"] = m;
        json["sdca_fit_s"] = Math.Round(sfit.Elapsed.TotalSeconds, 2);
        json["test_docs"] = nt;
        json["test_accuracy"] = Math.Round((double)correct / nt, 4);
    }

    private sealed class LatentRow
    {
        public string Label { get; set; } = "";
        public float[] Features { get; set; } = [];
    }
}
