using System.Numerics.Tensors;
using VaeText.Nn;

namespace VaeText.Optim;

/// <summary>Gradient clipping over a whole <see cref="ParameterStore{T}"/>.</summary>
public static class GradientClipping
{
    /// <summary>
    /// Scales all gradients by maxNorm/‖g‖ when the global L2 norm ‖g‖ exceeds <paramref name="maxNorm"/>.
    /// Returns the norm before clipping (the caller can check it for NaN/∞).
    /// </summary>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="maxNorm"/> is not positive.</exception>
    public static double ClipByGlobalNorm(ParameterStore<float> store, double maxNorm)
    {
        ArgumentNullException.ThrowIfNull(store);
        if (!(maxNorm > 0)) throw new ArgumentOutOfRangeException(nameof(maxNorm), maxNorm, "must be positive");
        var g = store.Grads.AsSpan();
        // Sum squares in fixed chunks in double so the result does not depend on the buffer's length pattern.
        double sum = 0;
        const int chunk = 4096;
        for (int s = 0; s < g.Length; s += chunk)
        {
            var part = g.Slice(s, Math.Min(chunk, g.Length - s));
            sum += TensorPrimitives.Dot(part, part);
        }
        double norm = Math.Sqrt(sum);
        if (norm > maxNorm && double.IsFinite(norm))
            TensorPrimitives.Multiply(g, (float)(maxNorm / (norm + 1e-6)), g);
        return norm;
    }
}
