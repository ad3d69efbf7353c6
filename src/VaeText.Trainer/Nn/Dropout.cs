using System.Numerics;
using VaeText.Core;

namespace VaeText.Nn;

/// <summary>
/// Inverted dropout: in training each element is zeroed with probability <see cref="Rate"/> and the survivors
/// are scaled by 1/(1 − rate), so inference is the identity. The mask lives in a caller-owned buffer.
/// </summary>
/// <typeparam name="T">float or double.</typeparam>
public sealed class Dropout<T> where T : unmanaged, IFloatingPointIeee754<T>
{
    /// <summary>Creates a dropout layer.</summary>
    /// <param name="rate">Drop probability in [0, 1).</param>
    public Dropout(double rate)
    {
        if (!(rate >= 0 && rate < 1)) throw new ArgumentOutOfRangeException(nameof(rate), rate, "must be in [0, 1)");
        Rate = rate;
    }

    /// <summary>Drop probability.</summary>
    public double Rate { get; }

    /// <summary>Draws a mask (0 or 1/(1 − rate) per element) from <paramref name="rng"/>.</summary>
    public void SampleMask(Span<T> mask, Rng rng)
    {
        ArgumentNullException.ThrowIfNull(rng);
        T keep = T.CreateTruncating(1.0 / (1.0 - Rate));
        for (int i = 0; i < mask.Length; i++) mask[i] = rng.NextDouble() < Rate ? T.Zero : keep;
    }

    /// <summary>output = input · mask (element-wise; may alias).</summary>
    public void Forward(ReadOnlySpan<T> input, ReadOnlySpan<T> mask, Span<T> output, int count)
        => System.Numerics.Tensors.TensorPrimitives.Multiply(input[..count], mask[..count], output[..count]);

    /// <summary>dInput = dOutput · mask (element-wise; may alias).</summary>
    public void Backward(ReadOnlySpan<T> dOutput, ReadOnlySpan<T> mask, Span<T> dInput, int count)
        => System.Numerics.Tensors.TensorPrimitives.Multiply(dOutput[..count], mask[..count], dInput[..count]);
}
