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
/// Variants: plain; lib (the library's SelfTraining); st:F:R (R rounds, the last one adding the fraction F of the unlabelled rows, balanced by the
/// labelled class shares, most confident first).
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
                    var model = variants[k] switch
                    {
                        "plain" => ComparisonRunner.FitClassifier(spec, table, rows, train.Labels, classes, seed, default),
                        "lib" => ComparisonRunner.FitClassifier(spec with { SelfTrained = true }, table, rows, train.Labels, classes, seed, default),
                        _ => SelfTrain(spec, table, rows, train.Labels, classes, seed, variants[k]),
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

    private static ITransformer SelfTrain(CandidateSpec spec, FeatureTable table, int[] rows, IReadOnlyList<string> labels, string[] classes, int seed, string variant)
    {
        var p = variant.Split(':');
        double fraction = double.Parse(p[1], CultureInfo.InvariantCulture);
        int rounds = int.Parse(p[2]);
        var labelled = new HashSet<int>(rows);
        var pool = Enumerable.Range(0, table.Train.Length).Where(i => !labelled.Contains(i)).ToArray();
        if (p.Length > 3 && int.Parse(p[3]) < pool.Length)
        {
            new Core.Rng(seed).Shuffle<int>(pool);
            pool = pool[..int.Parse(p[3])];
            Array.Sort(pool);
        }
        var share = classes.Select(c => rows.Count(r => labels[r] == c) / (double)rows.Length).ToArray();
        var pseudo = labels.ToArray(); // only the labelled rows' entries are read before they are overwritten below
        var model = ComparisonRunner.FitClassifier(spec, table, rows, labels, classes, seed, default);
        for (int round = 1; round <= rounds; round++)
        {
            int m = (int)(pool.Length * fraction * round / rounds);
            var scores = Score(model, table, pool, labels);
            var picked = new List<int>();
            for (int c = 0; c < classes.Length; c++)
            {
                int quota = (int)Math.Round(m * share[c]);
                var mine = Enumerable.Range(0, pool.Length).Where(i => Argmax(scores[i]) == c).OrderByDescending(i => scores[i][c]).Take(quota);
                foreach (int i in mine) { picked.Add(pool[i]); pseudo[pool[i]] = classes[c]; }
            }
            var all = rows.Concat(picked).ToArray();
            model = ComparisonRunner.FitClassifier(spec, table, all, pseudo, classes, seed, default);
        }
        return model;
    }

    private static int Argmax(float[] s) { int b = 0; for (int i = 1; i < s.Length; i++) if (s[i] > s[b]) b = i; return b; }

    private static float[][] Score(ITransformer model, FeatureTable table, int[] rows, IReadOnlyList<string> labels)
    {
        var ml = new MLContext(1);
        var scored = model.Transform(table.View(ml, false, rows, labels));
        var result = new float[rows.Length][];
        if (scored.Schema.GetColumnOrNull("Probability") is { } probability)
        {
            int j = 0;
            foreach (float p in scored.GetColumn<float>(probability)) result[j++] = [1 - p, p];
            return result;
        }
        using var cursor = scored.GetRowCursor(scored.Schema.Where(c => c.Name == "Score"));
        var getter = cursor.GetGetter<VBuffer<float>>(scored.Schema["Score"]);
        var buffer = default(VBuffer<float>);
        int k = 0;
        while (cursor.MoveNext()) { getter(ref buffer); result[k++] = buffer.DenseValues().ToArray(); }
        return result;
    }
}
