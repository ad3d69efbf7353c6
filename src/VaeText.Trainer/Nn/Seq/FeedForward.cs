using System.Numerics;
using System.Numerics.Tensors;
using VaeText.Core;

namespace VaeText.Nn;

/// <summary>Position-wise feed-forward: y = W2·ReLU(W1·x + b1) + b2, applied to each row.</summary>
/// <typeparam name="T">float for training, double for gradient checks.</typeparam>
public sealed class FeedForward<T> where T : unmanaged, IFloatingPointIeee754<T>
{
    /// <summary>First projection d → hidden.</summary>
    public Affine<T> Up { get; }
    /// <summary>Second projection hidden → d.</summary>
    public Affine<T> Down { get; }
    /// <summary>Model width.</summary>
    public int Dim => Up.In;
    /// <summary>Hidden width.</summary>
    public int Hidden => Up.Out;

    /// <summary>Reserves the two projections under <paramref name="name"/>.up / .down.</summary>
    public FeedForward(ParameterStore<T> store, string name, int dim, int hidden)
    {
        Up = new Affine<T>(store, name + ".up", dim, hidden);
        Down = new Affine<T>(store, name + ".down", hidden, dim);
    }

    /// <summary>PyTorch-range uniform weights, zero biases.</summary>
    public void Initialize(ParameterStore<T> store, Rng rng) { Up.Initialize(store, rng); Down.Initialize(store, rng); }

    /// <summary>y[rows, Dim]; caches the activated hidden layer <paramref name="hidden"/> [rows, Hidden].</summary>
    public void Forward(ParameterStore<T> store, ReadOnlySpan<T> x, int rows, Span<T> y, Span<T> hidden)
    {
        Up.Forward(store, x, rows, hidden);
        var h = hidden[..(rows * Hidden)];
        TensorPrimitives.Max(h, T.Zero, h);
        Down.Forward(store, h, rows, y);
    }

    /// <summary>Accumulates parameter gradients; writes or adds dx. <paramref name="dHidden"/> is scratch [rows, Hidden].</summary>
    public void Backward(ParameterStore<T> store, ReadOnlySpan<T> x, ReadOnlySpan<T> hidden, ReadOnlySpan<T> dy, int rows,
        Span<T> dx, bool accumulateDx, Span<T> dHidden)
    {
        int n = rows * Hidden;
        Down.Backward(store, hidden, dy, rows, dHidden);
        int k = 0;
        if (Vector.IsHardwareAccelerated && Vector<T>.Count > 1)
            for (; k <= n - Vector<T>.Count; k += Vector<T>.Count)
            {
                var keep = Vector.GreaterThan(new Vector<T>(hidden[k..]), Vector<T>.Zero);
                Vector.ConditionalSelect(keep, new Vector<T>(dHidden[k..]), Vector<T>.Zero).CopyTo(dHidden[k..]);
            }
        for (int i = k; i < n; i++) if (hidden[i] <= T.Zero) dHidden[i] = T.Zero;
        Up.Backward(store, x, dHidden, rows, dx, accumulateDx);
    }
}
