using System.Numerics;
using System.Numerics.Tensors;

namespace VaeText.Nn;

/// <summary>Layer normalisation over the last dimension: y = (x − mean)/√(var + ε)·γ + β.</summary>
/// <typeparam name="T">float for training, double for gradient checks.</typeparam>
public sealed class LayerNorm<T> where T : unmanaged, IFloatingPointIeee754<T>
{
    /// <summary>Normalised width.</summary>
    public int Dim { get; }
    /// <summary>Variance floor ε.</summary>
    public double Epsilon { get; }
    /// <summary>Scale γ [Dim].</summary>
    public ParameterSlice Gain { get; }
    /// <summary>Shift β [Dim].</summary>
    public ParameterSlice Shift { get; }

    /// <summary>Reserves γ and β under <paramref name="name"/>.gain / .shift.</summary>
    public LayerNorm(ParameterStore<T> store, string name, int dim, double epsilon = 1e-5)
    {
        ArgumentNullException.ThrowIfNull(store);
        if (dim <= 0) throw new ArgumentOutOfRangeException(nameof(dim), dim, "must be positive");
        if (!(epsilon > 0)) throw new ArgumentOutOfRangeException(nameof(epsilon), epsilon, "must be positive");
        Dim = dim; Epsilon = epsilon;
        Gain = store.Reserve(name + ".gain", dim);
        Shift = store.Reserve(name + ".shift", dim);
    }

    /// <summary>γ = 1, β = 0.</summary>
    public void Initialize(ParameterStore<T> store)
    {
        store.Value(Gain).Fill(T.One);
        store.Value(Shift).Clear();
    }

    /// <summary>y[rows, Dim] from x; caches the normalised input <paramref name="xhat"/> [rows, Dim] and 1/σ <paramref name="rstd"/> [rows].</summary>
    public void Forward(ParameterStore<T> store, ReadOnlySpan<T> x, int rows, Span<T> y, Span<T> xhat, Span<T> rstd)
    {
        int d = Dim;
        SeqOps.Need(x.Length, (long)rows * d, nameof(x)); SeqOps.Need(y.Length, (long)rows * d, nameof(y));
        SeqOps.Need(xhat.Length, (long)rows * d, nameof(xhat)); SeqOps.Need(rstd.Length, rows, nameof(rstd));
        var g = store.Value(Gain); var b = store.Value(Shift);
        T n = T.CreateTruncating(d), eps = T.CreateTruncating(Epsilon);
        for (int r = 0; r < rows; r++)
        {
            var xr = x.Slice(r * d, d); var hr = xhat.Slice(r * d, d);
            T mean = TensorPrimitives.Sum(xr) / n;
            TensorPrimitives.Subtract(xr, mean, hr);
            T var = TensorPrimitives.SumOfSquares<T>(hr) / n;
            T rs = T.One / T.Sqrt(var + eps);
            rstd[r] = rs;
            TensorPrimitives.Multiply(hr, rs, hr);
            TensorPrimitives.FusedMultiplyAdd(hr, g, b, y.Slice(r * d, d));
        }
    }

    /// <summary>
    /// Accumulates dγ, dβ; writes (or adds, when <paramref name="accumulateDx"/>) dx. <paramref name="scratch"/> needs Dim values.
    /// </summary>
    public void Backward(ParameterStore<T> store, ReadOnlySpan<T> dy, int rows, ReadOnlySpan<T> xhat, ReadOnlySpan<T> rstd,
        Span<T> dx, bool accumulateDx, Span<T> scratch)
    {
        int d = Dim;
        SeqOps.Need(dy.Length, (long)rows * d, nameof(dy)); SeqOps.Need(dx.Length, (long)rows * d, nameof(dx));
        SeqOps.Need(scratch.Length, d, nameof(scratch));
        var g = store.Value(Gain); var dg = store.Grad(Gain); var db = store.Grad(Shift);
        var dxh = scratch[..d];
        T n = T.CreateTruncating(d);
        for (int r = 0; r < rows; r++)
        {
            var dyr = dy.Slice(r * d, d); var hr = xhat.Slice(r * d, d);
            TensorPrimitives.FusedMultiplyAdd(dyr, hr, dg, dg);
            TensorPrimitives.Add(db, dyr, db);
            TensorPrimitives.Multiply(dyr, g, dxh);
            T m1 = TensorPrimitives.Sum<T>(dxh) / n;
            T m2 = TensorPrimitives.Dot<T>(dxh, hr) / n;
            T rs = rstd[r];
            var dxr = dx.Slice(r * d, d);
            for (int j = 0; j < d; j++)
            {
                T v = (dxh[j] - m1 - hr[j] * m2) * rs;
                dxr[j] = accumulateDx ? dxr[j] + v : v;
            }
        }
    }
}
