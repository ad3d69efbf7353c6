using NUnit.Framework;
using VaeText.Core;
using VaeText.Trainers.FastTree;

namespace VaeText.Tests.Trainers;

/// Twins of the fast GBDT kernels (radix binning, row/column histograms, SIMD split search, class-parallel
/// multiclass, packed prediction) against plain references.
public class FastTreeKernelTests
{
    private static float[] RandomTable(int rows, int cols, int seed)
    {
        var r = new Rng(seed);
        var x = new float[rows * cols];
        for (int i = 0; i < rows; i++)
        {
            for (int j = 0; j < cols; j++)
            {
                float v = j switch
                {
                    0 => MathF.Round(r.NextFloat() * 20 - 10) * 0.5f,    // many duplicates, zeros, negatives
                    1 => 3.25f,                                          // constant: dropped
                    2 => r.NextDouble() < 0.3 ? -0f : (float)(r.NextDouble() * 1e6 - 5e5),
                    3 => r.NextDouble() < 0.01 ? float.PositiveInfinity : r.NextDouble() < 0.01 ? float.NegativeInfinity : r.NextFloat(),
                    _ => (float)(r.NextDouble() * 2 - 1) * (j + 1),
                };
                x[i * cols + j] = v;
            }
        }
        return x;
    }

    [TestCase(255)]
    [TestCase(16)]
    public void RadixBinningEqualsSortAndBinarySearch(int maxBins)
    {
        int rows = 3000, cols = 6;
        var x = RandomTable(rows, cols, 4);
        var d = BinnedData.FromDense(x, rows, cols, maxBins, threads: 2);
        Assert.That(d.FeatureIndex, Is.EqualTo(new[] { 0, 2, 3, 4, 5 }), "constant column 1 is dropped");
        int U = d.UsedFeatures;
        for (int k = 0; k < U; k++)
        {
            int f = d.FeatureIndex[k];
            var col = Enumerable.Range(0, rows).Select(i => x[i * cols + f]).ToArray();
            Array.Sort(col);
            var reference = FeatureBins.FromSorted(col, 0, maxBins);
            Assert.That(d.FeatureBins[k].UpperBounds, Is.EqualTo(reference.UpperBounds), $"bounds of feature {f}");
            for (int i = 0; i < rows; i++)
            {
                Assert.That(d.Bins[i * U + k], Is.EqualTo(reference.BinOf(x[i * cols + f])), $"row {i} feature {f}");
                Assert.That(d.Columns[k * rows + i], Is.EqualTo(d.Bins[i * U + k]), $"column copy, row {i} feature {f}");
            }
        }
    }

    [Test]
    public void RowAndColumnHistogramsEqualAPlainSum()
    {
        int rows = 700, cols = 6;
        var x = RandomTable(rows, cols, 7);
        var d = BinnedData.FromDense(x, rows, cols, 32, threads: 1);
        var r = new Rng(3);
        var grad = Enumerable.Range(0, rows).Select(_ => r.NextDouble() * 2 - 1).ToArray();
        var hess = Enumerable.Range(0, rows).Select(_ => r.NextDouble()).ToArray();
        var subset = Enumerable.Range(0, rows).Where(_ => r.NextDouble() < 0.6).ToArray();
        int U = d.UsedFeatures;
        foreach (var mask in new[] { Enumerable.Repeat(true, U).ToArray(), Enumerable.Range(0, U).Select(u => u % 2 == 0).ToArray() })
        {
            var expected = new double[d.HistOffset[U] * TreeLearner.Stride];
            foreach (int i in subset)
            {
                for (int u = 0; u < U; u++)
                {
                    if (!mask[u]) continue;
                    int e = (d.HistOffset[u] + d.Bins[i * U + u]) * TreeLearner.Stride;
                    expected[e] += grad[i]; expected[e + 1] += hess[i]; expected[e + 2] += 1;
                }
            }
            var learner = new TreeLearner(d);
            foreach (bool byColumn in new[] { false, true })
            {
                foreach (int threads in new[] { 1, 3 })
                {
                    var h = learner.HistogramOf(subset, grad, hess, mask, byColumn, threads);
                    for (int u = 0; u < U; u++)
                    {
                        if (!mask[u]) continue;
                        int a = d.HistOffset[u] * TreeLearner.Stride, len = (d.HistOffset[u + 1] - d.HistOffset[u]) * TreeLearner.Stride;
                        Assert.That(h.AsSpan(a, len).ToArray(), Is.EqualTo(expected.AsSpan(a, len).ToArray()), $"feature {u}, byColumn {byColumn}, threads {threads}");
                    }
                }
            }
        }
    }

