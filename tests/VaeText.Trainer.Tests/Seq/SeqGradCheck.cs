using NUnit.Framework;
using VaeText.Core;
using VaeText.Nn;

namespace VaeText.Tests.Seq;

/// Central finite differences in double precision for the sequence layers.
internal static class SeqGradCheck
{
    public const double Step = 1e-5;

    public static double[] RandomArray(Rng rng, int n, double scale = 1.0)
    {
        var a = new double[n];
        for (int i = 0; i < n; i++) a[i] = (rng.NextDouble() * 2 - 1) * scale;
        return a;
    }

    public static void AssertClose(double analytic, double numeric, string what)
    {
        double tol = 1e-7 + 1e-5 * (Math.Abs(analytic) + Math.Abs(numeric));
        Assert.That(Math.Abs(analytic - numeric), Is.LessThanOrEqualTo(tol), $"{what}: analytic {analytic} vs numeric {numeric}");
    }

    /// Checks d loss / d store values (up to maxPerSlice entries per slice) against analytic gradients computed by
    /// backward() after store.ZeroGrad() and a forward.
    public static void Parameters(ParameterStore<double> store, Func<double> loss, Action backward, int maxPerSlice = 12, int seed = 5)
    {
        store.ZeroGrad();
        loss();
        backward();
        var grads = (double[])store.Grads.Clone();
        var values = store.Values;
        var rng = new Rng(seed);
        int checkedCount = 0;
        foreach (var s in store.Slices)
        {
            if (s.Length == 0) continue;
            int n = Math.Min(maxPerSlice, s.Length);
            for (int k = 0; k < n; k++)
            {
                int i = s.Offset + (s.Length <= maxPerSlice ? k : rng.NextInt(s.Length));
                double v = values[i];
                values[i] = v + Step; double lp = loss();
                values[i] = v - Step; double lm = loss();
                values[i] = v;
                AssertClose(grads[i], (lp - lm) / (2 * Step), $"{s.Name}[{i - s.Offset}]");
                checkedCount++;
            }
        }
        Assert.That(checkedCount, Is.GreaterThan(0));
    }

    /// Checks every entry of an input buffer against its analytic gradient.
    public static void Input(double[] x, Func<double> loss, double[] analytic, string name)
    {
        for (int i = 0; i < x.Length; i++)
        {
            double v = x[i];
            x[i] = v + Step; double lp = loss();
            x[i] = v - Step; double lm = loss();
            x[i] = v;
            AssertClose(analytic[i], (lp - lm) / (2 * Step), $"{name}[{i}]");
        }
    }

    public static double Dot(ReadOnlySpan<double> a, ReadOnlySpan<double> b)
    {
        double s = 0;
        for (int i = 0; i < a.Length; i++) s += a[i] * b[i];
        return s;
    }
}
