using System.Numerics;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;

namespace VaeText.Tensors;

/// <summary>
/// Sparse × dense products for a sparse first layer: inputs are CSR rows (documents × vocabulary, float values),
/// weights are stored input-major <c>[x.Columns, n]</c>, so each nonzero reads one contiguous weight row.
/// Both kernels are parallel with a fixed partition and give bit-identical results for any thread count.
/// </summary>
public static class SparseOps
{
    /// <summary>C[x.Rows, n] (+)= X · W, with W stored <c>[x.Columns, n]</c>.</summary>
    /// <exception cref="ArgumentNullException"><paramref name="x"/> is null.</exception>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="n"/> is negative.</exception>
    /// <exception cref="ArgumentException">A buffer is shorter than its shape needs.</exception>
    public static void CsrMatMul<T>(CsrMatrix x, ReadOnlySpan<T> w, Span<T> c, int n, bool accumulate)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        SparseOpsPlain.Check(x, w.Length, c.Length, n, "w", "c");
        if (x.Rows == 0 || n == 0) return;
        int parts = KernelPool.Parts(x.Rows, 2.0 * Math.Max(1, x.NonZeros / Math.Max(1, x.Rows)) * n, 100_000);
        unsafe
        {
            fixed (T* pw = w, pc = c)
            {
                var job = CsrJob<T>.Instance ??= new CsrJob<T>();
                job.X = x; job.W = pw; job.C = pc; job.N = n; job.Accumulate = accumulate; job.Parts = parts; job.Transposed = false;
                job.Units = x.Rows;
                KernelPool.Run(job, parts);
                job.X = null; job.W = job.C = null;
            }
        }
    }

    /// <summary>
    /// dW[x.Columns, n] += Xᵀ · dC, i.e. dW[idx, :] += value·dC[row, :] for every stored entry (always accumulates:
    /// clear <paramref name="dw"/> first for a plain product). Parallel by splitting the n columns, never racy.
    /// </summary>
    /// <exception cref="ArgumentNullException"><paramref name="x"/> is null.</exception>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="n"/> is negative.</exception>
    /// <exception cref="ArgumentException">A buffer is shorter than its shape needs.</exception>
    public static void CsrTransposeMatMul<T>(CsrMatrix x, ReadOnlySpan<T> dc, Span<T> dw, int n)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        ArgumentNullException.ThrowIfNull(x);
        if (n < 0) throw new ArgumentOutOfRangeException(nameof(n), n, "must be non-negative");
        if (dc.Length < (long)x.Rows * n) throw new ArgumentException($"dc has length {dc.Length}, but {x.Rows} rows × n={n} need {(long)x.Rows * n}", nameof(dc));
        if (dw.Length < (long)x.Columns * n) throw new ArgumentException($"dw has length {dw.Length}, but {x.Columns} columns × n={n} need {(long)x.Columns * n}", nameof(dw));
        if (x.NonZeros == 0 || n == 0) return;
        // Column chunks of 64 bytes so that two threads never share a cache line of a weight row.
        int chunk = Math.Max(1, 64 / Unsafe.SizeOf<T>());
        int units = (n + chunk - 1) / chunk;
        int parts = KernelPool.Parts(units, 2.0 * x.NonZeros * chunk, 100_000);
        unsafe
        {
            fixed (T* pw = dc, pc = dw)
            {
                var job = CsrJob<T>.Instance ??= new CsrJob<T>();
                job.X = x; job.W = pw; job.C = pc; job.N = n; job.Parts = parts; job.Transposed = true;
                job.Units = units; job.Chunk = chunk;
                KernelPool.Run(job, parts);
                job.X = null; job.W = job.C = null;
            }
        }
    }

    private sealed unsafe class CsrJob<T> : PartJob where T : unmanaged, IFloatingPointIeee754<T>
    {
        [ThreadStatic] internal static CsrJob<T>? Instance;
        public CsrMatrix? X;
        public T* W, C;
        public int N, Parts, Units, Chunk;
        public bool Accumulate, Transposed;

        public override void Run(int part)
        {
            var x = X!;
            var (u0, u1) = KernelPool.Range(Units, Parts, part);
            int[] ptr = x.RowPtr, idx = x.Indices;
            float[] val = x.Values;
            int n = N;
            if (!Transposed)
            {
                for (int r = u0; r < u1; r++)
                {
                    var crow = new Span<T>(C + (nint)r * n, n);
                    if (!Accumulate) crow.Clear();
                    for (int p = ptr[r]; p < ptr[r + 1]; p++)
                        VectorOps.Axpy(T.CreateTruncating(val[p]), new ReadOnlySpan<T>(W + (nint)idx[p] * n, n), crow);
                }
            }
            else
            {
                int j0 = u0 * Chunk, j1 = Math.Min(n, u1 * Chunk);
                if (j0 >= j1) return;
                int len = j1 - j0;
                for (int r = 0; r < x.Rows; r++)
                {
                    var src = new ReadOnlySpan<T>(W + (nint)r * n + j0, len);
                    for (int p = ptr[r]; p < ptr[r + 1]; p++)
                        VectorOps.Axpy(T.CreateTruncating(val[p]), src, new Span<T>(C + (nint)idx[p] * n + j0, len));
                }
            }
        }
    }
}

/// <summary>Plain scalar twins of <see cref="SparseOps"/>: the reference the fast kernels are tested against.</summary>
public static class SparseOpsPlain
{
    internal static void Check(CsrMatrix x, int wLen, int cLen, int n, string wName, string cName)
    {
        ArgumentNullException.ThrowIfNull(x);
        if (n < 0) throw new ArgumentOutOfRangeException(nameof(n), n, "must be non-negative");
        if (wLen < (long)x.Columns * n) throw new ArgumentException($"{wName} has length {wLen}, but {x.Columns} columns × n={n} need {(long)x.Columns * n}", wName);
        if (cLen < (long)x.Rows * n) throw new ArgumentException($"{cName} has length {cLen}, but {x.Rows} rows × n={n} need {(long)x.Rows * n}", cName);
    }

    /// <summary>C[x.Rows, n] (+)= X · W, with W stored <c>[x.Columns, n]</c>.</summary>
    public static void CsrMatMul<T>(CsrMatrix x, ReadOnlySpan<T> w, Span<T> c, int n, bool accumulate)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        Check(x, w.Length, c.Length, n, "w", "c");
        for (int r = 0; r < x.Rows; r++)
            for (int j = 0; j < n; j++)
            {
                T s = T.Zero;
                for (int p = x.RowPtr[r]; p < x.RowPtr[r + 1]; p++) s += T.CreateTruncating(x.Values[p]) * w[x.Indices[p] * n + j];
                c[r * n + j] = accumulate ? c[r * n + j] + s : s;
            }
    }

    /// <summary>dW[x.Columns, n] += Xᵀ · dC (always accumulates).</summary>
    public static void CsrTransposeMatMul<T>(CsrMatrix x, ReadOnlySpan<T> dc, Span<T> dw, int n)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        Check(x, dw.Length, dc.Length, n, "dw", "dc");
        for (int r = 0; r < x.Rows; r++)
            for (int p = x.RowPtr[r]; p < x.RowPtr[r + 1]; p++)
                for (int j = 0; j < n; j++) dw[x.Indices[p] * n + j] += T.CreateTruncating(x.Values[p]) * dc[r * n + j];
    }
}
