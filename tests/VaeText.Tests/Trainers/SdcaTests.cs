using NUnit.Framework;
using VaeText.Core;
using VaeText.Tensors;
using VaeText.Trainers.Sdca;

namespace VaeText.Tests.Trainers;

public class SdcaTests
{
    private static (float[] X, bool[] Y, int[] C) Data(int n, int f, int seed)
    {
        var r = new Rng(seed);
        var x = new float[n * f]; var y = new bool[n]; var c = new int[n];
        var wTrue = Enumerable.Range(0, f).Select(_ => r.NextGaussian()).ToArray();
        for (int i = 0; i < n; i++)
        {
            double s = 0.3;
            for (int j = 0; j < f; j++) { x[i * f + j] = (float)r.NextGaussian(); s += wTrue[j] * x[i * f + j]; }
            y[i] = r.NextDouble() < 1 / (1 + Math.Exp(-s));
            c[i] = s < -0.7 ? 0 : s < 0.7 ? 1 : 2;
            if (r.NextDouble() < 0.15) c[i] = r.NextInt(3);
        }
        return (x, y, c);
    }

    /// Newton's method in double precision on (1/n)Σ log(1+exp(−y(w·x+b))) + λ/2(‖w‖² + b²).
    private static double[] NewtonLogistic(float[] x, bool[] y, int n, int f, double lambda)
    {
        int d = f + 1;
        var w = new double[d];
        for (int it = 0; it < 50; it++)
        {
            var g = new double[d]; var h = new double[d, d];
            for (int i = 0; i < n; i++)
            {
                double m = w[f]; for (int j = 0; j < f; j++) m += w[j] * x[i * f + j];
                double yy = y[i] ? 1 : -1, p = 1 / (1 + Math.Exp(yy * m));
                for (int a = 0; a < d; a++)
                {
                    double xa = a == f ? 1 : x[i * f + a];
                    g[a] += -yy * p * xa / n;
                    for (int b = 0; b < d; b++) h[a, b] += p * (1 - p) * xa * (b == f ? 1 : x[i * f + b]) / n;
                }
            }
            for (int a = 0; a < d; a++) { g[a] += lambda * w[a]; h[a, a] += lambda; }
            var step = Solve(h, g);
            for (int a = 0; a < d; a++) w[a] -= step[a];
        }
        return w;
    }

    private static double[] Solve(double[,] a, double[] b)
    {
        int n = b.Length; var m = (double[,])a.Clone(); var v = (double[])b.Clone();
        for (int c = 0; c < n; c++)
        {
            int p = c; for (int r = c + 1; r < n; r++) if (Math.Abs(m[r, c]) > Math.Abs(m[p, c])) p = r;
            for (int k = 0; k < n; k++) (m[c, k], m[p, k]) = (m[p, k], m[c, k]); (v[c], v[p]) = (v[p], v[c]);
            for (int r = c + 1; r < n; r++) { double f = m[r, c] / m[c, c]; for (int k = c; k < n; k++) m[r, k] -= f * m[c, k]; v[r] -= f * v[c]; }
        }
        var x = new double[n];
        for (int r = n - 1; r >= 0; r--) { double s = v[r]; for (int k = r + 1; k < n; k++) s -= m[r, k] * x[k]; x[r] = s / m[r, r]; }
        return x;
    }

    [Test]
    public void BinaryWeightsMatchNewtonOptimumAndDualityGapShrinks()
    {
        int n = 200, f = 4; double lambda = 0.01;
        var (x, y, _) = Data(n, f, 1);
        var res = SdcaTrainer.TrainBinary(x, n, f, y, new SdcaOptions { L2Regularization = (float)lambda, L1Regularization = 0, ConvergenceTolerance = 1e-7, MaximumNumberOfIterations = 500 });
        var w = NewtonLogistic(x, y, n, f, lambda);
        for (int j = 0; j < f; j++) Assert.That(res.Model.Weights[j], Is.EqualTo(w[j]).Within(2e-4), $"weight {j}");
        Assert.That(res.Model.Bias, Is.EqualTo(w[f]).Within(2e-4));
        Assert.That(res.RelativeDualityGap, Is.LessThan(1e-7));
        for (int t = 1; t < res.DualObjective.Count; t++)
        {
            Assert.That(res.DualObjective[t], Is.GreaterThanOrEqualTo(res.DualObjective[t - 1] - 1e-9), "dual ascent");
            Assert.That(res.PrimalObjective[t] - res.DualObjective[t], Is.LessThanOrEqualTo(res.PrimalObjective[t - 1] - res.DualObjective[t - 1] + 1e-9), "gap shrinks");
        }
        Assert.That(res.PrimalObjective.Zip(res.DualObjective).All(p => p.First >= p.Second - 1e-7 * Math.Abs(p.First)), "weak duality (up to float rounding of the weights)");
    }

