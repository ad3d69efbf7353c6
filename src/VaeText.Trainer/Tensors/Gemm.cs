using System.Numerics;

namespace VaeText.Tensors;

/// <summary>
/// Dense matrix products on row-major buffers, in the three transposition forms a layer needs.
/// Argument order is always: inputs, sizes, output. When <c>accumulate</c> is true the product is added to
/// <c>c</c>; otherwise <c>c</c> is overwritten.
/// </summary>
/// <remarks>
/// The public methods pick the fastest path for the machine (SIMD, parallel across cores); each has a
/// plain scalar twin in <see cref="GemmPlain"/> that tests compare against.
/// </remarks>
public static class Gemm
{
    /// <summary>C[m,n] (+)= A[m,k] · B[k,n].</summary>
    /// <exception cref="ArgumentOutOfRangeException">A size is negative.</exception>
    /// <exception cref="ArgumentException">A buffer is shorter than its shape needs.</exception>
    public static void MatMul<T>(ReadOnlySpan<T> a, ReadOnlySpan<T> b, Span<T> c, int m, int k, int n, bool accumulate = false)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        GemmPlain.Check<T>(a.Length, b.Length, c.Length, m, k, n);
        GemmDriver.Run(a, b, c, m, k, n, accumulate, transA: false, transB: false);
    }

    /// <summary>C[m,n] (+)= A[m,k] · B[n,k]ᵀ (a Linear layer's forward pass with weights stored [out, in]).</summary>
    /// <exception cref="ArgumentOutOfRangeException">A size is negative.</exception>
    /// <exception cref="ArgumentException">A buffer is shorter than its shape needs.</exception>
    public static void MatMulTransB<T>(ReadOnlySpan<T> a, ReadOnlySpan<T> b, Span<T> c, int m, int k, int n, bool accumulate = false)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        GemmPlain.Check<T>(a.Length, b.Length, c.Length, m, k, n);
        GemmDriver.Run(a, b, c, m, k, n, accumulate, transA: false, transB: true);
    }

    /// <summary>C[m,n] (+)= A[k,m]ᵀ · B[k,n] (a weight gradient: inputᵀ · output-gradient).</summary>
    /// <exception cref="ArgumentOutOfRangeException">A size is negative.</exception>
    /// <exception cref="ArgumentException">A buffer is shorter than its shape needs.</exception>
    public static void MatMulTransA<T>(ReadOnlySpan<T> a, ReadOnlySpan<T> b, Span<T> c, int m, int k, int n, bool accumulate = false)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        GemmPlain.Check<T>(a.Length, b.Length, c.Length, m, k, n);
        GemmDriver.Run(a, b, c, m, k, n, accumulate, transA: true, transB: false);
    }
}

/// <summary>Plain scalar twins of <see cref="Gemm"/>: the reference the fast kernels are tested against.</summary>
public static class GemmPlain
{
    internal static void Check<T>(int aLen, int bLen, int cLen, int m, int k, int n)
    {
        if (m < 0) throw new ArgumentOutOfRangeException(nameof(m), m, "must be non-negative");
        if (k < 0) throw new ArgumentOutOfRangeException(nameof(k), k, "must be non-negative");
        if (n < 0) throw new ArgumentOutOfRangeException(nameof(n), n, "must be non-negative");
        if (aLen < (long)m * k) throw new ArgumentException($"a has length {aLen}, but m={m} k={k} needs {(long)m * k}", "a");
        if (bLen < (long)k * n) throw new ArgumentException($"b has length {bLen}, but k={k} n={n} needs {(long)k * n}", "b");
        if (cLen < (long)m * n) throw new ArgumentException($"c has length {cLen}, but m={m} n={n} needs {(long)m * n}", "c");
        if ((long)m * k > int.MaxValue || (long)k * n > int.MaxValue || (long)m * n > int.MaxValue)
            throw new ArgumentException($"product of sizes exceeds int.MaxValue: m={m} k={k} n={n}");
    }

    /// <summary>C[m,n] (+)= A[m,k] · B[k,n].</summary>
    public static void MatMul<T>(ReadOnlySpan<T> a, ReadOnlySpan<T> b, Span<T> c, int m, int k, int n, bool accumulate = false)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        Check<T>(a.Length, b.Length, c.Length, m, k, n);
        for (int i = 0; i < m; i++)
            for (int j = 0; j < n; j++)
            {
                T s = T.Zero;
                for (int p = 0; p < k; p++) s += a[i * k + p] * b[p * n + j];
                c[i * n + j] = accumulate ? c[i * n + j] + s : s;
            }
    }

    /// <summary>C[m,n] (+)= A[m,k] · B[n,k]ᵀ.</summary>
    public static void MatMulTransB<T>(ReadOnlySpan<T> a, ReadOnlySpan<T> b, Span<T> c, int m, int k, int n, bool accumulate = false)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        Check<T>(a.Length, b.Length, c.Length, m, k, n);
        for (int i = 0; i < m; i++)
            for (int j = 0; j < n; j++)
            {
                T s = T.Zero;
                for (int p = 0; p < k; p++) s += a[i * k + p] * b[j * k + p];
                c[i * n + j] = accumulate ? c[i * n + j] + s : s;
            }
    }

    /// <summary>C[m,n] (+)= A[k,m]ᵀ · B[k,n].</summary>
    public static void MatMulTransA<T>(ReadOnlySpan<T> a, ReadOnlySpan<T> b, Span<T> c, int m, int k, int n, bool accumulate = false)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        Check<T>(a.Length, b.Length, c.Length, m, k, n);
        for (int i = 0; i < m; i++)
            for (int j = 0; j < n; j++)
            {
                T s = T.Zero;
                for (int p = 0; p < k; p++) s += a[p * m + i] * b[p * n + j];
                c[i * n + j] = accumulate ? c[i * n + j] + s : s;
            }
    }
}
