using NUnit.Framework;
using VaeText.Nn;
using VaeText.Optim;

namespace VaeText.Tests.Optim;

public class AdamTests
{
    private static ParameterStore<float> Store(int n, out ParameterSlice s)
    {
        var store = new ParameterStore<float>();
        s = store.Reserve("p", n);
        store.Freeze();
        return store;
    }

    /// <summary>Scalar reference of PyTorch's Adam/AdamW update, for every tail length of the SIMD loop.</summary>
    [TestCase(1, 0.0)]
    [TestCase(7, 0.0)]
    [TestCase(33, 0.01)]
    [TestCase(70_001, 0.0)]
    public void MatchesScalarReference(int n, double wd)
    {
        var store = Store(n, out _);
        var p = new double[n]; var m = new double[n]; var v = new double[n];
        for (int i = 0; i < n; i++) { store.Values[i] = (float)Math.Sin(i); p[i] = store.Values[i]; }
        var adam = new Adam(store, 0.01, 0.9, 0.999, 1e-8, wd);
        for (int t = 1; t <= 3; t++)
        {
            for (int i = 0; i < n; i++) store.Grads[i] = (float)Math.Cos(i * t);
            adam.Step(maxThreads: 2);
            for (int i = 0; i < n; i++)
            {
                double g = (float)Math.Cos(i * t);
                p[i] *= 1 - 0.01 * wd;
                m[i] = 0.9 * m[i] + 0.1 * g; v[i] = 0.999 * v[i] + 0.001 * g * g;
                double bc1 = 1 - Math.Pow(0.9, t), bc2 = 1 - Math.Pow(0.999, t);
                p[i] -= 0.01 / bc1 * m[i] / (Math.Sqrt(v[i]) / Math.Sqrt(bc2) + 1e-8);
            }
            Assert.That(store.Grads.All(g => g == 0), "gradients cleared");
        }
        for (int i = 0; i < n; i++) Assert.That(store.Values[i], Is.EqualTo(p[i]).Within(1e-5), $"index {i}");
        Assert.That(adam.StepCount, Is.EqualTo(3));
    }

    [Test]
    public void StateRoundTripContinuesIdentically()
    {
        var a = Store(50, out _); var b = Store(50, out _);
        var adamA = new Adam(a, 0.05);
        for (int i = 0; i < 50; i++) a.Grads[i] = i % 3 - 1;
        adamA.Step();
        var adamB = new Adam(b, 0.05);
        a.Values.CopyTo(b.Values, 0);
        adamB.ImportState(adamA.ExportState());
        for (int i = 0; i < 50; i++) { a.Grads[i] = 0.5f * i; b.Grads[i] = 0.5f * i; }
        adamA.Step(); adamB.Step();
        Assert.That(b.Values, Is.EqualTo(a.Values));
        Assert.Throws<ArgumentException>(() => adamB.ImportState(new AdamState(1, new float[3], new float[3])));
    }

    [Test]
    public void RejectsBadSettings()
    {
        var s = Store(3, out _);
        Assert.Throws<ArgumentOutOfRangeException>(() => new Adam(s, 0));
        Assert.Throws<ArgumentOutOfRangeException>(() => new Adam(s, double.NaN));
        Assert.Throws<ArgumentOutOfRangeException>(() => new Adam(s, 1e-3, beta1: 1));
    }

    [Test]
    public void ClipByGlobalNorm()
    {
        var s = Store(2, out _);
        s.Grads[0] = 3; s.Grads[1] = 4;
        Assert.That(GradientClipping.ClipByGlobalNorm(s, 1), Is.EqualTo(5).Within(1e-6));
        Assert.That(s.Grads[0], Is.EqualTo(0.6f).Within(1e-5));
        Assert.That(s.Grads[1], Is.EqualTo(0.8f).Within(1e-5));
        Assert.That(GradientClipping.ClipByGlobalNorm(s, 10), Is.EqualTo(1).Within(1e-5));
        Assert.That(s.Grads[1], Is.EqualTo(0.8f).Within(1e-5));
        Assert.Throws<ArgumentOutOfRangeException>(() => GradientClipping.ClipByGlobalNorm(s, 0));
    }
}
