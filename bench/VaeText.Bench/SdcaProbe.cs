using System.Diagnostics;
using Microsoft.ML;
using Microsoft.ML.Trainers;
using VaeText.Experiments;
using VaeText.Pipelines;
using Microsoft.ML.Data;

namespace VaeText.Bench;

internal static class SdcaProbe
{
    public static int Run(string[] args)
    {
        string path = args[0];
        int[] sizes = args[1].Split(',').Select(int.Parse).ToArray();
        var ml = new MLContext(1);
        var data = ComparisonRunner.Load(ml, path, "label", "text", default);
        var sw = Stopwatch.StartNew();
        var fitted = CandidatePipelines.FeaturizeTextDefaults(ml, "text").Fit(data.View);
        var (rows, size) = FeatureTable.Read(fitted.Transform(data.View), CandidatePipelines.FeaturesColumn, default);
        Console.WriteLine($"featurize {sw.Elapsed.TotalSeconds:F1}s dim {size} nnz0 {rows[0].GetValues().Length}");
        var table = new FeatureTable { Train = rows, Size = size, Featurizer = fitted };
        var classes = data.Labels.Distinct().OrderBy(s => s, StringComparer.Ordinal).ToArray();
        foreach (int rowsWanted in sizes)
        foreach (var variant in new[] { "narrow" })
        {
        var pick = LabelSampler.Draw(rowsWanted, rows.Length, 1);
        var evalRows = Enumerable.Range(0, rows.Length).Where(i => i % 8 == 3).Except(pick).ToArray();
            var m2 = new MLContext(1);
            sw.Restart();
            var view = table.View(m2, false, pick, data.Labels);
            var mapped = TextClassifierPipeline.LabelMapping(m2, FeatureTable.LabelTextColumn, classes, false).Fit(view).Transform(view);
            var o = new SdcaMaximumEntropyMulticlassTrainer.Options { LabelColumnName = CandidatePipelines.LabelColumn, FeatureColumnName = CandidatePipelines.FeaturesColumn, NumberOfThreads = 1 };
            if (variant.StartsWith("maxit=")) o.MaximumNumberOfIterations = int.Parse(variant[6..]);
            double prep = sw.Elapsed.TotalSeconds;
            var cpu0 = Process.GetCurrentProcess().TotalProcessorTime;
            var narrow = table.Narrow(pick, default);
            double narrowS = sw.Elapsed.TotalSeconds - prep;
            var nview = narrow.View(m2, false, pick, data.Labels);
            var nmapped = TextClassifierPipeline.LabelMapping(m2, FeatureTable.LabelTextColumn, classes, false).Fit(nview).Transform(nview);
            var inner = CandidatePipelines.Trainer(m2, TrainerKind.Sdca, FeaturizerKind.FeaturizeText, classes.Length, rowsWanted, narrow.SdcaL1).Fit(nmapped);
            var selector = ((IEnumerable<ITransformer>)narrow.Featurizer).Last();
            var model = new TransformerChain<ITransformer>(selector, inner);
            Console.WriteLine($"narrow width {narrow.Size} in {narrowS:F2}s");
            double fit = sw.Elapsed.TotalSeconds - prep;
            Console.WriteLine($"cpu {(Process.GetCurrentProcess().TotalProcessorTime - cpu0).TotalSeconds:F2}s");
            var acc = ComparisonRunner.Evaluate(model, table, false, evalRows, data.Labels, classes, TrainerKind.Sdca).Accuracy;
            Console.WriteLine($"{rowsWanted} {variant}: prep {prep:F2}s fit {fit:F2}s acc {acc:F4} on {evalRows.Length}");
        }
        return 0;
    }
}
