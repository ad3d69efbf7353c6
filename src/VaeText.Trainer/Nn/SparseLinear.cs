using System.Numerics;
using System.Numerics.Tensors;
using VaeText.Core;

namespace VaeText.Nn;

/// <summary>
/// A fully connected layer whose input is sparse (rows of a CSR matrix): y = x·W + b with the weights stored
/// input-major <c>[in, out]</c>, so every non-zero input reads one contiguous weight row. Holds only slice
/// references into a <see cref="ParameterStore{T}"/>.
/// </summary>
/// <typeparam name="T">float for training, double for gradient checks.</typeparam>
public sealed class SparseLinear<T> where T : unmanaged, IFloatingPointIeee754<T>
{
    private readonly ParameterStore<T> _store;

    /// <summary>Reserves <c>{name}.weight</c> <c>[in, out]</c> and <c>{name}.bias</c> <c>[out]</c>.</summary>
    public SparseLinear(ParameterStore<T> store, string name, int inFeatures, int outFeatures)
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

    /// <summary>Input features (the CSR matrix's column count).</summary>
    public int In { get; }
    /// <summary>Output features.</summary>
    public int Out { get; }
    /// <summary>Weights, row-major <c>[in, out]</c>.</summary>
    public ParameterSlice Weight { get; }
    /// <summary>Bias <c>[out]</c>.</summary>
    public ParameterSlice Bias { get; }

    /// <summary>PyTorch's Linear default: weights and bias uniform in ±1/sqrt(in).</summary>
    public void Initialize(Rng rng)
    {
        double bound = Init.LinearBound(In);
        Init.Uniform(_store.Value(Weight), bound, rng);
        Init.Uniform(_store.Value(Bias), bound, rng);
    }

    private void CheckInput(CsrBatch input)
    {
        ArgumentNullException.ThrowIfNull(input.Matrix);
        if (input.Matrix.Columns != In)
            throw new ArgumentException($"input has {input.Matrix.Columns} columns, the layer expects {In}", nameof(input));
    }

    /// <summary>output[batch, out] = x[batch, in] · W + b for the batch's CSR rows.</summary>
    public void Forward(CsrBatch input, Span<T> output)
    {
        CheckInput(input);
        ReadOnlySpan<T> w = _store.Value(Weight);
        ReadOnlySpan<T> b = _store.Value(Bias);
        var m = input.Matrix;
        var rows = input.Rows.Span;
        int n = Out;
        for (int i = 0; i < rows.Length; i++)
        {
            var y = output.Slice(i * n, n);
            b.CopyTo(y);
            int r = rows[i];
            for (int p = m.RowPtr[r]; p < m.RowPtr[r + 1]; p++)
                TensorPrimitives.MultiplyAdd(w.Slice(m.Indices[p] * n, n), T.CreateTruncating(m.Values[p]), y, y);
        }
    }

    /// <summary>
    /// Accumulates dW[col, :] += value · dOutput[row, :] for every stored entry, and db += Σrows dOutput.
    /// (The input is not differentiated: it is data.)
    /// </summary>
    public void Backward(CsrBatch input, ReadOnlySpan<T> dOutput)
    {
        CheckInput(input);
        Span<T> dw = _store.Grad(Weight);
        Span<T> db = _store.Grad(Bias);
        var m = input.Matrix;
        var rows = input.Rows.Span;
        int n = Out;
        for (int i = 0; i < rows.Length; i++)
        {
            var dy = dOutput.Slice(i * n, n);
            TensorPrimitives.Add(db, dy, db);
            int r = rows[i];
            for (int p = m.RowPtr[r]; p < m.RowPtr[r + 1]; p++)
            {
                var dst = dw.Slice(m.Indices[p] * n, n);
                TensorPrimitives.MultiplyAdd(dy, T.CreateTruncating(m.Values[p]), dst, dst);
            }
        }
    }
}
