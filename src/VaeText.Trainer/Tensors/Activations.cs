using System.Numerics;
using System.Numerics.Tensors;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;

namespace VaeText.Tensors;

/// <summary>
/// Element-wise activations, forward and backward. Forward: y = f(x). Backward takes the input or the output
/// (as named) and the output gradient dy, and writes dx; dx may be the same memory as dy. Spans are processed
/// over the length of the first argument; the others must be at least as long.
/// </summary>
public static class Activations
{
    /// <summary>y = max(x, 0).</summary>
    public static void Relu<T>(ReadOnlySpan<T> x, Span<T> y) where T : unmanaged, IFloatingPointIeee754<T>
    {
        Check(x.Length, y.Length, nameof(y));
        if (x.IsEmpty) return;
        TensorPrimitives.Max(x, T.Zero, y[..x.Length]);
    }

    /// <summary>dx = dy where the ReLU output y &gt; 0, else 0 (from the output y).</summary>
    public static void ReluBackward<T>(ReadOnlySpan<T> y, ReadOnlySpan<T> dy, Span<T> dx) where T : unmanaged, IFloatingPointIeee754<T>
    {
        Check(y.Length, dy.Length, nameof(dy));
        Check(y.Length, dx.Length, nameof(dx));
        int n = y.Length, i = 0;
        ref T yr = ref MemoryMarshal.GetReference(y);
        ref T gr = ref MemoryMarshal.GetReference(dy);
        ref T dr = ref MemoryMarshal.GetReference(dx);
        if (Vector512.IsHardwareAccelerated && Vector512<T>.IsSupported)
        {
            for (; i <= n - Vector512<T>.Count; i += Vector512<T>.Count)
                Vector512.BitwiseAnd(Vector512.GreaterThan(Vector512.LoadUnsafe(ref yr, (nuint)i), Vector512<T>.Zero), Vector512.LoadUnsafe(ref gr, (nuint)i)).StoreUnsafe(ref dr, (nuint)i);
        }
        if (Vector256.IsHardwareAccelerated && Vector256<T>.IsSupported)
        {
            for (; i <= n - Vector256<T>.Count; i += Vector256<T>.Count)
                Vector256.BitwiseAnd(Vector256.GreaterThan(Vector256.LoadUnsafe(ref yr, (nuint)i), Vector256<T>.Zero), Vector256.LoadUnsafe(ref gr, (nuint)i)).StoreUnsafe(ref dr, (nuint)i);
        }
        for (; i < n; i++) Unsafe.Add(ref dr, i) = Unsafe.Add(ref yr, i) > T.Zero ? Unsafe.Add(ref gr, i) : T.Zero;
    }

    /// <summary>y = log(1 + eˣ), computed stably as max(x, 0) + log1p(e^−|x|).</summary>
    public static void Softplus<T>(ReadOnlySpan<T> x, Span<T> y) where T : unmanaged, IFloatingPointIeee754<T>
    {
        Check(x.Length, y.Length, nameof(y));
        for (int i = 0; i < x.Length; i++)
        {
            T v = x[i];
            y[i] = T.Max(v, T.Zero) + Log1p(T.Exp(-T.Abs(v)));
        }
    }

    /// <summary>dx = dy·σ(x) (from the input x).</summary>
    public static void SoftplusBackward<T>(ReadOnlySpan<T> x, ReadOnlySpan<T> dy, Span<T> dx) where T : unmanaged, IFloatingPointIeee754<T>
    {
        Check(x.Length, dy.Length, nameof(dy));
        Check(x.Length, dx.Length, nameof(dx));
        for (int i = 0; i < x.Length; i++)
        {
            T v = x[i];
            T s = v >= T.Zero ? T.One / (T.One + T.Exp(-v)) : T.Exp(v) / (T.One + T.Exp(v));
            dx[i] = dy[i] * s;
        }
    }

    /// <summary>y = tanh(x).</summary>
    public static void Tanh<T>(ReadOnlySpan<T> x, Span<T> y) where T : unmanaged, IFloatingPointIeee754<T>
    {
        Check(x.Length, y.Length, nameof(y));
        if (x.IsEmpty) return;
        TensorPrimitives.Tanh(x, y[..x.Length]);
    }

    /// <summary>dx = dy·(1 − y²) (from the output y).</summary>
    public static void TanhBackward<T>(ReadOnlySpan<T> y, ReadOnlySpan<T> dy, Span<T> dx) where T : unmanaged, IFloatingPointIeee754<T>
    {
        Check(y.Length, dy.Length, nameof(dy));
        Check(y.Length, dx.Length, nameof(dx));
        for (int i = 0; i < y.Length; i++) { T v = y[i]; dx[i] = dy[i] * (T.One - v * v); }
    }

    /// <summary>y = 1 / (1 + e^−x).</summary>
    public static void Sigmoid<T>(ReadOnlySpan<T> x, Span<T> y) where T : unmanaged, IFloatingPointIeee754<T>
    {
        Check(x.Length, y.Length, nameof(y));
        if (x.IsEmpty) return;
        TensorPrimitives.Sigmoid(x, y[..x.Length]);
    }

    /// <summary>dx = dy·y·(1 − y) (from the output y).</summary>
    public static void SigmoidBackward<T>(ReadOnlySpan<T> y, ReadOnlySpan<T> dy, Span<T> dx) where T : unmanaged, IFloatingPointIeee754<T>
    {
        Check(y.Length, dy.Length, nameof(dy));
        Check(y.Length, dx.Length, nameof(dx));
        for (int i = 0; i < y.Length; i++) { T v = y[i]; dx[i] = dy[i] * v * (T.One - v); }
    }

    /// <summary>log(1 + e) accurate for small e (the classic correction of the rounded 1 + e).</summary>
    private static T Log1p<T>(T e) where T : IFloatingPointIeee754<T>
    {
        T u = T.One + e;
        if (u == T.One) return e;
        return T.Log(u) * e / (u - T.One);
    }

    private static void Check(int n, int other, string name)
    {
        if (other < n) throw new ArgumentException($"{name} has length {other}, shorter than the input ({n})", name);
    }
}
