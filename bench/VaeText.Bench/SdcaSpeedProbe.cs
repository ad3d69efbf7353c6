using System.Diagnostics;
using System.Globalization;
using Microsoft.ML;
using Microsoft.ML.Trainers;
using VaeText.Experiments;
using VaeText.Pipelines;

namespace VaeText.Bench;

/// <summary>
/// sdca-speed: one featurizer (ft = FeaturizeText defaults, ngrams = the TF-IDF candidate) fitted on a training TSV,
/// then SDCA on N seeded training rows with the comparison's settings under several ways of feeding ML.NET — wall
/// seconds per fit (one at a time) and test accuracy. Usage: sdca-speed TRAIN_TSV TEST_TSV ft|ngrams N[,N...] VARIANT[,...]
/// Variants: base (in-memory view, ML.NET's shuffling pool, a convergence check every pass), noshuffle, check5,
/// noshuffle-check5, cache (ML.NET's cache: a random-access shuffle), cache-check5; a suffix -itN caps the passes at N, -l2xF multiplies SDCA's L2 by F, -tolF sets the convergence tolerance (1e-3), -mldefaults keeps ML.NET's L2, tolerance and passes.
/// </summary>
internal static class SdcaSpeedProbe
{
    public static int Run(string[] args)
    {
        if (args.Length < 5) { Console.Error.WriteLine("usage: sdca-speed TRAIN_TSV TEST_TSV ft|ngrams N[,N...] VARIANT[,...]"); return 2; }
        var ml = new MLContext(1);
        var train = ComparisonRunner.Load(ml, args[0], "label", "text", default);
        var test = ComparisonRunner.Load(ml, args[1], "label", "text", default);
        var estimator = args[2] == "ft"
            ? CandidatePipelines.FeaturizeTextDefaults(ml, "text")
            : CandidatePipelines.Ngrams(ml, "text").Append(ml.Transforms.Concatenate(CandidatePipelines.FeaturesColumn, CandidatePipelines.NgramColumn));
        var full = ProbeTables.Featurize(estimator, train, test);
        var (tr, te) = (full.Train, full.Test!);
        var classes = train.Labels.Distinct().OrderBy(s => s, StringComparer.Ordinal).ToArray();
        var testRows = Enumerable.Range(0, te.Length).ToArray();
        var fields = new List<string>();
        foreach (int n in args[3].Split(',').Select(int.Parse))
        {
            var pick = n >= tr.Length ? Enumerable.Range(0, tr.Length).ToArray() : LabelSampler.Draw(n, tr.Length, 1);
            var table = full.Narrow(pick, default);
            var rows = ComparisonRunner.TrainingOrder(pick, 1);
            foreach (var variant in args[4].Split(','))
            {
                var m = new MLContext(1);
                var sw = Stopwatch.StartNew();
                IDataView view = table.View(m, false, rows, train.Labels);
                if (variant.StartsWith("cache", StringComparison.Ordinal)) view = m.Data.Cache(view);
                float l2 = CandidatePipelines.SdcaL2(args[2] == "ft" ? FeaturizerKind.FeaturizeText : FeaturizerKind.Ngrams, rows.Length)!.Value;
                int at = variant.IndexOf("-l2x", StringComparison.Ordinal);
                if (at >= 0) l2 *= float.Parse(variant[(at + 4)..].Split('-')[0], CultureInfo.InvariantCulture);
                int passes = variant.Contains("-it", StringComparison.Ordinal) ? int.Parse(variant[(variant.IndexOf("-it", StringComparison.Ordinal) + 3)..].Split('-')[0]) : 100;
                float tolerance = variant.Contains("-tol", StringComparison.Ordinal)
                    ? float.Parse(variant[(variant.IndexOf("-tol", StringComparison.Ordinal) + 4)..].Split('-')[0], CultureInfo.InvariantCulture) : 1e-3f;
                bool mlDefaults = variant.Contains("-mldefaults", StringComparison.Ordinal);
                var model = ProbeTables.FitSdca(m, view, classes, mlDefaults ? null : l2, table.SdcaL1, mlDefaults ? 0.1f : tolerance, mlDefaults ? null : passes,
                    shuffle: !variant.Contains("noshuffle", StringComparison.Ordinal), checkFrequency: variant.EndsWith("check5", StringComparison.Ordinal) ? 5 : null);
                double seconds = sw.Elapsed.TotalSeconds;
                double acc = ComparisonRunner.Evaluate(model, table, true, testRows, test.Labels, classes, TrainerKind.Sdca).Accuracy;
                var line = string.Create(CultureInfo.InvariantCulture, $"\"n{n}-{variant}\":{{\"accuracy\":{acc:0.####},\"fit_s\":{seconds:0.##}}}");
                Console.Error.WriteLine(line);
                fields.Add(line);
            }
        }
        Console.WriteLine("{" + string.Join(",", fields) + "}");
        return 0;
    }
}