    [Test]
    public void SparseEqualsDenseAndSaveLoadIsBitIdentical()
    {
        int n = 150, f = 5;
        var (x, y, _) = Data(n, f, 4);
        for (int i = 0; i < x.Length; i += 3) x[i] = 0;
        var ptr = new List<int> { 0 }; var idx = new List<int>(); var val = new List<float>();
        for (int i = 0; i < n; i++) { for (int j = 0; j < f; j++) if (x[i * f + j] != 0) { idx.Add(j); val.Add(x[i * f + j]); } ptr.Add(idx.Count); }
        var csr = new CsrMatrix(n, f, ptr.ToArray(), idx.ToArray(), val.ToArray());
        var opt = new SdcaOptions { L2Regularization = 0.02f, L1Regularization = 0, MaximumNumberOfIterations = 30 };
        var a = SdcaTrainer.TrainBinary(x, n, f, y, opt).Model;
        var b = SdcaTrainer.TrainBinary(csr, y, opt).Model;
        for (int j = 0; j < f; j++) Assert.That(b.Weights[j], Is.EqualTo(a.Weights[j]).Within(1e-5));
        var ms = new MemoryStream(); b.Save(ms);
        var back = LinearBinaryModel.Load(new MemoryStream(ms.ToArray()));
        for (int i = 0; i < n; i++) Assert.That(back.Score(csr, i), Is.EqualTo(b.Score(csr, i)));
        var again = SdcaTrainer.TrainBinary(csr, y, opt).Model;
        Assert.That(again.Weights, Is.EqualTo(b.Weights), "same seed, same result");
    }

    [Test]
    public void MaximumEntropyMatchesGradientDescentOptimum()
    {
        int n = 150, f = 3, K = 3; double lambda = 0.02;
        var (x, _, c) = Data(n, f, 7);
        var res = SdcaTrainer.TrainMulticlass(x, n, f, c, K, new SdcaOptions { L2Regularization = (float)lambda, L1Regularization = 0, ConvergenceTolerance = 1e-8, MaximumNumberOfIterations = 1000 });
        // Plain gradient descent on the primal in double precision (strongly convex, many small steps).
        var W = new double[K, f + 1];
        for (int it = 0; it < 20000; it++)
        {
            var G = new double[K, f + 1];
            for (int i = 0; i < n; i++)
            {
                var m = new double[K];
                for (int k = 0; k < K; k++) { m[k] = W[k, f]; for (int j = 0; j < f; j++) m[k] += W[k, j] * x[i * f + j]; }
                double mx = m.Max(), z = m.Sum(v => Math.Exp(v - mx));
                for (int k = 0; k < K; k++)
                {
                    double r = Math.Exp(m[k] - mx) / z - (c[i] == k ? 1 : 0);
                    for (int j = 0; j < f; j++) G[k, j] += r * x[i * f + j] / n;
                    G[k, f] += r / n;
                }
            }
            for (int k = 0; k < K; k++) for (int j = 0; j <= f; j++) W[k, j] -= 0.5 * (G[k, j] + lambda * W[k, j]);
        }
        for (int k = 0; k < K; k++)
        {
            for (int j = 0; j < f; j++) Assert.That(res.Model.Weights[k * f + j], Is.EqualTo(W[k, j]).Within(1e-3), $"class {k} weight {j}");
            Assert.That(res.Model.Biases[k], Is.EqualTo(W[k, f]).Within(1e-3), $"class {k} bias");
        }
    }

    [Test]
    public void OptionsAndInputsAreValidated()
    {
        var x = new float[] { 1, 2, 3, float.NaN }; var y = new[] { true, false, true, false };
        Assert.That(() => SdcaTrainer.TrainBinary(x, 4, 1, y, new SdcaOptions()), Throws.ArgumentException.With.Message.Contains("NaN at row 3"));
        x[3] = 1;
        Assert.That(() => SdcaTrainer.TrainBinary(x, 4, 1, y, new SdcaOptions { L2Regularization = 0 }), Throws.TypeOf<ArgumentOutOfRangeException>().With.Message.Contains("l2Regularization"));
        Assert.That(() => SdcaTrainer.TrainBinary(x, 4, 1, y, new SdcaOptions { MaximumNumberOfIterations = 0 }), Throws.TypeOf<ArgumentOutOfRangeException>().With.Message.Contains("maximumNumberOfIterations"));
        Assert.That(() => SdcaTrainer.TrainMulticlass(x, 4, 1, new[] { 0, 1, 5, 0 }, 3, new SdcaOptions()), Throws.ArgumentException.With.Message.Contains("row 2"));
    }
}
