using System.Numerics;
using VaeText.Core;

namespace VaeText.Nn;

/// <summary>
/// Token embedding table [vocab, dim]. Id 0 is padding: it always maps to the zero vector and receives no gradient.
/// </summary>
/// <typeparam name="T">float for training, double for gradient checks.</typeparam>
public sealed class Embedding<T> where T : unmanaged, IFloatingPointIeee754<T>
{
    /// <summary>The padding id.</summary>
    public const int PaddingId = 0;
    /// <summary>Number of ids (table rows), padding included.</summary>
    public int VocabSize { get; }
    /// <summary>Vector width.</summary>
    public int Dim { get; }
    /// <summary>The table [VocabSize, Dim].</summary>
    public ParameterSlice Table { get; }

    /// <summary>Reserves the table under <paramref name="name"/>.table.</summary>
    public Embedding(ParameterStore<T> store, string name, int vocabSize, int dim)
    {
        ArgumentNullException.ThrowIfNull(store);
        if (vocabSize < 2) throw new ArgumentOutOfRangeException(nameof(vocabSize), vocabSize, "must be at least 2 (padding + one token)");
        if (dim <= 0) throw new ArgumentOutOfRangeException(nameof(dim), dim, "must be positive");
        VocabSize = vocabSize; Dim = dim;
        Table = store.Reserve(name + ".table", checked(vocabSize * dim));
    }

    /// <summary>N(0, 1) rows (PyTorch's default), with the padding row zero.</summary>
    public void Initialize(ParameterStore<T> store, Rng rng, double std = 1.0)
    {
        var t = store.Value(Table);
        SeqOps.Normal(t, rng, std);
        t[..Dim].Clear();
    }

    /// <summary>y[i, :] = table[ids[i], :] for each id (padding gives zeros).</summary>
    public void Forward(ParameterStore<T> store, ReadOnlySpan<int> ids, Span<T> y)
    {
        SeqOps.Need(y.Length, (long)ids.Length * Dim, nameof(y));
        var t = store.Value(Table);
        for (int i = 0; i < ids.Length; i++)
        {
            int id = ids[i];
            if ((uint)id >= (uint)VocabSize) throw new ArgumentOutOfRangeException(nameof(ids), id, $"token id at position {i} must be in [0, {VocabSize})");
            var dst = y.Slice(i * Dim, Dim);
            if (id == PaddingId) dst.Clear();
            else t.Slice(id * Dim, Dim).CopyTo(dst);
        }
    }

    /// <summary>Accumulates dy rows into the gradient rows of their ids (padding skipped).</summary>
    public void Backward(ParameterStore<T> store, ReadOnlySpan<int> ids, ReadOnlySpan<T> dy)
    {
        SeqOps.Need(dy.Length, (long)ids.Length * Dim, nameof(dy));
        var g = store.Grad(Table);
        for (int i = 0; i < ids.Length; i++)
        {
            int id = ids[i];
            if (id == PaddingId) continue;
            var dst = g.Slice(id * Dim, Dim);
            System.Numerics.Tensors.TensorPrimitives.Add(dst, dy.Slice(i * Dim, Dim), dst);
        }
    }
}
