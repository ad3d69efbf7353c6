using System.Numerics;
using System.Numerics.Tensors;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;

namespace VaeText.Tensors;

/// <summary>Small vector and row-wise helpers the layers need (bias rows, column sums, axpy, scale, dot, norms).</summary>
public static class VectorOps
{
    /// <summary>y += alpha·x over the first <c>x.Length</c> elements of <paramref name="y"/>.</summary>
    /// <exception cref="ArgumentException"><paramref name="y"/> is shorter than <paramref name="x"/>.</exception>
    public static void Axpy<T>(T alpha, ReadOnlySpan<T> x, Span<T> y) where T : unmanaged, IFloatingPointIeee754<T>
    {
        if (y.Length < x.Length) throw new ArgumentException($"y has length {y.Length}, shorter than x ({x.Length})", nameof(y));
        int n = x.Length, i = 0;
        ref T xr = ref MemoryMarshal.GetReference(x);
        ref T yr = ref MemoryMarshal.GetReference(y);
        if (Vector512.IsHardwareAccelerated && Vector512<T>.IsSupported)
        {
            var va = Vector512.Create(alpha);
            for (; i <= n - Vector512<T>.Count; i += Vector512<T>.Count)
                (Vector512.LoadUnsafe(ref yr, (nuint)i) + va * Vector512.LoadUnsafe(ref xr, (nuint)i)).StoreUnsafe(ref yr, (nuint)i);
        }
        if (Vector256.IsHardwareAccelerated && Vector256<T>.IsSupported)
        {
            var va = Vector256.Create(alpha);
            for (; i <= n - Vector256<T>.Count; i += Vector256<T>.Count)
                (Vector256.LoadUnsafe(ref yr, (nuint)i) + va * Vector256.LoadUnsafe(ref xr, (nuint)i)).StoreUnsafe(ref yr, (nuint)i);
        }
        for (; i < n; i++) Unsafe.Add(ref yr, i) += alpha * Unsafe.Add(ref xr, i);
    }

    /// <summary>x *= alpha.</summary>
    public static void Scale<T>(Span<T> x, T alpha) where T : unmanaged, IFloatingPointIeee754<T>
        => TensorPrimitives.Multiply<T>(x, alpha, x);

    /// <summary>Σ x·y over equal-length spans.</summary>
    /// <exception cref="ArgumentException">The lengths differ.</exception>
    public static T Dot<T>(ReadOnlySpan<T> x, ReadOnlySpan<T> y) where T : unmanaged, IFloatingPointIeee754<T>
    {
        if (x.Length != y.Length) throw new ArgumentException($"x has length {x.Length} but y has length {y.Length}", nameof(y));
        return TensorPrimitives.Dot(x, y);
    }

    /// <summary>Σ x² accumulated in double (for gradient-norm clipping).</summary>
    public static double SumOfSquares<T>(ReadOnlySpan<T> x) where T : unmanaged, IFloatingPointIeee754<T>
    {
        double s = 0;
        const int block = 4096;
        for (int i = 0; i < x.Length; i += block)
            s += double.CreateTruncating(TensorPrimitives.SumOfSquares(x.Slice(i, Math.Min(block, x.Length - i))));
        return s;
    }

    /// <summary>x[r, :] += bias for every row r of x [m, n].</summary>
    /// <exception cref="ArgumentException">A buffer is shorter than its shape needs.</exception>
    public static void AddBiasRows<T>(Span<T> x, ReadOnlySpan<T> bias, int m, int n) where T : unmanaged, IFloatingPointIeee754<T>
    {
        CheckRows(x.Length, m, n, nameof(x));
        if (bias.Length < n) throw new ArgumentException($"bias has length {bias.Length}, but n={n}", nameof(bias));
        for (int r = 0; r < m; r++) TensorPrimitives.Add(x.Slice(r * n, n), bias[..n], x.Slice(r * n, n));
    }

    /// <summary>sums[j] (+)= Σ_r x[r, j] over x [m, n] (a bias gradient), summed in row order.</summary>
    /// <exception cref="ArgumentException">A buffer is shorter than its shape needs.</exception>
    public static void ColumnSums<T>(ReadOnlySpan<T> x, Span<T> sums, int m, int n, bool accumulate) where T : unmanaged, IFloatingPointIeee754<T>
    {
        CheckRows(x.Length, m, n, nameof(x));
        if (sums.Length < n) throw new ArgumentException($"sums has length {sums.Length}, but n={n}", nameof(sums));
        var s = sums[..n];
        if (!accumulate) s.Clear();
        for (int r = 0; r < m; r++) TensorPrimitives.Add(s, x.Slice(r * n, n), s);
    }

    internal static void CheckRows(int length, int m, int n, string name)
    {
        if (m < 0) throw new ArgumentOutOfRangeException(nameof(m), m, "must be non-negative");
        if (n < 0) throw new ArgumentOutOfRangeException(nameof(n), n, "must be non-negative");
        if (length < (long)m * n) throw new ArgumentException($"{name} has length {length}, but m={m} n={n} need {(long)m * n}", name);
    }
}
