using System.Diagnostics;
using Microsoft.ML;
using Microsoft.ML.Data;
using Microsoft.ML.Trainers;
using VaeText.Experiments;
using VaeText.Pipelines;

namespace VaeText.Bench;

/// <summary>
/// latent-sdca-l2: test accuracy (mean of seeds 1-5) of SDCA on standardised latent means of a VAE trained on all
/// training texts, for labelled sizes 200, 500 and 2,500 and L2 = scale / rows, and of the scale picked by 5-fold CV.
/// The latent means are cached in CACHE (delete it to retrain).
/// Usage: latent-sdca-l2 TRAIN_TSV TEST_TSV LATENT EPOCHS CACHE [SCALES, default 0.1,0.3,1,3,10,30]
/// </summary>
internal static class LowLabelProbe
{
    public static int Run(string[] args)
    {
        if (args.Length < 5) { Console.Error.WriteLine("usage: latent-sdca-l2 TRAIN_TSV TEST_TSV LATENT EPOCHS CACHE [SCALES]"); return 2; }
        string trainPath = args[0], testPath = args[1];
        int latent = int.Parse(args[2]), epochs = int.Parse(args[3]);
        string cache = args[4];
        var ml = new MLContext(1);
        var train = ComparisonRunner.Load(ml, trainPath, "label", "text", default);
        var test = ComparisonRunner.Load(ml, testPath, "label", "text", default);
        var (tr, te) = ProbeTables.Means(cache, ml, train, test, new VaeSettings(latent, epochs));
        int l = latent;
        var mean = new double[l]; var sd = new double[l];
        int n = tr.Length / l;
        for (int i = 0; i < n; i++) for (int d = 0; d < l; d++) mean[d] += tr[i * l + d];
        for (int d = 0; d < l; d++) mean[d] /= n;
        for (int i = 0; i < n; i++) for (int d = 0; d < l; d++) sd[d] += Math.Pow(tr[i * l + d] - mean[d], 2);
        for (int d = 0; d < l; d++) sd[d] = Math.Sqrt(sd[d] / n);
        VBuffer<float>[] Std(float[] m) => Enumerable.Range(0, m.Length / l).Select(i =>
            new VBuffer<float>(l, Enumerable.Range(0, l).Select(d => (float)((m[i * l + d] - mean[d]) / sd[d])).ToArray())).ToArray();
        var table = new FeatureTable { Train = Std(tr), Test = Std(te), Size = l, Featurizer = null! };
        var classes = train.Labels.Distinct().OrderBy(s => s, StringComparer.Ordinal).ToArray();
        var y = train.Labels.Select(s => Array.IndexOf(classes, s)).ToArray();
        double[] scales = args.Length > 5 ? args[5].Split(",").Select(double.Parse).ToArray() : [0.1, 0.3, 1, 3, 10, 30];
        foreach (int size in new[] { 200, 500, 2500 })
        {
            var acc = new List<double>[scales.Length];
            for (int k = 0; k < scales.Length; k++) acc[k] = new();
            var picked = new List<double>();
            for (int seed = 1; seed <= 5; seed++)
            {
                var rows = LabelSampler.Draw(size, n, seed);
                var folds = CrossValidationFolds.Create(rows, y, seed)!;
                double bestCv = -1; double bestTest = 0;
                for (int k = 0; k < scales.Length; k++)
                {
                    float l2 = (float)(scales[k] / rows.Length);
                    double correct = 0; int total = 0;
                    for (int f = 0; f < folds.Run; f++)
                    {
                        var (fit, ev) = folds.Split(rows, f);
                        var mdl = Fit(table, fit, train.Labels, classes, seed, l2);
                        correct += ComparisonRunner.Evaluate(mdl, table, false, ev, train.Labels, classes, TrainerKind.Sdca).Accuracy * ev.Length;
                        total += ev.Length;
                    }
                    var model = Fit(table, rows, train.Labels, classes, seed, l2);
                    double a = ComparisonRunner.Evaluate(model, table, true, Enumerable.Range(0, test.Labels.Length).ToArray(), test.Labels, classes, TrainerKind.Sdca).Accuracy;
                    acc[k].Add(a);
                    if (correct / total > bestCv) { bestCv = correct / total; bestTest = a; }
                }
                picked.Add(bestTest);
            }
            for (int k = 0; k < scales.Length; k++) Console.WriteLine($"{size} l2={scales[k]}/n: {100 * acc[k].Average():F2}");
            Console.WriteLine($"{size} cv-picked: {100 * picked.Average():F2}");
        }
        return 0;
    }

    private static ITransformer Fit(FeatureTable table, int[] rows, IReadOnlyList<string> labels, string[] classes, int seed, float l2)
    {
        var ml = new MLContext(seed);
        return ProbeTables.FitSdca(ml, ml.Data.Cache(table.View(ml, false, rows, labels)), classes, l2, tolerance: 1e-3f, passes: 100);
    }
}
