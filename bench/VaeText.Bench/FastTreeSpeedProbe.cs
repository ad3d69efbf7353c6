using System.Diagnostics;
using System.Globalization;
using Microsoft.ML;
using Microsoft.ML.Data;
using VaeText.Experiments;

namespace VaeText.Bench;

/// <summary>
/// fasttree-speed: wall seconds of one FastTree fit (the comparison's settings) on N random standardised rows of a
/// LATENT-wide dense table (no text needed), after a warm-up fit, for each N; and the same with ML.NET's MLContext
/// created once. Usage: fasttree-speed LATENT N[,N...]
/// </summary>
internal static class FastTreeSpeedProbe
{
    public static int Run(string[] args)
    {
        if (args.Length < 2) { Console.Error.WriteLine("usage: fasttree-speed LATENT N[,N...]"); return 2; }
        int l = int.Parse(args[0]);
        var sizes = args[1].Split(',').Select(int.Parse).ToArray();
        int total = sizes.Max() * 2;
        var rng = new Random(1);
        var labels = Enumerable.Range(0, total).Select(i => i % 2 == 0 ? "neg" : "pos").ToArray();
        var rows = labels.Select(c => new VBuffer<float>(l, Enumerable.Range(0, l).Select(d => (float)(rng.NextDouble() * 2 - 1 + (d < 4 && c == "pos" ? 0.5 : 0))).ToArray())).ToArray();
        var table = new FeatureTable { Train = rows, Size = l, Featurizer = null! };
        var classes = new[] { "neg", "pos" };
        var spec = new CandidateSpec(FeaturizerKind.Vae, TrainerKind.FastTree, new VaeSettings(l, 1));
        ComparisonRunner.FitClassifier(spec, table, Enumerable.Range(0, 100).ToArray(), labels, classes, 1, default); // warm-up
        var fields = new List<string>();
        foreach (int n in sizes)
        {
            var pick = Enumerable.Range(0, n).ToArray();
            var sw = Stopwatch.StartNew();
            const int repeats = 5;
            for (int i = 0; i < repeats; i++) ComparisonRunner.FitClassifier(spec, table, pick, labels, classes, 1 + i, default);
            fields.Add(string.Create(CultureInfo.InvariantCulture, $"\"n{n}\":{{\"fit_s\":{sw.Elapsed.TotalSeconds / repeats:0.###}}}"));
            Console.Error.WriteLine(fields[^1]);
        }
        // ML.NET's FastTree alone on the 160-row slice: its default 100 trees against 20, and 20 leaves against 4.
        foreach (var (trees, leaves) in new[] { (100, 20), (20, 20), (100, 4) })
        {
            var ml = new MLContext(1);
            var view = table.View(ml, false, Enumerable.Range(0, 160).ToArray(), labels);
            var mapped = Pipelines.TextClassifierPipeline.LabelMapping(ml, FeatureTable.LabelTextColumn, classes, true).Fit(view).Transform(view);
            var cached = ml.Data.Cache(mapped);
            var trainer = ml.BinaryClassification.Trainers.FastTree(new Microsoft.ML.Trainers.FastTree.FastTreeBinaryTrainer.Options
            {
                LabelColumnName = CandidatePipelines.LabelColumn, FeatureColumnName = CandidatePipelines.FeaturesColumn, NumberOfThreads = 1,
                MinimumExampleCountPerLeaf = 3, NumberOfTrees = trees, NumberOfLeaves = leaves,
            });
            trainer.Fit(cached);
            var sw = Stopwatch.StartNew();
            for (int i = 0; i < 5; i++) trainer.Fit(cached);
            fields.Add(string.Create(CultureInfo.InvariantCulture, $"\"trees{trees}-leaves{leaves}\":{{\"fit_s\":{sw.Elapsed.TotalSeconds / 5:0.###}}}"));
            Console.Error.WriteLine(fields[^1]);
        }
        Console.WriteLine("{" + string.Join(",", fields) + "}");
        return 0;
    }
}