    [TestCase(1)]
    [TestCase(2)]
    public void SingleSplitEqualsBruteForceUnderAllConstraints(int threads)
    {
        int rows = 400, cols = 5;
        var x = RandomTable(rows, cols, 11);
        var r = new Rng(5);
        var y = Enumerable.Range(0, rows).Select(i => (x[i * cols + 4] + 0.5 * r.NextDouble() > 0.2 ? 1f : 0f)).ToArray();
        double lambda = 0.7, minH = 3.0, lr = 1.0; int minLeaf = 13;
        var res = GbdtTrainer.Train(x, rows, cols, y, GbdtTask.BinaryClassification, 2, new GbdtOptions
        {
            NumberOfTrees = 1, NumberOfLeaves = 2, LearningRate = lr, L2Regularization = lambda, MinimumHessianPerLeaf = minH,
            MinimumExampleCountPerLeaf = minLeaf, MaximumBinCountPerFeature = 40, NumberOfThreads = threads,
        });
        // Brute force over every used feature and bin threshold, with the same binning.
        var d = BinnedData.FromDense(x, rows, cols, 40, 1);
        double init = res.Model.InitialScores[0], p = 1 / (1 + Math.Exp(-init)), hh = p * (1 - p);
        var g = y.Select(v => p - v).ToArray();
        double G = g.Sum(), H = hh * rows, best = double.NegativeInfinity; int bu = -1, bb = -1;
        int U = d.UsedFeatures;
        for (int u = 0; u < U; u++)
        {
            for (int b = 0; b < d.FeatureBins[u].Count - 1; b++)
            {
                double gl = 0; int cl = 0;
                for (int i = 0; i < rows; i++) if (d.Bins[i * U + u] <= b) { gl += g[i]; cl++; }
                int cr = rows - cl;
                double hl = hh * cl, hr = hh * cr, gr = G - gl;
                if (cl < minLeaf || cr < minLeaf || hl < minH || hr < minH) continue;
                if (!Enumerable.Range(0, rows).Any(i => d.Bins[i * U + u] == b)) continue; // empty bin: same split as before
                double gain = gl * gl / (hl + lambda) + gr * gr / (hr + lambda) - G * G / (H + lambda);
                if (gain > best + 1e-9) { best = gain; bu = u; bb = b; }
            }
        }
        Assert.That(bu, Is.GreaterThanOrEqualTo(0));
        double gL = 0, hL = 0, gR = 0, hR = 0;
        for (int i = 0; i < rows; i++)
        {
            if (d.Bins[i * U + bu] <= bb) { gL += g[i]; hL += hh; } else { gR += g[i]; hR += hh; }
        }
        var raw = res.Model.PredictRawBatch(x, rows, 1);
        for (int i = 0; i < rows; i++)
        {
            double expect = init - lr * (d.Bins[i * U + bu] <= bb ? gL / (hL + lambda) : gR / (hR + lambda));
            Assert.That(raw[i], Is.EqualTo(expect).Within(1e-9), $"row {i}");
        }
    }

    [TestCase(1.0)]
    [TestCase(0.8)]
    public void MulticlassTreesGrownSideBySideDoNotDependOnThreads(double bagging)
    {
        int rows = 500, cols = 6, K = 5;
        var x = RandomTable(rows, cols, 21);
        var y = Enumerable.Range(0, rows).Select(i => (float)((int)MathF.Abs(x[i * cols] * 2 + x[i * cols + 4]) % K)).ToArray();
        double[]? first = null;
        foreach (int threads in new[] { 1, 2, 3 })
        {
            var res = GbdtTrainer.Train(x, rows, cols, y, GbdtTask.MulticlassClassification, K, new GbdtOptions
            {
                NumberOfTrees = 6, NumberOfLeaves = 7, MinimumExampleCountPerLeaf = 4, BaggingFraction = bagging, FeatureFraction = 0.8,
                Seed = 3, NumberOfThreads = threads,
            });
            var raw = res.Model.PredictRawBatch(x, rows, threads);
            if (first == null) first = raw;
            else Assert.That(raw, Is.EqualTo(first), $"threads {threads}");
            for (int t = 1; t < res.TrainingLoss.Count; t++) Assert.That(res.TrainingLoss[t], Is.LessThan(res.TrainingLoss[t - 1]));
        }
    }

