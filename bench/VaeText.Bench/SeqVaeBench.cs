using System.Diagnostics;
using System.Globalization;
using System.Text;
using System.Text.Json;
using VaeText.Core;
using VaeText.Models;
using VaeText.Nn;
using VaeText.Optim;
using VaeText.Tensors;

namespace VaeText.Bench;

/// seq-vae (../shared/BENCHMARKS.md): LSTM or Transformer encoder, bag-of-words decoder, the anchor's fixed work.
internal static class SeqVaeBench
{
    public static int Run(string[] args)
    {
        string? data = null; string encoder = "lstm"; int limit = 10000, epochs = 1, threads = 2;
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
                default: Console.Error.WriteLine($"unknown option {args[i]}"); return 2;
            }
        }
        if (data is null) { Console.Error.WriteLine("usage: seq-vae --data TRAIN_TSV --encoder lstm|transformer [--limit N] [--epochs N] [--threads N]"); return 2; }
        if (encoder is not ("lstm" or "transformer")) { Console.Error.WriteLine($"--encoder must be lstm or transformer, got '{encoder}'"); return 2; }

        var sw = Stopwatch.StartNew();
        var docs = new List<List<string>>();
        using (var reader = new StreamReader(data, Encoding.UTF8))
        {
            reader.ReadLine();
            string? line;
            while ((line = reader.ReadLine()) != null)
            {
                if (line.Length == 0) continue;
                int tab = line.IndexOf('\t');
                docs.Add(Tokenize(tab < 0 ? "" : line[(tab + 1)..]));
                if (limit > 0 && docs.Count >= limit) break;
            }
        }
        var df = new Dictionary<string, int>(StringComparer.Ordinal);
        foreach (var d in docs) foreach (var w in new HashSet<string>(d, StringComparer.Ordinal)) df[w] = df.GetValueOrDefault(w) + 1;
        var vocabList = df.OrderByDescending(kv => kv.Value).ThenBy(kv => kv.Key, StringComparer.Ordinal).Take(20000).Select(kv => kv.Key).ToList();
        var vocab = new Dictionary<string, int>(StringComparer.Ordinal);
        for (int i = 0; i < vocabList.Count; i++) vocab[vocabList[i]] = i;
        int v = vocab.Count, n = docs.Count;
        var seqs = new int[n][];
        var rowPtr = new int[n + 1]; var idx = new List<int>(); var vals = new List<float>();
        for (int i = 0; i < n; i++)
        {
            var d = docs[i];
            int len = Math.Min(128, d.Count);
            seqs[i] = len == 0 ? [1] : d.Take(len).Select(t => vocab.TryGetValue(t, out int id) ? id + 2 : 1).ToArray();
            var counts = new SortedDictionary<int, int>();
            foreach (var t in d) if (vocab.TryGetValue(t, out int id)) counts[id] = counts.GetValueOrDefault(id) + 1;
            foreach (var kv in counts) { idx.Add(kv.Key); vals.Add(kv.Value); }
            rowPtr[i + 1] = idx.Count;
        }
        var bow = new CsrMatrix(n, v, rowPtr, idx.ToArray(), vals.ToArray());
        var model = new SeqVae(new SeqVaeOptions
        {
            VocabularySize = v,
            Encoder = encoder == "lstm" ? SeqEncoderKind.Lstm : SeqEncoderKind.Transformer,
        }, bow);
        var net = model.Network;
        var adam = new Adam(net.Store, 1e-3);
        double prep = sw.Elapsed.TotalSeconds;

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
        var te = Stopwatch.StartNew();
        model.Encode(seqs, threads);
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
        };
        Console.WriteLine(JsonSerializer.Serialize(json));
        return 0;
    }

    private static List<string> Tokenize(string text)
    {
        var list = new List<string>();
        var sb = new StringBuilder();
        foreach (char c in text.ToLowerInvariant())
        {
            if (char.IsLetterOrDigit(c)) sb.Append(c);
            else if (sb.Length > 0) { list.Add(sb.ToString()); sb.Clear(); }
        }
        if (sb.Length > 0) list.Add(sb.ToString());
        return list;
    }
}
