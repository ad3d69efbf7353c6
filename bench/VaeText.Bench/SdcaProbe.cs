using System.Diagnostics;
using System.Globalization;
using Microsoft.ML;
using Microsoft.ML.Data;
using Microsoft.ML.Trainers;
using VaeText.Experiments;
using VaeText.Pipelines;

namespace VaeText.Bench;

/// <summary>
/// featurizetext-sdca: ML.NET's FeaturizeText (defaults) on a labelled TSV, then SDCA on N labelled rows two ways —
/// ML.NET's SDCA defaults on the full-width vector, and the comparison's candidate (n-gram SDCA settings on the
/// columns the rows use) — with CPU seconds per fit and accuracy on held-out training rows (every 8th row).
/// Usage: featurizetext-sdca TRAIN_TSV 200,2500,20000
/// </summary>
internal static class SdcaProbe
{
    public static int Run(string[] args)
    {
        if (args.Length < 2) { Console.Error.WriteLine("usage: featurizetext-sdca TRAIN_TSV SIZES"); return 2; }
        var ml = new MLContext(1);
        var data = ComparisonRunner.Load(ml, args[0], "label", "text", default);
        var sw = Stopwatch.StartNew();
        var fitted = CandidatePipelines.FeaturizeTextDefaults(ml, "text").Fit(data.View);
        var (rows, size) = FeatureTable.Read(fitted.Transform(data.View), CandidatePipelines.FeaturesColumn, default);
        double featurize = sw.Elapsed.TotalSeconds;
        var table = new FeatureTable { Train = rows, Size = size, Featurizer = fitted };
        var classes = data.Labels.Distinct().OrderBy(s => s, StringComparer.Ordinal).ToArray();
        var fields = new List<string> { Field("featurize_s", featurize), $"\"width\":{size}" };
        foreach (int n in args[1].Split(',').Select(int.Parse))
        {
            var pick = LabelSampler.Draw(n, rows.Length, 1);
            var held = Enumerable.Range(0, rows.Length).Where(i => i % 8 == 3).Except(pick).ToArray();
            // ML.NET's SDCA defaults over the full width.
            var m1 = new MLContext(1);
            var cpu = Process.GetCurrentProcess().TotalProcessorTime;
            var view = table.View(m1, false, pick, data.Labels);
            var defaults = ProbeTables.FitSdca(m1, view, classes, l2: null);
            double cpuDefaults = (Process.GetCurrentProcess().TotalProcessorTime - cpu).TotalSeconds;
            double accDefaults = ComparisonRunner.Evaluate(defaults, table, false, held, data.Labels, classes, TrainerKind.Sdca).Accuracy;
            // The candidate: narrowed table, n-gram SDCA settings; scored through the saved chain's selector.
            cpu = Process.GetCurrentProcess().TotalProcessorTime;
            var narrow = table.Narrow(pick, default);
            var spec = new CandidateSpec(FeaturizerKind.FeaturizeText, TrainerKind.Sdca, null);
            var inner = ComparisonRunner.FitClassifier(spec, narrow, pick, data.Labels, classes, 1, default);
            double cpuCandidate = (Process.GetCurrentProcess().TotalProcessorTime - cpu).TotalSeconds;
            var chain = new TransformerChain<ITransformer>(((IEnumerable<ITransformer>)narrow.Featurizer).Last(), inner);
            double accCandidate = ComparisonRunner.Evaluate(chain, table, false, held, data.Labels, classes, TrainerKind.Sdca).Accuracy;
            fields.Add($"\"n{n}\":{{{Field("defaults_cpu_s", cpuDefaults)},{Field("defaults_accuracy", accDefaults)},{Field("candidate_cpu_s", cpuCandidate)},{Field("candidate_accuracy", accCandidate)},\"narrow_width\":{narrow.Size},\"held_out\":{held.Length}}}");
        }
        Console.WriteLine("{" + string.Join(",", fields) + "}");
        return 0;
    }

    private static string Field(string name, double value) => $"\"{name}\":{value.ToString("0.####", CultureInfo.InvariantCulture)}";
}