    [Test]
    public void BatchPredictionEqualsOneRowAtATime()
    {
        int rows = 300, cols = 6, K = 3;
        var x = RandomTable(rows, cols, 31);
        var y = Enumerable.Range(0, rows).Select(i => (float)(x[i * cols + 5] > 1 ? 2 : x[i * cols] > 0 ? 1 : 0)).ToArray();
        var model = GbdtTrainer.Train(x, rows, cols, y, GbdtTask.MulticlassClassification, K,
            new GbdtOptions { NumberOfTrees = 7, NumberOfLeaves = 9, MinimumExampleCountPerLeaf = 2 }).Model;
        // Rows that reach deep and shallow leaves alike, single-leaf-free trees, and NaN (goes right, as in PredictRaw).
        x[5 * cols] = float.NaN; x[17 * cols + 5] = float.NaN; x[18 * cols + 4] = float.PositiveInfinity;
        var batch = model.PredictRawBatch(x, rows, 2);
        var one = new double[K];
        for (int i = 0; i < rows; i++)
        {
            model.PredictRaw(x.AsSpan(i * cols, cols), one);
            Assert.That(batch.AsSpan(i * K, K).ToArray(), Is.EqualTo(one), $"row {i}");
        }
    }

    [Test]
    public void SoftmaxHessianScaleGivesXgboostStyleNewtonSteps()
    {
        // One round, two leaves per class tree, scale 2 and λ = 0.5: compare with a brute-force Newton step per class.
        int n = 40, K = 4;
        var x = new float[n]; var y = new float[n];
        for (int i = 0; i < n; i++) { x[i] = i; y[i] = i * K / n; }
        y[2] = 3; y[33] = 1;
        double lr = 0.4, lambda = 0.5, scale = 2;
        var res = GbdtTrainer.Train(x, n, 1, y, GbdtTask.MulticlassClassification, K, new GbdtOptions
        {
            NumberOfTrees = 1, NumberOfLeaves = 2, LearningRate = lr, L2Regularization = lambda, SoftmaxHessianScale = scale,
            MinimumExampleCountPerLeaf = 1, NumberOfThreads = 1,
        });
        var counts = new double[K]; foreach (var v in y) counts[(int)v]++;
        var init = counts.Select(c => Math.Log(c / n)).ToArray();
        double z = init.Sum(Math.Exp);
        var p = init.Select(v => Math.Exp(v) / z).ToArray();
        var raw = new double[K];
        for (int k = 0; k < K; k++)
        {
            var g = y.Select(v => p[k] - ((int)v == k ? 1.0 : 0.0)).ToArray();
            double h = scale * p[k] * (1 - p[k]);
            double G = g.Sum(), H = h * n, best = double.NegativeInfinity; int cut = -1;
            for (int c = 1; c < n; c++)
            {
                double gl = g.Take(c).Sum(), hl = h * c, gr = G - gl, hr = H - hl;
                double gain = gl * gl / (hl + lambda) + gr * gr / (hr + lambda) - G * G / (H + lambda);
                if (gain > best + 1e-12) { best = gain; cut = c; }
            }
            double lv = -lr * g.Take(cut).Sum() / (h * cut + lambda), rv = -lr * g.Skip(cut).Sum() / (h * (n - cut) + lambda);
            for (int i = 0; i < n; i++)
            {
                res.Model.PredictRaw([x[i]], raw);
                Assert.That(raw[k], Is.EqualTo(init[k] + (i < cut ? lv : rv)).Within(1e-9), $"row {i} class {k}");
            }
        }
        Assert.That(() => GbdtTrainer.Train(x, n, 1, y, GbdtTask.MulticlassClassification, K, new GbdtOptions { SoftmaxHessianScale = 0.5 }),
            Throws.TypeOf<ArgumentOutOfRangeException>().With.Message.Contains("softmaxHessianScale"));
    }
}
