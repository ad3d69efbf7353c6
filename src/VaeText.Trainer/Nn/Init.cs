using System.Numerics;
using VaeText.Core;

namespace VaeText.Nn;

/// <summary>Parameter initialisers drawing from an explicit seeded <see cref="Rng"/>.</summary>
public static class Init
{
    /// <summary>Fills <paramref name="dst"/> with uniform samples in [-bound, bound).</summary>
    public static void Uniform<T>(Span<T> dst, double bound, Rng rng) where T : unmanaged, IFloatingPointIeee754<T>
    {
        ArgumentNullException.ThrowIfNull(rng);
        for (int i = 0; i < dst.Length; i++) dst[i] = T.CreateTruncating((rng.NextDouble() * 2 - 1) * bound);
    }

    /// <summary>
    /// PyTorch's default for linear layers: weights and bias uniform in ±1/sqrt(fanIn) (Kaiming uniform with
    /// a = √5 reduces to this bound).
    /// </summary>
    public static double LinearBound(int fanIn) => fanIn > 0 ? 1.0 / Math.Sqrt(fanIn) : 0.0;

    /// <summary>Xavier/Glorot uniform bound: sqrt(6 / (fanIn + fanOut)).</summary>
    public static double XavierBound(int fanIn, int fanOut) => Math.Sqrt(6.0 / Math.Max(1, fanIn + fanOut));
}
