using NUnit.Framework;
using VaeText.Core;
using VaeText.Tensors;
using VaeText.Trainers.FastTree;

namespace VaeText.Tests.Trainers;

public class FastTreeTests
{
    private static double Sigmoid(double x) => 1 / (1 + Math.Exp(-x));

    [Test]
    public void StepFunctionSplitFoundExactlyAndLeavesAreRegularisedNewtonSteps()
    {
        // One feature 0..99; label 1 iff x >= 60 except a few flips so the leaves are not pure.
        int n = 100;
        var x = new float[n]; var y = new float[n];
        for (int i = 0; i < n; i++) { x[i] = i; y[i] = i >= 60 ? 1 : 0; }
        y[5] = 1; y[80] = 0;
        double lambda = 2.5, lr = 0.3;
        var res = GbdtTrainer.Train(x, n, 1, y, GbdtTask.BinaryClassification, 2,
            new GbdtOptions { NumberOfTrees = 1, NumberOfLeaves = 2, LearningRate = lr, L2Regularization = lambda, MinimumExampleCountPerLeaf = 1, NumberOfThreads = 1 });
        double pos = y.Sum(), init = Math.Log(pos / (n - pos));
        Assert.That(res.Model.InitialScores[0], Is.EqualTo(init).Within(1e-12));
        // Independent Newton step per side of the true step at 59.5.
        double p = Sigmoid(init);
        double gl = 0, hl = 0, gr = 0, hr = 0;
        for (int i = 0; i < n; i++)
        {
            if (x[i] < 60) { gl += p - y[i]; hl += p * (1 - p); } else { gr += p - y[i]; hr += p * (1 - p); }
        }
        var raw = new double[1];
        res.Model.PredictRaw([10f], raw);
        Assert.That(raw[0], Is.EqualTo(init - lr * gl / (hl + lambda)).Within(1e-9));
        res.Model.PredictRaw([70f], raw);
        Assert.That(raw[0], Is.EqualTo(init - lr * gr / (hr + lambda)).Within(1e-9));
        res.Model.PredictRaw([59f], raw);
        Assert.That(raw[0], Is.EqualTo(init - lr * gl / (hl + lambda)).Within(1e-9));
        res.Model.PredictRaw([60f], raw);
        Assert.That(raw[0], Is.EqualTo(init - lr * gr / (hr + lambda)).Within(1e-9));
    }

    [Test]
    public void RegressionSingleSplitGivesSideMeans()
    {
        int n = 40;
        var x = new float[n]; var y = new float[n];
        for (int i = 0; i < n; i++) { x[i] = i * 0.1f; y[i] = i < 25 ? 1f : 4f; }
        var res = GbdtTrainer.Train(x, n, 1, y, GbdtTask.Regression, 0,
            new GbdtOptions { NumberOfTrees = 1, NumberOfLeaves = 2, LearningRate = 1, MinimumExampleCountPerLeaf = 1, NumberOfThreads = 1 });
        var o = new double[1];
        res.Model.Predict([0.5f], o); Assert.That(o[0], Is.EqualTo(1.0).Within(1e-9));
        res.Model.Predict([3.0f], o); Assert.That(o[0], Is.EqualTo(4.0).Within(1e-9));
    }

    private static (float[] X, float[] Y) Xor(int n, int seed)
    {
        var r = new Rng(seed);
        var x = new float[n * 3]; var y = new float[n];
        for (int i = 0; i < n; i++)
        {
            for (int j = 0; j < 3; j++) x[i * 3 + j] = r.NextFloat();
            y[i] = (x[i * 3] > 0.5f) ^ (x[i * 3 + 1] > 0.5f) ? 1 : 0;
        }
        return (x, y);
    }

    [Test]
    public void SeparableProblemReachesZeroTrainingErrorWithMonotoneLoss()
    {
        var (x, y) = Xor(400, 3);
        var res = GbdtTrainer.Train(x, 400, 3, y, GbdtTask.BinaryClassification, 2,
            new GbdtOptions { NumberOfTrees = 60, NumberOfLeaves = 8, MinimumExampleCountPerLeaf = 2 });
        for (int t = 1; t < res.TrainingLoss.Count; t++) Assert.That(res.TrainingLoss[t], Is.LessThan(res.TrainingLoss[t - 1]), $"round {t}");
        var raw = res.Model.PredictRawBatch(x, 400);
        for (int i = 0; i < 400; i++) Assert.That(raw[i] > 0 ? 1f : 0f, Is.EqualTo(y[i]), $"row {i}");
        var imp = res.Model.FeatureImportance();
        Assert.That(imp[2], Is.LessThan(imp[0]).And.LessThan(imp[1]));
    }

