using System.Diagnostics;
using System.Globalization;
using Microsoft.ML;
using Microsoft.ML.Trainers;
using VaeText.Experiments;
using VaeText.Pipelines;

namespace VaeText.Bench;

/// <summary>
/// ngrams-sdca: the comparison's TF-IDF word 1–2-grams fitted on a training TSV, then SDCA on every training row with
/// several (L2 × rows, passes) settings, scored on the test TSV; one JSON line with accuracy and CPU seconds per setting.
/// Usage: ngrams-sdca TRAIN_TSV TEST_TSV SETTINGS (e.g. 0.002:100,0.02:100,0.002:300)
/// </summary>
internal static class NgramsAllProbe
{
    public static int Run(string[] args)
    {
        if (args.Length < 3) { Console.Error.WriteLine("usage: ngrams-sdca TRAIN_TSV TEST_TSV L2xROWS:PASSES[,...]"); return 2; }
        var ml = new MLContext(1);
        var train = ComparisonRunner.Load(ml, args[0], "label", "text", default);
        var test = ComparisonRunner.Load(ml, args[1], "label", "text", default);
        var table = ProbeTables.Featurize(CandidatePipelines.Ngrams(ml, "text").Append(ml.Transforms.Concatenate(CandidatePipelines.FeaturesColumn, CandidatePipelines.NgramColumn)), train, test);
        var (tr, te) = (table.Train, table.Test!);
        var classes = train.Labels.Distinct().OrderBy(s => s, StringComparer.Ordinal).ToArray();
        var rows = ComparisonRunner.TrainingOrder(Enumerable.Range(0, tr.Length).ToArray(), 1);
        var settings = args[2].Split(',').Select(s => s.Split(':')).Select(p => (L2: float.Parse(p[0], CultureInfo.InvariantCulture), Passes: int.Parse(p[1]))).ToArray();
        var results = new string[settings.Length];
        Parallel.For(0, settings.Length, new ParallelOptions { MaxDegreeOfParallelism = 2 }, i =>
        {
            var (l2, passes) = settings[i];
            var m = new MLContext(1);
            var sw = Stopwatch.StartNew();
            var view = m.Data.Cache(table.View(m, false, rows, train.Labels));
            var model = ProbeTables.FitSdca(m, view, classes, l2 / rows.Length, tolerance: 1e-3f, passes: passes);
            double seconds = sw.Elapsed.TotalSeconds;
            double acc = ComparisonRunner.Evaluate(model, table, true, Enumerable.Range(0, te.Length).ToArray(), test.Labels, classes, TrainerKind.Sdca).Accuracy;
            results[i] = string.Create(CultureInfo.InvariantCulture, $"\"{l2}:{passes}\":{{\"accuracy\":{acc:0.####},\"fit_s\":{seconds:0.#}}}");
        });
        Console.WriteLine("{" + string.Join(",", results) + "}");
        return 0;
    }
}
