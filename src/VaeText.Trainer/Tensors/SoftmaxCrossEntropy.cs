using System.Numerics;
using System.Numerics.Tensors;
using System.Runtime.CompilerServices;

namespace VaeText.Tensors;

/// <summary>
/// Fused, numerically stable log-softmax + cross-entropy over a vocabulary, row by row (rows in parallel, so the
/// result does not depend on the thread count). Every row subtracts its maximum before exponentiating.
/// </summary>
public static class SoftmaxCrossEntropy
{
    /// <summary>
    /// For logits [m, v] and target counts (CSR, <c>counts.Rows == m</c>, <c>counts.Columns == v</c>):
    /// rowLoss[i] = −Σ_j count_ij·log softmax(logits_i)_j, and, when <paramref name="dLogits"/> is not empty,
    /// dLogits_i = scale·(N_i·softmax_i − counts_i) with N_i = Σ_j count_ij. <paramref name="dLogits"/> may be
    /// the same memory as <paramref name="logits"/> (the gradient then replaces the logits).
    /// </summary>
    /// <returns>Σ_i rowLoss[i], summed in row order.</returns>
    /// <exception cref="ArgumentException">A shape does not match.</exception>
    public static double Compute<T>(ReadOnlySpan<T> logits, CsrMatrix counts, Span<double> rowLoss, Span<T> dLogits, int m, int v, T scale)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        ArgumentNullException.ThrowIfNull(counts);
        CheckShapes(logits.Length, rowLoss.Length, dLogits.Length, m, v);
        if (counts.Rows != m) throw new ArgumentException($"counts has {counts.Rows} rows, but m={m}", nameof(counts));
        if (counts.Columns != v) throw new ArgumentException($"counts has {counts.Columns} columns, but v={v}", nameof(counts));
        return Run(logits, counts, default, rowLoss, dLogits, m, v, scale);
    }

    /// <summary>
    /// Dense-target form: rowLoss[i] = −Σ_j t_ij·log softmax(logits_i)_j and, when <paramref name="dLogits"/> is
    /// not empty, dLogits_i = scale·(N_i·softmax_i − t_i) with N_i = Σ_j t_ij. targets is [m, v].
    /// <paramref name="dLogits"/> may be the same memory as <paramref name="logits"/>, but not as targets.
    /// </summary>
    /// <returns>Σ_i rowLoss[i], summed in row order.</returns>
    /// <exception cref="ArgumentException">A shape does not match.</exception>
    public static double Compute<T>(ReadOnlySpan<T> logits, ReadOnlySpan<T> targets, Span<double> rowLoss, Span<T> dLogits, int m, int v, T scale)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        CheckShapes(logits.Length, rowLoss.Length, dLogits.Length, m, v);
        if (targets.Length < (long)m * v) throw new ArgumentException($"targets has length {targets.Length}, but m={m} v={v} need {(long)m * v}", nameof(targets));
        if (m == 0) return 0;
        return Run(logits, null, targets, rowLoss, dLogits, m, v, scale);
    }

    /// <summary>y[i, :] = log softmax(x[i, :]) for x [m, v]; y may be the same memory as x.</summary>
    /// <exception cref="ArgumentException">A shape does not match.</exception>
    public static void LogSoftmax<T>(ReadOnlySpan<T> x, Span<T> y, int m, int v) where T : unmanaged, IFloatingPointIeee754<T>
    {
        VectorOps.CheckRows(x.Length, m, v, nameof(x));
        VectorOps.CheckRows(y.Length, m, v, nameof(y));
        if (m == 0 || v == 0) return;
        unsafe
        {
            fixed (T* px = x, py = y)
            {
                var job = Job<T>.Instance ??= new Job<T>();
                job.Set(px, null, null, null, py, m, v, default, logSoftmax: true);
                KernelPool.Run(job, job.Parts);
                job.Clear();
            }
        }
    }

    private static void CheckShapes(int logitsLen, int lossLen, int gradLen, int m, int v)
    {
        VectorOps.CheckRows(logitsLen, m, v, "logits");
        if (v == 0 && m > 0) throw new ArgumentOutOfRangeException(nameof(v), v, "the vocabulary must not be empty");
        if (lossLen < m) throw new ArgumentException($"rowLoss has length {lossLen}, but m={m}", "rowLoss");
        if (gradLen != 0 && gradLen < (long)m * v) throw new ArgumentException($"dLogits has length {gradLen}, but m={m} v={v} need {(long)m * v} (or pass an empty span for no gradient)", "dLogits");
    }

    private static unsafe double Run<T>(ReadOnlySpan<T> logits, CsrMatrix? counts, ReadOnlySpan<T> targets, Span<double> rowLoss, Span<T> dLogits, int m, int v, T scale)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        if (m == 0) return 0;
        fixed (T* px = logits, pt = targets, pg = dLogits)
        fixed (double* pl = rowLoss)
        {
            var job = Job<T>.Instance ??= new Job<T>();
            job.Set(px, counts, counts == null ? pt : null, pl, dLogits.IsEmpty ? null : pg, m, v, scale, logSoftmax: false);
            KernelPool.Run(job, job.Parts);
            job.Clear();
        }
        double total = 0;
        for (int i = 0; i < m; i++) total += rowLoss[i];
        return total;
    }

    private sealed unsafe class Job<T> : PartJob where T : unmanaged, IFloatingPointIeee754<T>
    {
        [ThreadStatic] internal static Job<T>? Instance;
        [ThreadStatic] private static T[]? scratch;
        private T* x, t, g;
        private double* loss;
        private CsrMatrix? counts;
        private int m, v;
        private T scale;
        private bool logSoftmax;
        public int Parts;

        public void Set(T* x, CsrMatrix? counts, T* t, double* loss, T* g, int m, int v, T scale, bool logSoftmax)
        {
            this.x = x; this.counts = counts; this.t = t; this.loss = loss; this.g = g;
            this.m = m; this.v = v; this.scale = scale; this.logSoftmax = logSoftmax;
            Parts = KernelPool.Parts(m, 12.0 * v, 200_000);
        }

        public void Clear()
        {
            x = t = g = null; loss = null; counts = null;
        }

        public override void Run(int part)
        {
            var (r0, r1) = KernelPool.Range(m, Parts, part);
            for (int r = r0; r < r1; r++)
            {
                var row = new ReadOnlySpan<T>(x + (nint)r * v, v);
                if (logSoftmax) { LogSoftmaxRow(row, new Span<T>(g + (nint)r * v, v)); continue; }
                // Target terms first: dLogits may overwrite the logits.
                double dot = 0, total = 0;
                if (counts != null)
                {
                    int[] ptr = counts.RowPtr, idx = counts.Indices;
                    float[] val = counts.Values;
                    for (int p = ptr[r]; p < ptr[r + 1]; p++)
                    {
                        dot += val[p] * double.CreateTruncating(row[idx[p]]);
                        total += val[p];
                    }
                }
                else
                {
                    var trow = new ReadOnlySpan<T>(t + (nint)r * v, v);
                    for (int j = 0; j < v; j++)
                    {
                        double c = double.CreateTruncating(trow[j]);
                        dot += c * double.CreateTruncating(row[j]);
                        total += c;
                    }
                }
                T max = TensorPrimitives.Max(row);
                Span<T> e = g != null ? new Span<T>(g + (nint)r * v, v) : Scratch(v);
                TensorPrimitives.Subtract(row, max, e);
                TensorPrimitives.Exp<T>(e, e);
                double sum = double.CreateTruncating(TensorPrimitives.Sum<T>(e));
                double lse = double.CreateTruncating(max) + Math.Log(sum);
                loss[r] = total * lse - dot;
                if (g == null) continue;
                double sc = double.CreateTruncating(scale);
                TensorPrimitives.Multiply(e, T.CreateTruncating(sc * total / sum), e);
                if (counts != null)
                {
                    int[] ptr = counts.RowPtr, idx = counts.Indices;
                    float[] val = counts.Values;
                    for (int p = ptr[r]; p < ptr[r + 1]; p++) e[idx[p]] -= T.CreateTruncating(sc * val[p]);
                }
                else
                {
                    var trow = new ReadOnlySpan<T>(t + (nint)r * v, v);
                    T s = scale;
                    for (int j = 0; j < v; j++) e[j] -= s * trow[j];
                }
            }
        }

        private static Span<T> Scratch(int v)
        {
            var s = scratch;
            if (s == null || s.Length < v) scratch = s = new T[Math.Max(v, 1024)];
            return s.AsSpan(0, v);
        }

        private static void LogSoftmaxRow(ReadOnlySpan<T> x, Span<T> y)
        {
            T max = TensorPrimitives.Max(x);
            var e = Scratch(x.Length);
            TensorPrimitives.Subtract(x, max, y);
            TensorPrimitives.Exp<T>(y, e);
            TensorPrimitives.Subtract(y, T.Log(TensorPrimitives.Sum<T>(e)), y);
        }
    }
}
