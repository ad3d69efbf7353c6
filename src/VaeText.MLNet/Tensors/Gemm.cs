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
    public static void MatMul<T>(ReadOnlySpan<T> a, ReadOnlySpan<T> b, Span<T> c, int m, int k, int n, bool accumulate = false)
        where T : unmanaged, IFloatingPointIeee754<T>
        => GemmPlain.MatMul(a, b, c, m, k, n, accumulate);

    /// <summary>C[m,n] (+)= A[m,k] · B[n,k]ᵀ (a Linear layer's forward pass with weights stored [out, in]).</summary>
    public static void MatMulTransB<T>(ReadOnlySpan<T> a, ReadOnlySpan<T> b, Span<T> c, int m, int k, int n, bool accumulate = false)
        where T : unmanaged, IFloatingPointIeee754<T>
        => GemmPlain.MatMulTransB(a, b, c, m, k, n, accumulate);

    /// <summary>C[m,n] (+)= A[k,m]ᵀ · B[k,n] (a weight gradient: inputᵀ · output-gradient).</summary>
    public static void MatMulTransA<T>(ReadOnlySpan<T> a, ReadOnlySpan<T> b, Span<T> c, int m, int k, int n, bool accumulate = false)
        where T : unmanaged, IFloatingPointIeee754<T>
        => GemmPlain.MatMulTransA(a, b, c, m, k, n, accumulate);
}

/// <summary>Plain scalar twins of <see cref="Gemm"/>: the reference the fast kernels are tested against.</summary>
public static class GemmPlain
{
    private static void Check<T>(int aLen, int bLen, int cLen, int m, int k, int n)
    {
        if (m < 0 || k < 0 || n < 0) throw new ArgumentOutOfRangeException($"negative size m={m} k={k} n={n}");
        if (aLen < (long)m * k || bLen < (long)k * n || cLen < (long)m * n)
            throw new ArgumentException($"buffers too small for m={m} k={k} n={n}: a={aLen} b={bLen} c={cLen}");
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