    [Test]
    public void NativeMulticlassFirstRoundMatchesBruteForceSoftmax()
    {
        // 3 classes on one feature; 2 leaves per tree; one round: compare with gradients computed by hand.
        int n = 30, K = 3;
        var x = new float[n]; var y = new float[n];
        for (int i = 0; i < n; i++) { x[i] = i; y[i] = i < 12 ? 0 : i < 20 ? 1 : 2; }
        y[3] = 2; y[25] = 0;
        double lr = 0.5;
        var res = GbdtTrainer.Train(x, n, 1, y, GbdtTask.MulticlassClassification, K,
            new GbdtOptions { NumberOfTrees = 1, NumberOfLeaves = 2, LearningRate = lr, MinimumExampleCountPerLeaf = 1, NumberOfThreads = 1 });
        var counts = new double[K]; foreach (var v in y) counts[(int)v]++;
        var init = counts.Select(c => Math.Log(c / n)).ToArray();
        var z = init.Sum(Math.Exp);
        var p = init.Select(v => Math.Exp(v) / z).ToArray();
        // Brute force: for each class tree, try every threshold, pick the best gain, compute leaf values.
        var expected = new double[n, K];
        for (int k = 0; k < K; k++)
        {
            var g = y.Select(v => p[k] - ((int)v == k ? 1.0 : 0.0)).ToArray();
            double h = K / (K - 1.0) * p[k] * (1 - p[k]);
            double G = g.Sum(), H = h * n, best = 0; int cut = -1;
            for (int c = 1; c < n; c++)
            {
                double gl = g.Take(c).Sum(), hl = h * c, gr = G - gl, hr = H - hl;
                double gain = gl * gl / hl + gr * gr / hr - G * G / H;
                if (gain > best + 1e-12) { best = gain; cut = c; }
            }
            double lv = -lr * g.Take(cut).Sum() / (h * cut), rv = -lr * g.Skip(cut).Sum() / (h * (n - cut));
            for (int i = 0; i < n; i++) expected[i, k] = init[k] + (i < cut ? lv : rv);
        }
        var o = new double[K];
        for (int i = 0; i < n; i++)
        {
            res.Model.Predict([x[i]], o);
            double zz = 0; for (int k = 0; k < K; k++) zz += Math.Exp(expected[i, k]);
            for (int k = 0; k < K; k++) Assert.That(o[k], Is.EqualTo(Math.Exp(expected[i, k]) / zz).Within(1e-9), $"row {i} class {k}");
        }
    }

    [Test]
    public void SaveLoadGivesBitIdenticalPredictionsAndCorruptionIsRejected()
    {
        var (x, y) = Xor(300, 5);
        var labels = y.Select((v, i) => (float)((int)v + (x[i * 3 + 2] > 0.5f ? 2 : 0))).ToArray();
        var res = GbdtTrainer.Train(x, 300, 3, labels, GbdtTask.MulticlassClassification, 4,
            new GbdtOptions { NumberOfTrees = 10, NumberOfLeaves = 6, BaggingFraction = 0.7, FeatureFraction = 0.67, Seed = 9 });
        var ms = new MemoryStream();
        res.Model.Save(ms);
        var bytes = ms.ToArray();
        var back = GbdtModel.Load(new MemoryStream(bytes));
        Assert.That(back.PredictRawBatch(x, 300), Is.EqualTo(res.Model.PredictRawBatch(x, 300)));
        Assert.That(back.FeatureImportance(), Is.EqualTo(res.Model.FeatureImportance()));
        var bad = (byte[])bytes.Clone(); bad[0] ^= 0xFF;
        Assert.That(() => GbdtModel.Load(new MemoryStream(bad)), Throws.TypeOf<InvalidDataException>().With.Message.Contains("signature"));
        Assert.That(() => GbdtModel.Load(new MemoryStream(bytes[..(bytes.Length - 5)])), Throws.TypeOf<InvalidDataException>());
    }

