using NUnit.Framework;
using VaeText.Core;
using VaeText.Tensors;
using static VaeText.Tests.Tensors.TensorTestUtil;

namespace VaeText.Tests.Tensors;

public class SoftmaxCrossEntropyTests
{
    /// <summary>Direct double formula: loss_i = −Σ c·log(e^x / Σ e^x), evaluated with the row max subtracted.</summary>
    private static (double[] Loss, double[] Grad) Direct(double[] x, double[] t, int m, int v, double scale)
    {
        var loss = new double[m];
        var grad = new double[m * v];
        for (int i = 0; i < m; i++)
        {
            double max = double.NegativeInfinity;
            for (int j = 0; j < v; j++) max = Math.Max(max, x[i * v + j]);
            double s = 0;
            for (int j = 0; j < v; j++) s += Math.Exp(x[i * v + j] - max);
            double n = 0;
            for (int j = 0; j < v; j++) n += t[i * v + j];
            for (int j = 0; j < v; j++)
            {
                double logp = x[i * v + j] - max - Math.Log(s);
                loss[i] -= t[i * v + j] * logp;
                grad[i * v + j] = scale * (n * Math.Exp(logp) - t[i * v + j]);
            }
        }
        return (loss, grad);
    }

    private static double[] Dense(CsrMatrix c)
    {
        var d = new double[c.Rows * c.Columns];
        for (int r = 0; r < c.Rows; r++)
            for (int p = c.RowPtr[r]; p < c.RowPtr[r + 1]; p++) d[r * c.Columns + c.Indices[p]] = c.Values[p];
        return d;
    }

    [Test]
    public void MatchesDirectFormulaOverSizes()
    {
        var rng = new Rng(4);
        foreach (int v in new[] { 1, 2, 3, 7, 15, 16, 17, 31, 33, 67, 257, 1000 })
        {
            int m = 1 + v % 5;
            var counts = RandomCsr(rng, m, v, 0.3);
            var xd = Random<double>(rng, m * v, 5);
            var (loss, grad) = Direct(xd, Dense(counts), m, v, 0.25);
            // double, sparse targets
            var rl = new double[m]; var g = new double[m * v];
            double total = SoftmaxCrossEntropy.Compute<double>(xd, counts, rl, g, m, v, 0.25);
            for (int i = 0; i < m; i++) Assert.That(rl[i], Is.EqualTo(loss[i]).Within(1e-10 * (1 + Math.Abs(loss[i]))));
            Assert.That(total, Is.EqualTo(loss.Sum()).Within(1e-9 * (1 + Math.Abs(total))));
            for (int i = 0; i < g.Length; i++) Assert.That(g[i], Is.EqualTo(grad[i]).Within(1e-12 * 10));
            // float, sparse targets, gradient in place of the logits
            var xf = Array.ConvertAll(xd, a => (float)a);
            var rlf = new double[m];
            SoftmaxCrossEntropy.Compute<float>(xf, counts, rlf, xf, m, v, 0.25f);
            for (int i = 0; i < m; i++) Assert.That(rlf[i], Is.EqualTo(loss[i]).Within(2e-5 * (1 + Math.Abs(loss[i]))));
            for (int i = 0; i < g.Length; i++) Assert.That(xf[i], Is.EqualTo(grad[i]).Within(2e-5));
            // dense targets, loss only
            var rld = new double[m];
            SoftmaxCrossEntropy.Compute<double>(xd, Dense(counts), rld, Span<double>.Empty, m, v, 1.0);
            for (int i = 0; i < m; i++) Assert.That(rld[i], Is.EqualTo(loss[i]).Within(1e-10 * (1 + Math.Abs(loss[i]))));
            var gd = new double[m * v];
            SoftmaxCrossEntropy.Compute<double>(xd, Dense(counts), rld, gd, m, v, 0.25);
            for (int i = 0; i < g.Length; i++) Assert.That(gd[i], Is.EqualTo(grad[i]).Within(1e-11));
        }
    }

