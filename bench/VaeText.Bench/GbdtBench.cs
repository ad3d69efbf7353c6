using System.Diagnostics;
using System.Globalization;
using System.Text.Json;
using VaeText.Trainers.FastTree;

namespace VaeText.Bench;

/// gbdt: FastTree GBDT on a dense feature table (TSV: label, then float columns; a header line is skipped when its
/// second field is not a number). 100 trees, 20 leaves, lr 0.2, 255 bins, ≥ 10 rows per leaf; softmax for > 2 classes.
/// Objective settings follow the anchor (XGBoost): λ = 1, minimum hessian per leaf 1 (binary) / 0.1 (multiclass),
/// softmax hessian 2·p(1 − p); the library's own defaults (ML.NET's) are λ = 0, 1e-3 and K/(K − 1).
/// Usage: gbdt --train TSV --test TSV [--trees 100] [--leaves 20] [--threads 2] [--lr 0.2] [--min-leaf 10] [--l2 1]
///        [--min-hessian 1|0.1] [--softmax-hessian 2]
internal static class GbdtBench
{
    public static int Run(string[] args)
    {
        var a = BenchArgs.Parse(args);
        var (ytr, xtr, f) = FeatureTable.Read(a.Require("--train"));
        var (yte, xte, f2) = FeatureTable.Read(a.Require("--test"));
        if (f != f2) throw new InvalidDataException($"train has {f} feature columns, test has {f2}");
        var classes = ytr.Distinct(StringComparer.Ordinal).OrderBy(s => s, StringComparer.Ordinal).ToArray();
        var cid = classes.Select((c, i) => (c, i)).ToDictionary(t => t.c, t => t.i, StringComparer.Ordinal);
        var labels = ytr.Select(s => (float)cid[s]).ToArray();
        int threads = a.Int("--threads", 2);
        bool binary = classes.Length == 2;
        // The fixed work of shared/BENCHMARKS.md ("gbdt") with the anchor's objective conventions (XGBoost's λ = 1,
        // min_child_weight 1 / 0.1 as the minimum hessian per leaf, softmax hessian 2·p(1 − p)); each can be overridden.
        var opt = new GbdtOptions
        {
            NumberOfTrees = a.Int("--trees", 100), NumberOfLeaves = a.Int("--leaves", 20), LearningRate = a.Double("--lr", 0.2),
            MinimumExampleCountPerLeaf = a.Int("--min-leaf", 10), MaximumBinCountPerFeature = 255, NumberOfThreads = threads,
            L2Regularization = a.Double("--l2", 1), MinimumHessianPerLeaf = a.Double("--min-hessian", binary ? 1.0 : 0.1),
            SoftmaxHessianScale = a.Double("--softmax-hessian", 2),
        };
        var task = binary ? GbdtTask.BinaryClassification : GbdtTask.MulticlassClassification;
        var proc = Process.GetCurrentProcess();
        var cpu0 = proc.TotalProcessorTime;
        var sw = Stopwatch.StartNew();
        var res = GbdtTrainer.Train(xtr, ytr.Length, f, labels, task, classes.Length, opt);
        double fitS = sw.Elapsed.TotalSeconds;
        proc.Refresh();
        var cpu1 = proc.TotalProcessorTime;
        sw.Restart();
        var raw = res.Model.PredictRawBatch(xte, yte.Length, threads);
        double predS = sw.Elapsed.TotalSeconds;
        proc.Refresh();
        var cpu2 = proc.TotalProcessorTime;
        int K = res.Model.NumberOfOutputs, correct = 0;
        for (int i = 0; i < yte.Length; i++)
        {
            int p = K == 1 ? (raw[i] > 0 ? 1 : 0) : SdcaBench.ArgMax(raw.AsSpan(i * K, K));
            if (cid.TryGetValue(yte[i], out int t) && t == p) correct++;
        }
        Console.WriteLine(JsonSerializer.Serialize(new Dictionary<string, object>
        {
            ["impl"] = "vaetext-fasttree", ["threads"] = threads, ["train_rows"] = ytr.Length, ["features"] = f,
            ["classes"] = classes.Length, ["fit_s"] = Math.Round(fitS, 3), ["predict_s"] = Math.Round(predS, 3),
            ["accuracy"] = Math.Round((double)correct / yte.Length, 4),
            ["l2"] = opt.L2Regularization, ["min_hessian"] = opt.MinimumHessianPerLeaf, ["min_leaf"] = opt.MinimumExampleCountPerLeaf,
            ["softmax_hessian"] = opt.SoftmaxHessianScale,
            ["fit_cpu_s"] = Math.Round((cpu1 - cpu0).TotalSeconds, 3), ["predict_cpu_s"] = Math.Round((cpu2 - cpu1).TotalSeconds, 3),
        }));
        return 0;
    }
}

/// Dense feature tables: label, then float columns, tab-separated.
internal static class FeatureTable
{
    public static (string[] Labels, float[] X, int Features) Read(string path)
    {
        var ys = new List<string>(); var xs = new List<float>();
        int f = -1, lineNo = 0;
        foreach (var line in File.ReadLines(path))
        {
            lineNo++;
            if (line.Length == 0) continue;
            var parts = line.Split('\t');
            if (lineNo == 1 && parts.Length > 1 && !float.TryParse(parts[1], NumberStyles.Float, CultureInfo.InvariantCulture, out _)) continue;
            if (f < 0) f = parts.Length - 1;
            if (parts.Length - 1 != f) throw new InvalidDataException($"{path}:{lineNo}: {parts.Length - 1} feature columns, expected {f}");
            ys.Add(parts[0]);
            for (int j = 1; j < parts.Length; j++)
            {
                if (!float.TryParse(parts[j], NumberStyles.Float, CultureInfo.InvariantCulture, out float v))
                    throw new InvalidDataException($"{path}:{lineNo}, column {j + 1}: '{parts[j]}' is not a number");
                xs.Add(v);
            }
        }
        return (ys.ToArray(), xs.ToArray(), Math.Max(f, 0));
    }

    /// Atomic write: temp file in the same folder, flush, rename.
    public static void Write(string path, string[] labels, float[] x, int f)
    {
        var full = Path.GetFullPath(path);
        var tmp = full + ".tmp" + Environment.ProcessId;
        using (var w = new StreamWriter(tmp))
        {
            w.Write("label");
            for (int j = 0; j < f; j++) w.Write($"\tf{j}");
            w.Write('\n');
            for (int i = 0; i < labels.Length; i++)
            {
                w.Write(labels[i]);
                for (int j = 0; j < f; j++) { w.Write('\t'); w.Write(x[i * f + j].ToString("R", CultureInfo.InvariantCulture)); }
                w.Write('\n');
            }
            w.Flush();
        }
        File.Move(tmp, full, overwrite: true);
    }
}
