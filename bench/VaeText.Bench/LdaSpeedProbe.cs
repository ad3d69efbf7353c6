using System.Diagnostics;
using System.Globalization;
using Microsoft.ML;
using Microsoft.ML.Transforms.Text;
using VaeText.Experiments;

namespace VaeText.Bench;

/// <summary>
/// lda-speed: the comparison's LDA featurizer fitted on a training TSV with ML.NET's log-likelihood computed every
/// INTERVAL iterations, for each given interval: wall seconds of the fit + transform, and the largest difference of the
/// topic vectors from the first interval's. Usage: lda-speed TRAIN_TSV TOPICS INTERVAL[:THREADS][,...] (threads 0 = ML.NET's default)
/// </summary>
internal static class LdaSpeedProbe
{
    public static int Run(string[] args)
    {
        if (args.Length < 3) { Console.Error.WriteLine("usage: lda-speed TRAIN_TSV TOPICS INTERVAL[,...]"); return 2; }
        var ml = new MLContext(1);
        var train = ComparisonRunner.Load(ml, args[0], "label", "text", default);
        int topics = int.Parse(args[1]);
        float[][]? first = null;
        var fields = new List<string>();
        foreach (var spec in args[2].Split(','))
        {
            // INTERVAL or INTERVAL:THREADS
            int interval = int.Parse(spec.Split(':')[0]);
            int threads = spec.Contains(':') ? int.Parse(spec.Split(':')[1]) : 0;
            var sw = Stopwatch.StartNew();
            var fitted = CandidatePipelines.Lda(ml, "text", topics, threads, interval).Fit(train.View);
            var (rows, _) = FeatureTable.Read(fitted.Transform(train.View), CandidatePipelines.FeaturesColumn, default);
            double seconds = sw.Elapsed.TotalSeconds;
            var dense = rows.Select(v => v.DenseValues().ToArray()).ToArray();
            first ??= dense;
            double diff = 0;
            for (int i = 0; i < dense.Length; i++)
                for (int j = 0; j < dense[i].Length; j++) diff = Math.Max(diff, Math.Abs(dense[i][j] - first[i][j]));
            var line = string.Create(CultureInfo.InvariantCulture, $"\"{spec}\":{{\"seconds\":{seconds:0.#},\"max_diff\":{diff:G3}}}");
            Console.Error.WriteLine(line);
            fields.Add(line);
        }
        Console.WriteLine("{" + string.Join(",", fields) + "}");
        return 0;
    }
}
