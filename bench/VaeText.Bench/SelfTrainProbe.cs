using System.Diagnostics;
using System.Globalization;
using Microsoft.ML;
using Microsoft.ML.Data;
using VaeText.Experiments;

namespace VaeText.Bench;

/// <summary>
/// self-train: SDCA on the standardised latent means of VAEs (several sizes side by side) with and without self-training
/// on the unlabelled training rows, test accuracy (mean of seeds 1-5) per labelled size.
/// Usage: self-train TRAIN_TSV TEST_TSV LATENTS(16,32,64 or 32:10 for other epochs) EPOCHS CACHE_PREFIX SIZES VARIANTS
/// Variants: plain; lib (the comparison's self-trained SDCA); st:R[:P] (the library's self-training with R rounds over at
/// most P unlabelled rows, default all); tfidf:W (TF-IDF ⊕ the latent block times W).
/// </summary>
internal static class SelfTrainProbe
{
    public static int Run(string[] args)
    {
        if (args.Length < 7) { Console.Error.WriteLine("usage: self-train TRAIN_TSV TEST_TSV LATENTS EPOCHS CACHE_PREFIX SIZES VARIANTS"); return 2; }
        var ml = new MLContext(1);
        var train = ComparisonRunner.Load(ml, args[0], "label", "text", default);
        var test = ComparisonRunner.Load(ml, args[1], "label", "text", default);
        int epochs = int.Parse(args[3]);
        int n = train.Texts.Length, nt = test.Texts.Length;
        var blocks = new List<(float[] Tr, float[] Te, int L)>();
        foreach (var member in args[2].Split(','))
        {
            // LATENT or LATENT:EPOCHS
            int l = int.Parse(member.Split(':')[0]);
            int ep = member.Contains(':') ? int.Parse(member.Split(':')[1]) : epochs;
            var (tr, te) = ProbeTables.Means($"{args[4]}-{l}-{ep}-{n}-{nt}.bin", ml, train, test, new VaeSettings(l, ep));
            blocks.Add((tr, te, l));
        }
        int width = blocks.Sum(b => b.L);
        var trainZ = new float[n][]; var testZ = new float[nt][];
        for (int i = 0; i < n; i++) trainZ[i] = new float[width];
        for (int i = 0; i < nt; i++) testZ[i] = new float[width];
        int offset = 0;
        foreach (var (tr, te, l) in blocks)
        {
            for (int d = 0; d < l; d++)
            {
                double mean = 0, sq = 0;
                for (int i = 0; i < n; i++) mean += tr[i * l + d];
                mean /= n;
                for (int i = 0; i < n; i++) sq += Math.Pow(tr[i * l + d] - mean, 2);
                double sd = Math.Sqrt(sq / n) + 1e-12;
                for (int i = 0; i < n; i++) trainZ[i][offset + d] = (float)((tr[i * l + d] - mean) / sd);
                for (int i = 0; i < nt; i++) testZ[i][offset + d] = (float)((te[i * l + d] - mean) / sd);
            }
            offset += l;
        }
        var table = new FeatureTable
        {
            Train = trainZ.Select(v => new VBuffer<float>(width, v)).ToArray(),
            Test = testZ.Select(v => new VBuffer<float>(width, v)).ToArray(),
            Size = width, Featurizer = null!,
        };
        FeatureTable? ngrams = null;
        var bothTables = new Dictionary<string, FeatureTable>();
        FeatureTable Both(string variant)
        {
            lock (bothTables)
            {
                if (bothTables.TryGetValue(variant, out var t)) return t;
                ngrams ??= ProbeTables.Featurize(CandidatePipelines.Ngrams(ml, "text").Append(ml.Transforms.Concatenate(CandidatePipelines.FeaturesColumn, CandidatePipelines.NgramColumn)), train, test);
                float w = float.Parse(variant[6..], CultureInfo.InvariantCulture);
                var scaledTr = table.Train.Select(v => new VBuffer<float>(width, v.DenseValues().Select(x => x * w).ToArray())).ToArray();
                var scaledTe = table.Test!.Select(v => new VBuffer<float>(width, v.DenseValues().Select(x => x * w).ToArray())).ToArray();
                t = new FeatureTable
                {
                    Train = FeatureTable.Concatenate(ngrams.Train, ngrams.Size, scaledTr, width),
                    Test = FeatureTable.Concatenate(ngrams.Test!, ngrams.Size, scaledTe, width),
                    Size = ngrams.Size + width, Featurizer = ngrams.Featurizer,
                };
                bothTables[variant] = t;
                return t;
            }
        }
        var classes = train.Labels.Distinct().OrderBy(s => s, StringComparer.Ordinal).ToArray();
        var spec = new CandidateSpec(FeaturizerKind.VaeEnsemble, TrainerKind.Sdca, new VaeSettings(blocks[0].L, epochs));
        var testRows = Enumerable.Range(0, nt).ToArray();
        var variants = args[6].Split(',');
        var fields = new List<string>();
        foreach (int size in args[5].Split(',').Select(int.Parse))
        {
            var acc = variants.Select(_ => new double[5]).ToArray();
            var seconds = new double[variants.Length];
            Parallel.For(1, 6, new ParallelOptions { MaxDegreeOfParallelism = 2 }, seed =>
            {
                var rows = LabelSampler.Draw(size, n, seed);
                for (int k = 0; k < variants.Length; k++)
                {
                    var clock = Stopwatch.StartNew();
                    if (variants[k].StartsWith("tfidf:", StringComparison.Ordinal))
                    {
                        var both = Both(variants[k]).Narrow(rows, default);
                        var m = ComparisonRunner.FitClassifier(new CandidateSpec(FeaturizerKind.Both, TrainerKind.Sdca, spec.Vae), both, rows, train.Labels, classes, seed, default);
                        acc[k][seed - 1] = ComparisonRunner.Evaluate(m, both, true, testRows, test.Labels, classes, TrainerKind.Sdca).Accuracy;
                        lock (seconds) seconds[k] += clock.Elapsed.TotalSeconds;
                        continue;
                    }
                    // st:R or st:R:P: the library's self-training with R rounds over at most P unlabelled rows (default: all).
                    var st = variants[k].Split(':');
                    var model = st[0] switch
                    {
                        "plain" => ComparisonRunner.FitClassifier(spec, table, rows, train.Labels, classes, seed, default),
                        "lib" => ComparisonRunner.FitClassifier(spec with { SelfTrained = true }, table, rows, train.Labels, classes, seed, default),
                        _ => SelfTraining.Fit(spec, table, rows, SelfTraining.Pool(n, rows, null, seed, st.Length > 2 ? int.Parse(st[2]) : int.MaxValue),
                            train.Labels, classes, seed, default, rounds: int.Parse(st[1])),
                    };
                    lock (seconds) seconds[k] += clock.Elapsed.TotalSeconds;
                    acc[k][seed - 1] = ComparisonRunner.Evaluate(model, table, true, testRows, test.Labels, classes, TrainerKind.Sdca).Accuracy;
                }
            });
            for (int k = 0; k < variants.Length; k++)
            {
                var line = string.Create(CultureInfo.InvariantCulture, $"\"{size}:{variants[k]}\":{{\"accuracy\":{100 * acc[k].Average():0.##},\"fit_s_per_seed\":{seconds[k] / 5:0.#},\"seeds\":[{string.Join(",", acc[k].Select(a => (100 * a).ToString("0.##", CultureInfo.InvariantCulture)))}]}}");
                Console.Error.WriteLine(line);
                fields.Add(line);
            }
        }
        Console.WriteLine("{" + string.Join(",", fields) + "}");
        return 0;
    }
}