    [Test]
    public void GradientMatchesFiniteDifferences()
    {
        var rng = new Rng(8);
        int m = 3, v = 9;
        var counts = RandomCsr(rng, m, v, 0.5);
        var x = Random<double>(rng, m * v, 3);
        var g = new double[m * v];
        var rl = new double[m];
        SoftmaxCrossEntropy.Compute<double>(x, counts, rl, g, m, v, 1.0);
        const double h = 1e-5;
        for (int i = 0; i < x.Length; i++)
        {
            double old = x[i];
            x[i] = old + h; double up = SoftmaxCrossEntropy.Compute<double>(x, counts, rl, Span<double>.Empty, m, v, 1.0);
            x[i] = old - h; double dn = SoftmaxCrossEntropy.Compute<double>(x, counts, rl, Span<double>.Empty, m, v, 1.0);
            x[i] = old;
            Assert.That(g[i], Is.EqualTo((up - dn) / (2 * h)).Within(1e-7), $"element {i}");
        }
    }

    [Test]
    public void ExtremeLogitsStayFinite()
    {
        int m = 2, v = 40;
        var counts = RandomCsr(new Rng(2), m, v, 0.5);
        var x = new float[m * v];
        for (int i = 0; i < x.Length; i++) x[i] = i % 3 == 0 ? 1e4f : -1e4f;
        var rl = new double[m]; var g = new float[m * v];
        double total = SoftmaxCrossEntropy.Compute<float>(x, counts, rl, g, m, v, 1f);
        Assert.That(double.IsFinite(total), Is.True);
        Assert.That(g.All(float.IsFinite), Is.True);
        var ls = new float[m * v];
        SoftmaxCrossEntropy.LogSoftmax<float>(x, ls, m, v);
        Assert.That(ls.All(float.IsFinite), Is.True);
        Assert.That(ls[0], Is.EqualTo(-MathF.Log(14)).Within(1e-5)); // 14 of the 40 are 1e4
    }

    [Test]
    public void LogSoftmaxMatchesDirectAndThreadsAgree()
    {
        var rng = new Rng(6);
        int m = 64, v = 3001;
        var x = Random<float>(rng, m * v, 10);
        var y1 = new float[m * v]; var y2 = new float[m * v];
        WithThreads(1, () => SoftmaxCrossEntropy.LogSoftmax<float>(x, y1, m, v));
        WithThreads(2, () => SoftmaxCrossEntropy.LogSoftmax<float>(x, y2, m, v));
        Assert.That(y2, Is.EqualTo(y1));
        for (int i = 0; i < 2; i++)
        {
            double max = double.NegativeInfinity, s = 0;
            for (int j = 0; j < v; j++) max = Math.Max(max, x[i * v + j]);
            for (int j = 0; j < v; j++) s += Math.Exp(x[i * v + j] - max);
            for (int j = 0; j < v; j += 97) Assert.That(y1[i * v + j], Is.EqualTo(x[i * v + j] - max - Math.Log(s)).Within(1e-4));
        }
    }

    [Test]
    public void BadShapesAreRejected()
    {
        var counts = RandomCsr(new Rng(1), 2, 5, 0.5);
        Assert.Throws<ArgumentException>(() => SoftmaxCrossEntropy.Compute<float>(new float[10], counts, new double[2], new float[10], 2, 4, 1f));
        Assert.Throws<ArgumentException>(() => SoftmaxCrossEntropy.Compute<float>(new float[9], counts, new double[2], new float[10], 2, 5, 1f));
        Assert.Throws<ArgumentException>(() => SoftmaxCrossEntropy.Compute<float>(new float[10], counts, new double[1], new float[10], 2, 5, 1f));
        Assert.Throws<ArgumentException>(() => SoftmaxCrossEntropy.Compute<float>(new float[10], counts, new double[2], new float[9], 2, 5, 1f));
    }
}
