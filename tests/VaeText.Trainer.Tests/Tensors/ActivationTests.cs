using NUnit.Framework;
using VaeText.Core;
using VaeText.Tensors;
using static VaeText.Tests.Tensors.TensorTestUtil;

namespace VaeText.Tests.Tensors;

public class ActivationTests
{
    private delegate void Fwd(ReadOnlySpan<double> x, Span<double> y);
    private delegate void Bwd(ReadOnlySpan<double> xy, ReadOnlySpan<double> dy, Span<double> dx);

    private static void GradCheck(Fwd f, Bwd b, bool fromOutput, Func<double, double> direct)
    {
        var rng = new Rng(12);
        for (int n = 0; n <= 33; n++)
        {
            var x = Random<double>(rng, n, 4);
            for (int i = 0; i < n; i++) if (Math.Abs(x[i]) < 1e-3) x[i] = 0.5; // keep away from the ReLU kink
            var y = new double[n];
            f(x, y);
            for (int i = 0; i < n; i++) Assert.That(y[i], Is.EqualTo(direct(x[i])).Within(1e-12 * (1 + Math.Abs(y[i]))));
            var dy = Random<double>(rng, n);
            var dx = new double[n];
            b(fromOutput ? y : x, dy, dx);
            for (int i = 0; i < n; i++)
            {
                const double h = 1e-6;
                double fd = (direct(x[i] + h) - direct(x[i] - h)) / (2 * h);
                Assert.That(dx[i], Is.EqualTo(dy[i] * fd).Within(1e-7), $"n={n} i={i}");
            }
        }
    }

    [Test] public void Relu() => GradCheck(Activations.Relu, Activations.ReluBackward, true, v => Math.Max(v, 0));
    [Test] public void Tanh() => GradCheck(Activations.Tanh, Activations.TanhBackward, true, Math.Tanh);
    [Test] public void Sigmoid() => GradCheck(Activations.Sigmoid, Activations.SigmoidBackward, true, v => 1 / (1 + Math.Exp(-v)));
    [Test] public void Softplus() => GradCheck(Activations.Softplus, Activations.SoftplusBackward, false, v => Math.Log(1 + Math.Exp(v)));

    [Test]
    public void FloatReluBackwardMatchesScalarOverTails()
    {
        var rng = new Rng(2);
        for (int n = 0; n <= 67; n++)
        {
            var y = Random<float>(rng, n); var dy = Random<float>(rng, n); var dx = new float[n];
            Activations.ReluBackward<float>(y, dy, dx);
            for (int i = 0; i < n; i++) Assert.That(dx[i], Is.EqualTo(y[i] > 0 ? dy[i] : 0f));
        }
    }

    [Test]
    public void SoftplusIsStableAtExtremes()
    {
        var x = new float[] { -1e4f, -100f, -20f, 0f, 20f, 100f, 1e4f };
        var y = new float[x.Length];
        Activations.Softplus<float>(x, y);
        Assert.That(y[0], Is.EqualTo(0f));
        Assert.That(y[2], Is.EqualTo(2.0611537e-9f).Within(1e-14f)); // e^-20: relative accuracy kept
        Assert.That(y[3], Is.EqualTo(MathF.Log(2)).Within(1e-7f));
        Assert.That(y[6], Is.EqualTo(1e4f));
        var dx = new float[x.Length];
        Activations.SoftplusBackward<float>(x, Enumerable.Repeat(1f, x.Length).ToArray(), dx);
        Assert.That(dx.All(float.IsFinite), Is.True);
        Assert.That(dx[0], Is.EqualTo(0f)); Assert.That(dx[6], Is.EqualTo(1f));
    }

    [Test]
    public void VectorHelpers()
    {
        var rng = new Rng(5);
        for (int n = 0; n <= 33; n++)
        {
            var x = Random<float>(rng, n); var y = Random<float>(rng, n + 2); var y0 = (float[])y.Clone();
            VectorOps.Axpy(0.5f, x, y);
            for (int i = 0; i < n; i++) Assert.That(y[i], Is.EqualTo(y0[i] + 0.5f * x[i]).Within(1e-6));
            Assert.That(y[n], Is.EqualTo(y0[n]));
            double dot = 0, ss = 0;
            for (int i = 0; i < n; i++) { dot += x[i] * (double)y[i]; ss += x[i] * (double)x[i]; }
            Assert.That(VectorOps.Dot<float>(x, y.AsSpan(0, n)), Is.EqualTo(dot).Within(1e-5));
            Assert.That(VectorOps.SumOfSquares<float>(x), Is.EqualTo(ss).Within(1e-5));
        }
        int m = 5, c = 7;
        var a = Random<double>(rng, m * c); var bias = Random<double>(rng, c);
        var a0 = (double[])a.Clone();
        VectorOps.AddBiasRows<double>(a, bias, m, c);
        for (int i = 0; i < m * c; i++) Assert.That(a[i], Is.EqualTo(a0[i] + bias[i % c]).Within(1e-15));
        var sums = new double[c];
        VectorOps.ColumnSums<double>(a0, sums, m, c, accumulate: false);
        VectorOps.ColumnSums<double>(a0, sums, m, c, accumulate: true);
        for (int j = 0; j < c; j++) Assert.That(sums[j], Is.EqualTo(2 * Enumerable.Range(0, m).Sum(r => a0[r * c + j])).Within(1e-12));
        VectorOps.Scale<double>(sums, 0.5);
        Assert.That(sums[0], Is.EqualTo(Enumerable.Range(0, m).Sum(r => a0[r * c])).Within(1e-12));
        Assert.Throws<ArgumentException>(() => VectorOps.Axpy(1f, new float[3], new float[2]));
        Assert.Throws<ArgumentException>(() => VectorOps.AddBiasRows<float>(new float[6], new float[2], 2, 3));
        Assert.Throws<ArgumentException>(() => Activations.Relu<float>(new float[3], new float[2]));
    }
}
