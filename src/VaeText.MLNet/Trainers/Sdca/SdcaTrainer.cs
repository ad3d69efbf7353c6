using VaeText.Core;
using VaeText.Tensors;

namespace VaeText.Trainers.Sdca;

/// <summary>Result of an SDCA run: the model, passes made, and the primal/dual trace.</summary>
public sealed class SdcaResult<TModel>
{
    internal SdcaResult(TModel model, int iterations, double[] primal, double[] dual)
    {
        Model = model; Iterations = iterations; PrimalObjective = primal; DualObjective = dual;
    }
    /// <summary>The trained model.</summary>
    public TModel Model { get; }
    /// <summary>Passes over the data made.</summary>
    public int Iterations { get; }
    /// <summary>Primal objective at each convergence check.</summary>
    public IReadOnlyList<double> PrimalObjective { get; }
    /// <summary>Dual objective at each convergence check (≤ the primal; equal at the optimum).</summary>
    public IReadOnlyList<double> DualObjective { get; }
    /// <summary>(primal − dual) / primal at the last check.</summary>
    public double RelativeDualityGap => PrimalObjective.Count == 0 ? double.NaN
        : (PrimalObjective[^1] - DualObjective[^1]) / Math.Max(1e-300, Math.Abs(PrimalObjective[^1]));
}

/// <summary>
/// Stochastic dual coordinate ascent (Shalev-Shwartz &amp; Zhang) for L2(+L1)-regularised logistic regression and
/// multinomial logistic regression (maximum entropy). Each visit to an example maximises the dual exactly along that
/// example's dual variables (safeguarded Newton on a one-dimensional concave problem), so the dual never decreases;
/// training stops when the relative duality gap drops below the tolerance. The bias is the weight of an implicit
/// constant feature 1. Single-threaded, so a seed gives bit-identical results.
/// </summary>
public static class SdcaTrainer
{
    /// <summary>Logistic regression on sparse rows; labels true = positive class.</summary>
    public static SdcaResult<LinearBinaryModel> TrainBinary(CsrMatrix features, bool[] labels, SdcaOptions options)
    {
        ArgumentNullException.ThrowIfNull(features);
        CheckValues(features);
        return TrainBinary(SdcaFeatures.Of(features), labels, options, features.NonZeros);
    }

    /// <summary>Logistic regression on a dense row-major [rows, featureCount] matrix.</summary>
    public static SdcaResult<LinearBinaryModel> TrainBinary(float[] features, int rows, int featureCount, bool[] labels, SdcaOptions options)
    {
        ArgumentNullException.ThrowIfNull(features);
        if ((long)rows * featureCount != features.Length) throw new ArgumentException($"features has {features.Length} values, expected {rows} x {featureCount}", nameof(features));
        FastTree.BinnedData.CheckFinite(features, rows, featureCount, "Features");
        return TrainBinary(SdcaFeatures.Of(features, rows, featureCount), labels, options, (long)rows * featureCount);
    }

    /// <summary>Maximum-entropy (softmax) classifier on sparse rows; labels are class ids 0..classes−1.</summary>
    public static SdcaResult<LinearMulticlassModel> TrainMulticlass(CsrMatrix features, int[] labels, int classes, SdcaOptions options)
    {
        ArgumentNullException.ThrowIfNull(features);
        CheckValues(features);
        return TrainMulticlass(SdcaFeatures.Of(features), labels, classes, options, features.NonZeros);
    }

    /// <summary>Maximum-entropy classifier on a dense row-major [rows, featureCount] matrix.</summary>
    public static SdcaResult<LinearMulticlassModel> TrainMulticlass(float[] features, int rows, int featureCount, int[] labels, int classes, SdcaOptions options)
    {
        ArgumentNullException.ThrowIfNull(features);
        if ((long)rows * featureCount != features.Length) throw new ArgumentException($"features has {features.Length} values, expected {rows} x {featureCount}", nameof(features));
        FastTree.BinnedData.CheckFinite(features, rows, featureCount, "Features");
        return TrainMulticlass(SdcaFeatures.Of(features, rows, featureCount), labels, classes, options, (long)rows * featureCount);
    }

