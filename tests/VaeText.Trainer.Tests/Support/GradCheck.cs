using NUnit.Framework;
using VaeText.Core;

namespace VaeText.Tests.Support;

/// <summary>Finite-difference gradient checks in double precision.</summary>
public static class GradCheck
{
    /// <summary>
    /// Compares <paramref name="analytic"/> with central differences of <paramref name="loss"/> with respect to
    /// entries of <paramref name="buffer"/> (perturbed in place and restored). Checks every index, or
    /// <paramref name="maxChecks"/> indices drawn with a seeded generator. Fails with the worst index.
    /// Error measure: |a − n| / max(1, |a|, |n|) ≤ <paramref name="tolerance"/>.
    /// </summary>
    public static double AssertGradient(double[] buffer, ReadOnlySpan<double> analytic, Func<double> loss, string what,
        double epsilon = 1e-6, double tolerance = 1e-6, int maxChecks = int.MaxValue, int seed = 1, int offset = 0, int length = -1)
    {
        if (length < 0) length = buffer.Length - offset;
        Assert.That(analytic.Length, Is.EqualTo(length), $"{what}: analytic gradient length");
        var idx = Enumerable.Range(0, length).ToArray();
        if (maxChecks < length)
        {
            new Rng(seed).Shuffle(idx.AsSpan());
            idx = idx.Take(maxChecks).ToArray();
        }
        double worst = 0;
        int worstAt = -1;
        double worstA = 0, worstN = 0;
        foreach (int i in idx)
        {
            int j = offset + i;
            double saved = buffer[j];
            buffer[j] = saved + epsilon;
            double lp = loss();
            buffer[j] = saved - epsilon;
            double lm = loss();
            buffer[j] = saved;
            double num = (lp - lm) / (2 * epsilon);
            double a = analytic[i];
            double err = Math.Abs(a - num) / Math.Max(1.0, Math.Max(Math.Abs(a), Math.Abs(num)));
            if (err > worst || double.IsNaN(err)) { worst = double.IsNaN(err) ? double.PositiveInfinity : err; worstAt = i; worstA = a; worstN = num; }
        }
        Assert.That(worst, Is.LessThanOrEqualTo(tolerance), $"{what}: worst index {worstAt}: analytic {worstA:R}, numeric {worstN:R}");
        return worst;
    }

    /// <summary>Seeded uniform values in [-scale, scale).</summary>
    public static double[] Random(int n, int seed, double scale = 1)
    {
        var r = new Rng(seed);
        var a = new double[n];
        for (int i = 0; i < n; i++) a[i] = (r.NextDouble() * 2 - 1) * scale;
        return a;
    }

    /// <summary>Σ a·b.</summary>
    public static double Dot(ReadOnlySpan<double> a, ReadOnlySpan<double> b)
    {
        double s = 0;
        for (int i = 0; i < a.Length; i++) s += a[i] * b[i];
        return s;
    }
}
