using System.Diagnostics;
using System.Globalization;
using System.Text.Json;
using System.Text.RegularExpressions;
using VaeText.Tensors;
using VaeText.Trainers.Sdca;

namespace VaeText.Bench;

/// sdca: TF-IDF word 1–2-grams (sklearn-like: tokens \b\w\w+\b lower-cased, sublinear tf, smooth idf, L2 rows,
/// min_df 2) then SDCA logistic regression (binary) or maximum entropy (multiclass). Prints one JSON line.
/// Usage: sdca --train TSV --test TSV [--l2 X | --c 10] [--tol 0.01] [--max-iter N] [--min-df 2]
internal static class SdcaBench
{
    public static int Run(string[] args)
    {
        var a = BenchArgs.Parse(args);
        string train = a.Require("--train"), test = a.Require("--test");
        int minDf = a.Int("--min-df", 2);
        TfIdfNgrams.CharTokens = a.Get("--analyzer") == "char";
        var sw = Stopwatch.StartNew();
        var (ytr, xtr) = TextTsv.Read(train);
        var (yte, xte) = TextTsv.Read(test);
        var classes = ytr.Distinct(StringComparer.Ordinal).OrderBy(s => s, StringComparer.Ordinal).ToArray();
        var cid = classes.Select((c, i) => (c, i)).ToDictionary(t => t.c, t => t.i, StringComparer.Ordinal);
        var tfidf = TfIdfNgrams.Fit(xtr, minDf, 2);
        var ftr = tfidf.Transform(xtr);
        var fte = tfidf.Transform(xte);
        double prepS = sw.Elapsed.TotalSeconds;
        int n = ytr.Length;
        // sklearn's C maps to λ = 1 / (C·n) in the mean-loss formulation.
        double c = a.Double("--c", 10.0);
        float l2 = (float)a.Double("--l2", 1.0 / (c * n));
        var opt = new SdcaOptions
        {
            L2Regularization = l2, L1Regularization = 0f,
            ConvergenceTolerance = a.Double("--tol", 0.01),
            MaximumNumberOfIterations = a.Int("--max-iter", 200),
        };
        int[] pred;
        double fitS, predS;
        string impl;
        if (classes.Length == 2)
        {
            var y = ytr.Select(s => cid[s] == 1).ToArray();
            sw.Restart();
            var m = SdcaTrainer.TrainBinary(ftr, y, opt);
            fitS = sw.Elapsed.TotalSeconds;
            sw.Restart();
            pred = new int[fte.Rows];
            for (int i = 0; i < fte.Rows; i++) pred[i] = m.Model.Score(fte, i) > 0 ? 1 : 0;
            predS = sw.Elapsed.TotalSeconds;
            impl = $"vaetext-sdca-logistic(epochs={m.Iterations},gap={m.RelativeDualityGap:G3})";
        }
        else
        {
            var y = ytr.Select(s => cid[s]).ToArray();
            sw.Restart();
            var m = SdcaTrainer.TrainMulticlass(ftr, y, classes.Length, opt);
            fitS = sw.Elapsed.TotalSeconds;
            sw.Restart();
            pred = new int[fte.Rows];
            var sc = new double[classes.Length];
            for (int i = 0; i < fte.Rows; i++) { m.Model.Scores(fte, i, sc); pred[i] = ArgMax(sc); }
            predS = sw.Elapsed.TotalSeconds;
            impl = $"vaetext-sdca-maxent(epochs={m.Iterations},gap={m.RelativeDualityGap:G3})";
        }
        int correct = 0;
        for (int i = 0; i < yte.Length; i++) if (cid.TryGetValue(yte[i], out int t) && t == pred[i]) correct++;
        Console.WriteLine(JsonSerializer.Serialize(new Dictionary<string, object>
        {
            ["impl"] = impl, ["train_rows"] = n, ["features"] = ftr.Columns, ["classes"] = classes.Length, ["l2"] = l2,
            ["prep_s"] = Math.Round(prepS, 3), ["fit_s"] = Math.Round(fitS, 3), ["predict_s"] = Math.Round(predS, 3),
            ["accuracy"] = Math.Round((double)correct / yte.Length, 4),
        }));
        return 0;
    }

    internal static int ArgMax(ReadOnlySpan<double> x)
    {
        int b = 0;
        for (int i = 1; i < x.Length; i++) if (x[i] > x[b]) b = i;
        return b;
    }
}

/// Minimal "--name value" argument reader for the benchmarks of this area.
internal sealed class BenchArgs
{
    private readonly Dictionary<string, string> _v = new(StringComparer.Ordinal);
    public static BenchArgs Parse(string[] args)
    {
        var a = new BenchArgs();
        for (int i = 0; i < args.Length; i++)
        {
            if (!args[i].StartsWith("--", StringComparison.Ordinal)) throw new ArgumentException($"unexpected argument '{args[i]}'");
            if (i + 1 >= args.Length) throw new ArgumentException($"option {args[i]} needs a value");
            a._v[args[i]] = args[++i];
        }
        return a;
    }
    public string Require(string name) => _v.TryGetValue(name, out var s) ? s : throw new ArgumentException($"missing required option {name}");
    public string? Get(string name) => _v.TryGetValue(name, out var s) ? s : null;
    public int Int(string name, int dflt) => _v.TryGetValue(name, out var s) ? int.Parse(s, CultureInfo.InvariantCulture) : dflt;
    public double Double(string name, double dflt) => _v.TryGetValue(name, out var s) ? double.Parse(s, CultureInfo.InvariantCulture) : dflt;
}