    private static void CheckValues(CsrMatrix x)
    {
        for (int r = 0; r < x.Rows; r++)
            for (int p = x.RowPtr[r]; p < x.RowPtr[r + 1]; p++)
                if (!float.IsFinite(x.Values[p])) throw new ArgumentException($"Feature column 'Features' holds {x.Values[p]} at row {r}, slot {x.Indices[p]}; SDCA needs finite values.", "features");
    }

    private static double Entropy(double b) => (b <= 0 ? 0 : -b * Math.Log(b)) + (b >= 1 ? 0 : -(1 - b) * Math.Log(1 - b));

    private static double SoftThreshold(double v, double t) => v > t ? v - t : v < -t ? v + t : 0;

    internal static SdcaResult<LinearBinaryModel> TrainBinary(SdcaFeatures x, bool[] labels, SdcaOptions options, long nnz)
    {
        ArgumentNullException.ThrowIfNull(labels);
        ArgumentNullException.ThrowIfNull(options);
        options.Validate();
        int n = x.Rows, F = x.Columns;
        if (n < 1) throw new ArgumentException("training needs at least one row", "features");
        if (labels.Length != n) throw new ArgumentException($"labels has {labels.Length} entries for {n} rows", nameof(labels));
        var (lambda, l1, maxIter) = options.Resolve(n, F, nnz);
        double thr = l1 / lambda, invLn = 1.0 / (lambda * n);
        var v = new float[F];                      // (1/(λn)) Σ β_i y_i x_i
        var w = l1 > 0 ? new float[F] : v;         // soft-thresholded weights used for margins
        double vb = 0;                             // bias coordinate (feature 1, no L1)
        var beta = new double[n];
        var q = new double[n];
        for (int i = 0; i < n; i++) q[i] = (x.SquaredNorm(i) + 1) * invLn;
        var order = Enumerable.Range(0, n).ToArray();
        var rng = new Rng(options.Seed);
        var primal = new List<double>(); var dual = new List<double>();
        int iter = 0;
        Action<int>? rethreshold = l1 > 0 ? j => w[j] = (float)SoftThreshold(v[j], thr) : null;
        for (iter = 1; iter <= maxIter; iter++)
        {
            if (options.Shuffle) rng.Shuffle(order.AsSpan());
            foreach (int i in order)
            {
                double y = labels[i] ? 1 : -1;
                double m = x.Dot(i, w, 0) + vb;
                double bOld = beta[i], s = q[i];
                double b = SolveBinary(y * m, bOld, s);
                double delta = b - bOld;
                if (delta == 0) continue;
                beta[i] = b;
                x.AddScaled(i, delta * y * invLn, v, 0);
                vb += delta * y * invLn;
                if (rethreshold != null) x.ForEachIndex(i, rethreshold);
            }
            if (iter % options.ConvergenceCheckFrequency == 0 || iter == maxIter)
            {
                double loss = 0, ent = 0;
                for (int i = 0; i < n; i++)
                {
                    double ym = (labels[i] ? 1 : -1) * (x.Dot(i, w, 0) + vb);
                    loss += ym > 0 ? Math.Log(1 + Math.Exp(-ym)) : -ym + Math.Log(1 + Math.Exp(ym));
                    ent += Entropy(beta[i]);
                }
                double ww = 0, wl1 = 0, conj = 0;
                for (int j = 0; j < F; j++)
                {
                    ww += (double)w[j] * w[j]; wl1 += Math.Abs(w[j]);
                    double a = Math.Abs(v[j]) - thr; if (a > 0) conj += a * a;
                }
                double p = loss / n + 0.5 * lambda * (ww + vb * vb) + l1 * wl1;
                double d = ent / n - 0.5 * lambda * (conj + vb * vb);
                primal.Add(p); dual.Add(d);
                if ((p - d) / Math.Max(1e-300, Math.Abs(p)) < options.ConvergenceTolerance) break;
            }
        }
        return new SdcaResult<LinearBinaryModel>(new LinearBinaryModel(l1 > 0 ? w : (float[])v.Clone(), (float)vb), Math.Min(iter, maxIter), primal.ToArray(), dual.ToArray());
    }

