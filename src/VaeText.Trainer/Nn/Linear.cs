using System.Numerics;
using VaeText.Core;
using VaeText.Tensors;

namespace VaeText.Nn;

/// <summary>
/// A fully connected layer y = x·Wᵀ + b with weights stored <c>[out, in]</c> and bias <c>[out]</c> in a
/// <see cref="ParameterStore{T}"/>. The layer holds only slice references: activations live in caller-owned
/// buffers, so a trained layer can be used by many threads at once.
/// </summary>
/// <typeparam name="T">float for training, double for gradient checks.</typeparam>
public sealed class Linear<T> where T : unmanaged, IFloatingPointIeee754<T>
{
    private readonly ParameterStore<T> _store;

    /// <summary>Reserves the layer's parameters (<c>{name}.weight</c>, <c>{name}.bias</c>) in <paramref name="store"/>.</summary>
    public Linear(ParameterStore<T> store, string name, int inFeatures, int outFeatures)
    {
        ArgumentNullException.ThrowIfNull(store);
        if (inFeatures < 1) throw new ArgumentOutOfRangeException(nameof(inFeatures), inFeatures, "must be positive");
        if (outFeatures < 1) throw new ArgumentOutOfRangeException(nameof(outFeatures), outFeatures, "must be positive");
        _store = store;
        In = inFeatures;
        Out = outFeatures;
        Weight = store.Reserve(name + ".weight", checked(inFeatures * outFeatures));
        Bias = store.Reserve(name + ".bias", outFeatures);
    }

    /// <summary>Input features.</summary>
    public int In { get; }
    /// <summary>Output features.</summary>
    public int Out { get; }
    /// <summary>Weights, row-major <c>[out, in]</c>.</summary>
    public ParameterSlice Weight { get; }
    /// <summary>Bias <c>[out]</c>.</summary>
    public ParameterSlice Bias { get; }

    /// <summary>PyTorch's default initialisation: weights and bias uniform in ±1/sqrt(in).</summary>
    public void Initialize(Rng rng)
    {
        double bound = Init.LinearBound(In);
        Init.Uniform(_store.Value(Weight), bound, rng);
        Init.Uniform(_store.Value(Bias), bound, rng);
    }

    /// <summary>output[batch, out] = input[batch, in] · Wᵀ + b.</summary>
    public void Forward(ReadOnlySpan<T> input, Span<T> output, int batch)
    {
        var w = _store.Value(Weight);
        var b = _store.Value(Bias);
        Gemm.MatMulTransB<T>(input, w, output, batch, In, Out);
        AddBias(output, b, batch, Out);
    }

    /// <summary>
    /// Accumulates dW += dOutputᵀ·input and db += Σrows dOutput into the store's gradients, and (unless
    /// <paramref name="dInput"/> is empty) writes dInput[batch, in] = dOutput · W.
    /// </summary>
    /// <param name="input">The forward pass's input <c>[batch, in]</c>.</param>
    /// <param name="dOutput">Gradient of the loss with respect to the output <c>[batch, out]</c>.</param>
    /// <param name="dInput">Receives the input gradient <c>[batch, in]</c>; empty to skip.</param>
    /// <param name="batch">Rows.</param>
    /// <param name="accumulateInput">Add to <paramref name="dInput"/> instead of overwriting it.</param>
    public void Backward(ReadOnlySpan<T> input, ReadOnlySpan<T> dOutput, Span<T> dInput, int batch, bool accumulateInput = false)
    {
        var w = _store.Value(Weight);
        Gemm.MatMulTransA<T>(dOutput, input, _store.Grad(Weight), Out, batch, In, accumulate: true);
        AddColumnSums(dOutput, _store.Grad(Bias), batch, Out);
        if (!dInput.IsEmpty) Gemm.MatMul<T>(dOutput, w, dInput, batch, Out, In, accumulateInput);
    }

    internal static void AddBias(Span<T> output, ReadOnlySpan<T> bias, int rows, int cols)
    {
        for (int r = 0; r < rows; r++)
            System.Numerics.Tensors.TensorPrimitives.Add(output.Slice(r * cols, cols), bias[..cols], output.Slice(r * cols, cols));
    }

    internal static void AddColumnSums(ReadOnlySpan<T> x, Span<T> sums, int rows, int cols)
    {
        for (int r = 0; r < rows; r++)
            System.Numerics.Tensors.TensorPrimitives.Add(sums[..cols], x.Slice(r * cols, cols), sums[..cols]);
    }
}