/// Reads label&lt;TAB&gt;text files with a header line.
internal static class TextTsv
{
    public static (string[] Labels, string[] Texts) Read(string path)
    {
        var ys = new List<string>(); var xs = new List<string>();
        using var r = new StreamReader(path);
        r.ReadLine();
        string? line;
        while ((line = r.ReadLine()) != null)
        {
            if (line.Length == 0) continue;
            int tab = line.IndexOf('\t');
            if (tab < 0) { ys.Add(line); xs.Add(""); continue; }
            ys.Add(line[..tab]); xs.Add(line[(tab + 1)..]);
        }
        return (ys.ToArray(), xs.ToArray());
    }
}

/// TF-IDF over word n-grams (1..maxN), sklearn-style: tokens = \b\w\w+\b lower-cased, sublinear tf (1 + ln tf),
/// smooth idf ln((1+n)/(1+df)) + 1, rows L2-normalised. Bench-only featurizer.
internal sealed class TfIdfNgrams
{
    private static readonly Regex Token = new(@"\b\w\w+\b", RegexOptions.Compiled | RegexOptions.CultureInvariant);
    private readonly Dictionary<string, int> _vocab;
    private readonly float[] _idf;
    private readonly int _maxN;

    private TfIdfNgrams(Dictionary<string, int> vocab, float[] idf, int maxN) { _vocab = vocab; _idf = idf; _maxN = maxN; }
    public int Size => _idf.Length;

    /// When set, tokens are single letters/digits (for unsegmented scripts such as Chinese) instead of words.
    internal static bool CharTokens;

    internal static List<string> Grams(string text, int maxN)
    {
        var toks = new List<string>();
        if (CharTokens) { foreach (var ch in text) if (char.IsLetterOrDigit(ch)) toks.Add(char.ToLowerInvariant(ch).ToString()); }
        else foreach (Match m in Token.Matches(text)) toks.Add(m.Value.ToLowerInvariant());
        var grams = new List<string>(toks.Count * maxN);
        grams.AddRange(toks);
        for (int n = 2; n <= maxN; n++)
            for (int i = 0; i + n <= toks.Count; i++) grams.Add(string.Join(' ', toks.GetRange(i, n)));
        return grams;
    }

    public static TfIdfNgrams Fit(string[] docs, int minDf, int maxN, int maxFeatures = int.MaxValue)
    {
        var df = new Dictionary<string, int>(StringComparer.Ordinal);
        var grams = new List<string>[docs.Length];
        Parallel.For(0, docs.Length, new ParallelOptions { MaxDegreeOfParallelism = 2 }, i => grams[i] = Grams(docs[i], maxN));
        foreach (var g in grams)
            foreach (var t in g.Distinct(StringComparer.Ordinal))
                df[t] = df.TryGetValue(t, out int c) ? c + 1 : 1;
        var kept = df.Where(kv => kv.Value >= minDf)
            .OrderByDescending(kv => kv.Value).ThenBy(kv => kv.Key, StringComparer.Ordinal).Take(maxFeatures)
            .Select(kv => kv.Key).OrderBy(s => s, StringComparer.Ordinal).ToArray();
        var vocab = new Dictionary<string, int>(kept.Length, StringComparer.Ordinal);
        var idf = new float[kept.Length];
        int n = docs.Length;
        for (int j = 0; j < kept.Length; j++) { vocab[kept[j]] = j; idf[j] = (float)(Math.Log((1.0 + n) / (1.0 + df[kept[j]])) + 1.0); }
        return new TfIdfNgrams(vocab, idf, maxN);
    }

    public CsrMatrix Transform(string[] docs)
    {
        var rowsIdx = new int[docs.Length][]; var rowsVal = new float[docs.Length][];
        Parallel.For(0, docs.Length, new ParallelOptions { MaxDegreeOfParallelism = 2 }, i =>
        {
            var tf = new Dictionary<int, int>();
            foreach (var g in Grams(docs[i], _maxN))
                if (_vocab.TryGetValue(g, out int j)) tf[j] = tf.TryGetValue(j, out int c) ? c + 1 : 1;
            var idx = tf.Keys.ToArray(); Array.Sort(idx);
            var val = new float[idx.Length];
            double ss = 0;
            for (int k = 0; k < idx.Length; k++) { double v = (1 + Math.Log(tf[idx[k]])) * _idf[idx[k]]; val[k] = (float)v; ss += v * v; }
            if (ss > 0) { float inv = (float)(1 / Math.Sqrt(ss)); for (int k = 0; k < val.Length; k++) val[k] *= inv; }
            rowsIdx[i] = idx; rowsVal[i] = val;
        });
        var ptr = new int[docs.Length + 1];
        for (int i = 0; i < docs.Length; i++) ptr[i + 1] = ptr[i] + rowsIdx[i].Length;
        var allI = new int[ptr[^1]]; var allV = new float[ptr[^1]];
        for (int i = 0; i < docs.Length; i++) { rowsIdx[i].CopyTo(allI, ptr[i]); rowsVal[i].CopyTo(allV, ptr[i]); }
        return new CsrMatrix(docs.Length, _idf.Length, ptr, allI, allV);
    }
}