    /// <summary>
    /// Root of f(b) = log((1−b)/b) − ym − (b − bOld)·s on (0, 1) (decreasing in b): the exact coordinate maximiser of the
    /// logistic dual, found by Newton steps kept inside a shrinking bracket.
    /// </summary>
    internal static double SolveBinary(double ym, double bOld, double s)
    {
        double lo = 0, hi = 1;
        double b = 1 / (1 + Math.Exp(Math.Clamp(ym, -700, 700)));   // σ(−ym): the root when s = 0
        b = Math.Clamp(b, 1e-12, 1 - 1e-12);
        for (int it = 0; it < 30; it++)
        {
            double f = Math.Log((1 - b) / b) - ym - (b - bOld) * s;
            if (f > 0) lo = b; else hi = b;
            if (Math.Abs(f) < 1e-12) break;
            double fp = -1 / (b * (1 - b)) - s;
            double nb = b - f / fp;
            if (!(nb > lo && nb < hi)) nb = 0.5 * (lo + hi);
            if (Math.Abs(nb - b) < 1e-15) { b = nb; break; }
            b = nb;
        }
        return b;
    }

    internal static SdcaResult<LinearMulticlassModel> TrainMulticlass(SdcaFeatures x, int[] labels, int classes, SdcaOptions options, long nnz)
    {
        ArgumentNullException.ThrowIfNull(labels);
        ArgumentNullException.ThrowIfNull(options);
        options.Validate();
        if (classes < 2) throw new ArgumentOutOfRangeException(nameof(classes), classes, "maximum entropy needs at least 2 classes");
        int n = x.Rows, F = x.Columns, K = classes;
        if (n < 1) throw new ArgumentException("training needs at least one row", "features");
        if (labels.Length != n) throw new ArgumentException($"labels has {labels.Length} entries for {n} rows", nameof(labels));
        for (int i = 0; i < n; i++)
            if (labels[i] < 0 || labels[i] >= K) throw new ArgumentException($"label at row {i} is {labels[i]}; expected a class id in [0, {K})", nameof(labels));
        var (lambda, l1, maxIter) = options.Resolve(n, F, nnz);
        double thr = l1 / lambda, invLn = 1.0 / (lambda * n);
        var v = new float[(long)K * F];            // w_k = (1/(λn)) Σ (e_{y_i} − β_i)_k x_i, class-major
        var w = l1 > 0 ? new float[v.Length] : v;
        var vb = new double[K];
        var beta = new double[(long)n * K];        // β_i starts at e_{y_i} (so w = 0)
        for (int i = 0; i < n; i++) beta[(long)i * K + labels[i]] = 1;
        var q = new double[n];
        for (int i = 0; i < n; i++) q[i] = (x.SquaredNorm(i) + 1) * invLn;
        var order = Enumerable.Range(0, n).ToArray();
        var rng = new Rng(options.Seed);
        var primal = new List<double>(); var dual = new List<double>();
        var m = new double[K]; var p = new double[K]; var d = new double[K];
        int iter;
        for (iter = 1; iter <= maxIter; iter++)
        {
            if (options.Shuffle) rng.Shuffle(order.AsSpan());
            foreach (int i in order)
            {
                for (int k = 0; k < K; k++) m[k] = x.Dot(i, w, k * F) + vb[k];
                m.CopyTo(p, 0);
                LinearMulticlassModel.ToProbabilities(p);
                var bi = beta.AsSpan(i * K, K);
                double dd = 0;
                for (int k = 0; k < K; k++) { d[k] = p[k] - bi[k]; dd += d[k] * d[k]; }
                if (dd < 1e-30) continue;
                double t = SolveMulticlassStep(bi, d, m, q[i], dd);
                if (t <= 0) continue;
                for (int k = 0; k < K; k++)
                {
                    double delta = t * d[k];
                    if (delta == 0) continue;
                    bi[k] = Math.Max(0, bi[k] + delta);
                    x.AddScaled(i, -delta * invLn, v, k * F);
                    vb[k] -= delta * invLn;
                    if (l1 > 0)
                    {
                        int off = k * F;
                        x.ForEachIndex(i, j => w[off + j] = (float)SoftThreshold(v[off + j], thr));
                    }
                }
            }
            if (iter % options.ConvergenceCheckFrequency == 0 || iter == maxIter)
            {
                double loss = 0, ent = 0;
                for (int i = 0; i < n; i++)
                {
                    double mx = double.NegativeInfinity;
                    for (int k = 0; k < K; k++) { m[k] = x.Dot(i, w, k * F) + vb[k]; mx = Math.Max(mx, m[k]); }
                    double z = 0;
                    for (int k = 0; k < K; k++) z += Math.Exp(m[k] - mx);
                    loss += mx + Math.Log(z) - m[labels[i]];
                    for (int k = 0; k < K; k++) { double b = beta[(long)i * K + k]; if (b > 0) ent -= b * Math.Log(b); }
                }
                double ww = 0, wl1 = 0, conj = 0, bb = 0;
                for (long j = 0; j < v.Length; j++)
                {
                    ww += (double)w[j] * w[j]; wl1 += Math.Abs(w[j]);
                    double a = Math.Abs(v[j]) - thr; if (a > 0) conj += a * a;
                }
                foreach (var b in vb) bb += b * b;
                double pr = loss / n + 0.5 * lambda * (ww + bb) + l1 * wl1;
                double du = ent / n - 0.5 * lambda * (conj + bb);
                primal.Add(pr); dual.Add(du);
                if ((pr - du) / Math.Max(1e-300, Math.Abs(pr)) < options.ConvergenceTolerance) break;
            }
        }
        var model = new LinearMulticlassModel(l1 > 0 ? w : (float[])v.Clone(), vb.Select(b => (float)b).ToArray(), F);
        return new SdcaResult<LinearMulticlassModel>(model, Math.Min(iter, maxIter), primal.ToArray(), dual.ToArray());
    }

