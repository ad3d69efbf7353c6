namespace VaeText.Experiments;

/// <summary>Deterministic principal component analysis to two dimensions (for the latent map of the report).</summary>
internal static class Pca
{
    /// <summary>Result: projected points and the fraction of total variance each component explains.</summary>
    internal sealed record Projection(double[] X, double[] Y, double ExplainedFirst, double ExplainedSecond);

    /// <summary>
    /// Projects the rows of <paramref name="data"/> ([rows][dims]) onto the first two principal components, found by
    /// power iteration with deflation on the covariance matrix from a fixed start vector. Component signs are fixed so
    /// that the largest-magnitude loading is positive; the result is therefore deterministic.
    /// </summary>
    public static Projection Project2D(IReadOnlyList<float[]> data)
    {
        int n = data.Count;
        if (n == 0) return new Projection(Array.Empty<double>(), Array.Empty<double>(), 0, 0);
        int d = data[0].Length;
        foreach (var row in data)
            if (row.Length != d) throw new ArgumentException("All rows must have the same length.", nameof(data));
        var mean = new double[d];
        foreach (var row in data) for (int j = 0; j < d; j++) mean[j] += row[j];
        for (int j = 0; j < d; j++) mean[j] /= n;
        var cov = new double[d, d];
        var centred = new double[d];
        foreach (var row in data)
        {
            for (int j = 0; j < d; j++) centred[j] = row[j] - mean[j];
            for (int a = 0; a < d; a++)
            {
                double ca = centred[a];
                if (ca == 0) continue;
                for (int b = a; b < d; b++) cov[a, b] += ca * centred[b];
            }
        }
        double trace = 0;
        for (int a = 0; a < d; a++)
        {
            for (int b = a; b < d; b++) { cov[a, b] /= Math.Max(1, n - 1); cov[b, a] = cov[a, b]; }
            trace += cov[a, a];
        }
        var v1 = new double[d];
        var v2 = new double[d];
        double l1 = d >= 1 ? PowerIteration(cov, d, v1) : 0;
        if (d >= 2)
        {
            var deflated = (double[,])cov.Clone();
            for (int a = 0; a < d; a++) for (int b = 0; b < d; b++) deflated[a, b] -= l1 * v1[a] * v1[b];
            PowerIteration(deflated, d, v2);
            // Re-orthogonalise against v1 (round-off) and recompute the Rayleigh quotient on the original matrix.
            double dot = 0; for (int j = 0; j < d; j++) dot += v1[j] * v2[j];
            for (int j = 0; j < d; j++) v2[j] -= dot * v1[j];
            Normalize(v2);
            FixSign(v2);
        }
        double l2 = d >= 2 ? Rayleigh(cov, v2, d) : 0;
        var xs = new double[n];
        var ys = new double[n];
        for (int i = 0; i < n; i++)
        {
            double x = 0, y = 0;
            var row = data[i];
            for (int j = 0; j < d; j++) { double c = row[j] - mean[j]; x += c * v1[j]; y += c * v2[j]; }
            xs[i] = x; ys[i] = y;
        }
        return new Projection(xs, ys, trace > 0 ? l1 / trace : 0, trace > 0 ? Math.Max(0, l2) / trace : 0);
    }

    private static double PowerIteration(double[,] m, int d, double[] v)
    {
        // Fixed, non-symmetric start vector so that it is unlikely to be orthogonal to the top eigenvector.
        for (int j = 0; j < d; j++) v[j] = 1.0 + 0.5 * Math.Sin(j + 1);
        Normalize(v);
        var w = new double[d];
        double lambda = 0;
        for (int it = 0; it < 500; it++)
        {
            for (int a = 0; a < d; a++)
            {
                double s = 0;
                for (int b = 0; b < d; b++) s += m[a, b] * v[b];
                w[a] = s;
            }
            double norm = Math.Sqrt(w.Sum(x => x * x));
            if (norm < 1e-300) { Array.Clear(v); v[0] = 1; return 0; }
            double change = 0;
            for (int j = 0; j < d; j++) { double nv = w[j] / norm; change = Math.Max(change, Math.Abs(Math.Abs(nv) - Math.Abs(v[j]))); v[j] = nv; }
            lambda = norm;
            if (change < 1e-12) break;
        }
        FixSign(v);
        return Rayleigh(m, v, d) is var r && r > 0 ? r : lambda;
    }

    private static double Rayleigh(double[,] m, double[] v, int d)
    {
        double s = 0;
        for (int a = 0; a < d; a++) { double t = 0; for (int b = 0; b < d; b++) t += m[a, b] * v[b]; s += v[a] * t; }
        return s;
    }

    private static void Normalize(double[] v)
    {
        double norm = Math.Sqrt(v.Sum(x => x * x));
        if (norm > 0) for (int j = 0; j < v.Length; j++) v[j] /= norm;
    }

    private static void FixSign(double[] v)
    {
        int arg = 0;
        for (int j = 1; j < v.Length; j++) if (Math.Abs(v[j]) > Math.Abs(v[arg]) + 1e-12) arg = j;
        if (v.Length > 0 && v[arg] < 0) for (int j = 0; j < v.Length; j++) v[j] = -v[j];
    }
}
