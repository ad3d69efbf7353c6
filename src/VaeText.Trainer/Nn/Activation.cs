using System.Numerics;
using System.Numerics.Tensors;

namespace VaeText.Nn;

/// <summary>Element-wise non-linearities available between layers.</summary>
public enum Activation
{
    /// <summary>max(x, 0).</summary>
    ReLU = 0,
    /// <summary>log(1 + exp(x)), computed stably.</summary>
    Softplus = 1,
    /// <summary>Hyperbolic tangent.</summary>
    Tanh = 2,
}

/// <summary>
/// A parameter-free activation layer over <c>[batch, size]</c> buffers. Forward writes the output into a
/// caller-owned buffer; backward needs the forward input and output (both caller-owned), so one instance can be
/// used by many threads at once.
/// </summary>
/// <typeparam name="T">float or double.</typeparam>
public sealed class ActivationLayer<T> where T : unmanaged, IFloatingPointIeee754<T>
{
    /// <summary>Creates an activation layer.</summary>
    /// <param name="kind">The non-linearity.</param>
    /// <param name="size">Features per row.</param>
    public ActivationLayer(Activation kind, int size)
    {
        if (!Enum.IsDefined(kind)) throw new ArgumentOutOfRangeException(nameof(kind), kind, "unknown activation");
        if (size < 1) throw new ArgumentOutOfRangeException(nameof(size), size, "must be positive");
        Kind = kind;
        Size = size;
    }

    /// <summary>The non-linearity.</summary>
    public Activation Kind { get; }

    /// <summary>Features per row.</summary>
    public int Size { get; }

    /// <summary>output[batch, size] = f(input[batch, size]). Input and output may be the same buffer.</summary>
    public void Forward(ReadOnlySpan<T> input, Span<T> output, int batch)
    {
        int n = batch * Size;
        ActivationFunctions.Forward(Kind, input[..n], output[..n]);
    }

    /// <summary>
    /// dInput = f'(input) · dOutput. <paramref name="input"/> and <paramref name="output"/> are the forward pass's
    /// buffers (ReLU and Tanh read the output, Softplus the input). <paramref name="dInput"/> may alias
    /// <paramref name="dOutput"/>.
    /// </summary>
    public void Backward(ReadOnlySpan<T> input, ReadOnlySpan<T> output, ReadOnlySpan<T> dOutput, Span<T> dInput, int batch)
    {
        int n = batch * Size;
        ActivationFunctions.Backward(Kind, input.Length >= n ? input[..n] : input, output.Length >= n ? output[..n] : output, dOutput[..n], dInput[..n]);
    }
}

/// <summary>The element-wise kernels behind <see cref="ActivationLayer{T}"/>.</summary>
internal static class ActivationFunctions
{
    public static void Forward<T>(Activation kind, ReadOnlySpan<T> x, Span<T> y) where T : unmanaged, IFloatingPointIeee754<T>
    {
        switch (kind)
        {
            case Activation.ReLU:
                TensorPrimitives.Max(x, T.Zero, y);
                break;
            case Activation.Tanh:
                TensorPrimitives.Tanh(x, y);
                break;
            case Activation.Softplus:
                for (int i = 0; i < x.Length; i++)
                {
                    T v = x[i];
                    y[i] = T.Max(v, T.Zero) + T.LogP1(T.Exp(-T.Abs(v)));
                }
                break;
            default:
                throw new ArgumentOutOfRangeException(nameof(kind), kind, "unknown activation");
        }
    }

    public static void Backward<T>(Activation kind, ReadOnlySpan<T> x, ReadOnlySpan<T> y, ReadOnlySpan<T> dy, Span<T> dx) where T : unmanaged, IFloatingPointIeee754<T>
    {
        switch (kind)
        {
            case Activation.ReLU:
                for (int i = 0; i < dy.Length; i++) dx[i] = y[i] > T.Zero ? dy[i] : T.Zero;
                break;
            case Activation.Tanh:
                for (int i = 0; i < dy.Length; i++) dx[i] = dy[i] * (T.One - y[i] * y[i]);
                break;
            case Activation.Softplus:
                // d/dx softplus = sigmoid(x)
                for (int i = 0; i < dy.Length; i++) dx[i] = dy[i] / (T.One + T.Exp(-x[i]));
                break;
            default:
                throw new ArgumentOutOfRangeException(nameof(kind), kind, "unknown activation");
        }
    }
}