    /// <summary>
    /// Step t ∈ [0, 1] along d = p − β maximising g(t) = H(β + t d) + t d·m − s t² ‖d‖² / 2 (concave);
    /// g'(0) ≥ 0 always. Safeguarded Newton on g'.
    /// </summary>
    internal static double SolveMulticlassStep(ReadOnlySpan<double> beta, ReadOnlySpan<double> d, ReadOnlySpan<double> m, double s, double dd)
    {
        double dm = 0;
        for (int k = 0; k < d.Length; k++) dm += d[k] * m[k];
        double lo = 0, hi = 1, t = 1;
        double gp = StepDerivative(beta, d, dm, s, dd, 1, out double gpp);
        if (gp >= 0) return 1;
        for (int it = 0; it < 30; it++)
        {
            if (gp > 0) lo = t; else hi = t;
            if (Math.Abs(gp) < 1e-12 || hi - lo < 1e-14) break;
            double nt = t - gp / gpp;
            if (!(nt > lo && nt < hi)) nt = 0.5 * (lo + hi);
            t = nt;
            gp = StepDerivative(beta, d, dm, s, dd, t, out gpp);
        }
        return t;
    }

    private static double StepDerivative(ReadOnlySpan<double> beta, ReadOnlySpan<double> d, double dm, double s, double dd, double t, out double g2)
    {
        double g = dm - s * t * dd; g2 = -s * dd;
        for (int k = 0; k < d.Length; k++)
        {
            if (d[k] == 0) continue;
            double bk = Math.Max(beta[k] + t * d[k], 1e-300);
            g -= d[k] * Math.Log(bk);
            g2 -= d[k] * d[k] / bk;
        }
        return g;
    }
}