    [Test]
    public void ResultsDoNotDependOnThreadCountAndSparseEqualsDense()
    {
        var (x, y) = Xor(300, 8);
        for (int i = 0; i < x.Length; i += 4) x[i] = 0; // some zeros
        var o1 = new GbdtOptions { NumberOfTrees = 8, NumberOfLeaves = 7, MinimumExampleCountPerLeaf = 3, NumberOfThreads = 1 };
        var o2 = o1.Clone(); o2.NumberOfThreads = 2;
        var a = GbdtTrainer.Train(x, 300, 3, y, GbdtTask.BinaryClassification, 2, o1).Model.PredictRawBatch(x, 300);
        var b = GbdtTrainer.Train(x, 300, 3, y, GbdtTask.BinaryClassification, 2, o2).Model.PredictRawBatch(x, 300);
        Assert.That(b, Is.EqualTo(a));
        var ptr = new List<int> { 0 }; var idx = new List<int>(); var val = new List<float>();
        for (int i = 0; i < 300; i++)
        {
            for (int j = 0; j < 3; j++) if (x[i * 3 + j] != 0) { idx.Add(j); val.Add(x[i * 3 + j]); }
            ptr.Add(idx.Count);
        }
        var csr = new CsrMatrix(300, 3, ptr.ToArray(), idx.ToArray(), val.ToArray());
        var c = GbdtTrainer.Train(csr, y, GbdtTask.BinaryClassification, 2, o1).Model.PredictRawBatch(x, 300);
        Assert.That(c, Is.EqualTo(a));
    }

    [Test]
    public void EarlyStoppingKeepsTheBestValidationRound()
    {
        var (x, y) = Xor(300, 11);
        var r = new Rng(2);
        var noisy = y.Select(v => r.NextDouble() < 0.3 ? 1 - v : v).ToArray();
        var (vx, vy) = Xor(200, 12);
        var res = GbdtTrainer.Train(x, 300, 3, noisy, GbdtTask.BinaryClassification, 2,
            new GbdtOptions { NumberOfTrees = 200, NumberOfLeaves = 16, MinimumExampleCountPerLeaf = 1, EarlyStoppingRounds = 5 }, (vx, vy));
        Assert.That(res.ValidationLoss.Count, Is.LessThan(200));
        int best = 0; for (int i = 1; i < res.ValidationLoss.Count; i++) if (res.ValidationLoss[i] < res.ValidationLoss[best]) best = i;
        Assert.That(res.BestRound, Is.EqualTo(best + 1));
        Assert.That(res.Model.NumberOfTrees, Is.EqualTo(best + 1));
    }

    [Test]
    public void InvalidInputsAreRejectedWithClearMessages()
    {
        var x = new float[] { 1, 2, float.NaN, 4 }; var y = new float[] { 0, 1, 0, 1 };
        Assert.That(() => GbdtTrainer.Train(x, 4, 1, y, GbdtTask.BinaryClassification, 2, new GbdtOptions()),
            Throws.ArgumentException.With.Message.Contains("NaN at row 2"));
        x[2] = 3;
        Assert.That(() => GbdtTrainer.Train(x, 4, 1, y, GbdtTask.BinaryClassification, 2, new GbdtOptions { NumberOfLeaves = 1 }),
            Throws.TypeOf<ArgumentOutOfRangeException>().With.Message.Contains("numberOfLeaves"));
        Assert.That(() => GbdtTrainer.Train(x, 4, 1, y, GbdtTask.BinaryClassification, 2, new GbdtOptions { LearningRate = 0 }),
            Throws.TypeOf<ArgumentOutOfRangeException>().With.Message.Contains("learningRate"));
        Assert.That(() => GbdtTrainer.Train(x, 4, 1, new float[] { 0, 2, 0, 1 }, GbdtTask.BinaryClassification, 2, new GbdtOptions()),
            Throws.ArgumentException.With.Message.Contains("row 1"));
    }

    [Test]
    public void BinsPutZeroAloneAndRespectTheBinLimit()
    {
        var vals = Enumerable.Range(-500, 1001).Select(i => i * 0.01f).ToArray();
        var b = FeatureBins.FromSorted(vals, 300, 16);
        Assert.That(b.Count, Is.LessThanOrEqualTo(16));
        int z = b.BinOf(0f);
        Assert.That(b.BinOf(-0.01f), Is.Not.EqualTo(z));
        Assert.That(b.BinOf(0.01f), Is.Not.EqualTo(z));
        var few = FeatureBins.FromSorted(new float[] { 1, 1, 2, 3 }, 0, 255);
        Assert.That(few.Count, Is.EqualTo(3));
        Assert.That(new[] { few.BinOf(1), few.BinOf(2), few.BinOf(3) }, Is.EqualTo(new[] { 0, 1, 2 }));
    }
}
