using System.Numerics;
using VaeText.Core;
using VaeText.Tensors;

namespace VaeText.Nn;

/// <summary>
/// Row-wise affine map y = x·Wᵀ + b used inside the sequence layers (weights [out, in], bias [out]).
/// Holds only parameter slices; inputs and outputs are caller-owned.
/// </summary>
/// <typeparam name="T">float for training, double for gradient checks.</typeparam>
public sealed class Affine<T> where T : unmanaged, IFloatingPointIeee754<T>
{
    /// <summary>Input width.</summary>
    public int In { get; }
    /// <summary>Output width.</summary>
    public int Out { get; }
    /// <summary>Weights [Out, In].</summary>
    public ParameterSlice Weight { get; }
    /// <summary>Bias [Out] (length 0 when the layer has none).</summary>
    public ParameterSlice Bias { get; }

    /// <summary>Reserves the parameters under <paramref name="name"/>.weight / .bias.</summary>
    public Affine(ParameterStore<T> store, string name, int inFeatures, int outFeatures, bool bias = true)
    {
        ArgumentNullException.ThrowIfNull(store);
        if (inFeatures <= 0) throw new ArgumentOutOfRangeException(nameof(inFeatures), inFeatures, "must be positive");
        if (outFeatures <= 0) throw new ArgumentOutOfRangeException(nameof(outFeatures), outFeatures, "must be positive");
        In = inFeatures; Out = outFeatures;
        Weight = store.Reserve(name + ".weight", checked(inFeatures * outFeatures));
        Bias = store.Reserve(name + ".bias", bias ? outFeatures : 0);
    }

    /// <summary>Uniform(±1/√in) weights (PyTorch's default range) and zero bias.</summary>
    public void Initialize(ParameterStore<T> store, Rng rng)
    {
        SeqOps.Uniform(store.Value(Weight), rng, 1.0 / Math.Sqrt(In));
        store.Value(Bias).Clear();
    }

    /// <summary>y[rows, Out] = x[rows, In]·Wᵀ + b.</summary>
    public void Forward(ParameterStore<T> store, ReadOnlySpan<T> x, int rows, Span<T> y)
    {
        SeqOps.Need(x.Length, (long)rows * In, nameof(x));
        SeqOps.Need(y.Length, (long)rows * Out, nameof(y));
        Gemm.MatMulTransB<T>(x, store.Value(Weight), y, rows, In, Out);
        if (Bias.Length > 0) SeqOps.AddBiasRows(y, rows, store.Value(Bias));
    }

    /// <summary>
    /// Accumulates dW += dyᵀ·x and db += Σ dy; writes dx = dy·W (or adds it when <paramref name="accumulateDx"/>);
    /// an empty <paramref name="dx"/> skips the input gradient.
    /// </summary>
    public void Backward(ParameterStore<T> store, ReadOnlySpan<T> x, ReadOnlySpan<T> dy, int rows, Span<T> dx, bool accumulateDx = false)
    {
        SeqOps.Need(x.Length, (long)rows * In, nameof(x));
        SeqOps.Need(dy.Length, (long)rows * Out, nameof(dy));
        Gemm.MatMulTransA<T>(dy, x, store.Grad(Weight), Out, rows, In, accumulate: true);
        if (Bias.Length > 0) SeqOps.AddColumnSums(dy, rows, Out, store.Grad(Bias));
        if (!dx.IsEmpty)
        {
            SeqOps.Need(dx.Length, (long)rows * In, nameof(dx));
            Gemm.MatMul<T>(dy, store.Value(Weight), dx, rows, Out, In, accumulateDx);
        }
    }
}
