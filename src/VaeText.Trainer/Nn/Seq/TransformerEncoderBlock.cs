using System.Numerics;
using VaeText.Core;

namespace VaeText.Nn;

/// <summary>
/// Pre-norm Transformer encoder block: x₁ = x + Attention(LN₁(x)); y = x₁ + FeedForward(LN₂(x₁)).
/// Sequences are given as row ranges (see <see cref="MultiHeadSelfAttention{T}"/>).
/// </summary>
/// <typeparam name="T">float for training, double for gradient checks.</typeparam>
public sealed class TransformerEncoderBlock<T> where T : unmanaged, IFloatingPointIeee754<T>
{
    /// <summary>Normalisation before attention.</summary>
    public LayerNorm<T> Norm1 { get; }
    /// <summary>Self-attention.</summary>
    public MultiHeadSelfAttention<T> Attention { get; }
    /// <summary>Normalisation before the feed-forward.</summary>
    public LayerNorm<T> Norm2 { get; }
    /// <summary>Position-wise feed-forward.</summary>
    public FeedForward<T> FeedForward { get; }
    /// <summary>Model width.</summary>
    public int Dim { get; }

    /// <summary>Reserves the block's parameters under <paramref name="name"/>.</summary>
    public TransformerEncoderBlock(ParameterStore<T> store, string name, int dim, int heads, int feedForward)
    {
        Dim = dim;
        Norm1 = new LayerNorm<T>(store, name + ".ln1", dim);
        Attention = new MultiHeadSelfAttention<T>(store, name + ".attn", dim, heads);
        Norm2 = new LayerNorm<T>(store, name + ".ln2", dim);
        FeedForward = new FeedForward<T>(store, name + ".ff", dim, feedForward);
    }

    /// <summary>Initialises all sub-layers.</summary>
    public void Initialize(ParameterStore<T> store, Rng rng)
    {
        Norm1.Initialize(store); Attention.Initialize(store, rng); Norm2.Initialize(store); FeedForward.Initialize(store, rng);
    }

    /// <summary>Caller-owned activations of one pass; grows as needed.</summary>
    public sealed class Workspace
    {
        internal readonly MultiHeadSelfAttention<T>.Workspace Attn = new();
        internal T[] A = [], XHat1 = [], Rstd1 = [], X1 = [], Bn = [], XHat2 = [], Rstd2 = [], Hidden = [];
        internal T[] DX1 = [], DB = [], DHidden = [], Scratch = [];
        internal int Rows;
    }

    /// <summary>y[rows, Dim] from x[rows, Dim].</summary>
    public void Forward(ParameterStore<T> store, ReadOnlySpan<T> x, int rows, ReadOnlySpan<int> starts, ReadOnlySpan<int> lengths,
        Span<T> y, Workspace ws)
    {
        ArgumentNullException.ThrowIfNull(ws);
        int d = Dim; long n = (long)rows * d;
        SeqOps.Need(x.Length, n, nameof(x)); SeqOps.Need(y.Length, n, nameof(y));
        ws.Rows = rows;
        SeqOps.Ensure(ref ws.A, n); SeqOps.Ensure(ref ws.XHat1, n); SeqOps.Ensure(ref ws.Rstd1, rows);
        SeqOps.Ensure(ref ws.X1, n); SeqOps.Ensure(ref ws.Bn, n); SeqOps.Ensure(ref ws.XHat2, n); SeqOps.Ensure(ref ws.Rstd2, rows);
        SeqOps.Ensure(ref ws.Hidden, (long)rows * FeedForward.Hidden);
        Norm1.Forward(store, x, rows, ws.A, ws.XHat1, ws.Rstd1);
        Attention.Forward(store, ws.A, rows, starts, lengths, ws.X1, ws.Attn);
        System.Numerics.Tensors.TensorPrimitives.Add(ws.X1.AsSpan(0, (int)n), x[..(int)n], ws.X1.AsSpan(0, (int)n));
        Norm2.Forward(store, ws.X1, rows, ws.Bn, ws.XHat2, ws.Rstd2);
        FeedForward.Forward(store, ws.Bn, rows, y, ws.Hidden);
        System.Numerics.Tensors.TensorPrimitives.Add(y[..(int)n], ws.X1.AsSpan(0, (int)n), y[..(int)n]);
    }

    /// <summary>Accumulates parameter gradients; writes (or adds) dx from dy, using the last Forward on <paramref name="ws"/>.</summary>
    public void Backward(ParameterStore<T> store, ReadOnlySpan<T> x, ReadOnlySpan<T> dy, Span<T> dx, bool accumulateDx, Workspace ws)
    {
        ArgumentNullException.ThrowIfNull(ws);
        int rows = ws.Rows, d = Dim, n = rows * d;
        SeqOps.Need(dy.Length, n, nameof(dy)); SeqOps.Need(dx.Length, n, nameof(dx));
        SeqOps.Ensure(ref ws.DX1, n); SeqOps.Ensure(ref ws.DB, n); SeqOps.Ensure(ref ws.DHidden, (long)rows * FeedForward.Hidden);
        SeqOps.Ensure(ref ws.Scratch, d);
        var dx1 = ws.DX1.AsSpan(0, n);
        dy[..n].CopyTo(dx1);
        FeedForward.Backward(store, ws.Bn, ws.Hidden, dy, rows, ws.DB, false, ws.DHidden);
        Norm2.Backward(store, ws.DB, rows, ws.XHat2, ws.Rstd2, dx1, true, ws.Scratch);
        if (accumulateDx) System.Numerics.Tensors.TensorPrimitives.Add(dx[..n], dx1, dx[..n]);
        else dx1.CopyTo(dx);
        Attention.Backward(store, ws.A, dx1, ws.DB, false, ws.Attn);
        Norm1.Backward(store, ws.DB, rows, ws.XHat1, ws.Rstd1, dx, true, ws.Scratch);
    }
}
