using System.Numerics;
using System.Numerics.Tensors;
using VaeText.Core;

namespace VaeText.Nn;

/// <summary>Small shared helpers of the sequence layers: initialisation, bias sums, buffer growth.</summary>
internal static class SeqOps
{
    /// <summary>Fills with uniform values in [-bound, bound).</summary>
    public static void Uniform<T>(Span<T> dst, Rng rng, double bound) where T : unmanaged, IFloatingPointIeee754<T>
    {
        for (int i = 0; i < dst.Length; i++) dst[i] = T.CreateTruncating((rng.NextDouble() * 2 - 1) * bound);
    }

    /// <summary>Fills with normal values of standard deviation <paramref name="std"/>.</summary>
    public static void Normal<T>(Span<T> dst, Rng rng, double std) where T : unmanaged, IFloatingPointIeee754<T>
    {
        for (int i = 0; i < dst.Length; i++) dst[i] = T.CreateTruncating(rng.NextGaussian() * std);
    }

    /// <summary>dst[j] += Σ_r src[r, j] over <paramref name="rows"/> rows of width <paramref name="width"/>.</summary>
    public static void AddColumnSums<T>(ReadOnlySpan<T> src, int rows, int width, Span<T> dst) where T : unmanaged, IFloatingPointIeee754<T>
    {
        for (int r = 0; r < rows; r++) TensorPrimitives.Add(dst[..width], src.Slice(r * width, width), dst[..width]);
    }

    /// <summary>Adds <paramref name="bias"/> to each of <paramref name="rows"/> rows of <paramref name="y"/>.</summary>
    public static void AddBiasRows<T>(Span<T> y, int rows, ReadOnlySpan<T> bias) where T : unmanaged, IFloatingPointIeee754<T>
    {
        int w = bias.Length;
        for (int r = 0; r < rows; r++) TensorPrimitives.Add(y.Slice(r * w, w), bias, y.Slice(r * w, w));
    }

    /// <summary>
    /// Returns <paramref name="buf"/> when it holds at least <paramref name="n"/> items, else a new array: of exactly
    /// <paramref name="n"/> items the first time, and at least 1.5 times the old size when an existing buffer grows
    /// (batches of slightly different sizes would otherwise reallocate every large buffer again and again).
    /// </summary>
    public static T[] Ensure<T>(ref T[] buf, long n)
    {
        if (n > Array.MaxLength) throw new ArgumentOutOfRangeException(nameof(n), n, "buffer too large");
        if (buf.Length < n) buf = new T[buf.Length == 0 ? n : Math.Min(Array.MaxLength, Math.Max(n, buf.Length + (long)buf.Length / 2))];
        return buf;
    }

    /// <summary>Throws when a span is shorter than needed, naming the argument.</summary>
    public static void Need(int have, long need, string name)
    {
        if (have < need) throw new ArgumentException($"buffer '{name}' holds {have} values but {need} are needed", name);
    }

    /// <summary>Checks per-sequence lengths: each in [0, maxLen].</summary>
    public static void CheckLengths(ReadOnlySpan<int> lengths, int batch, int maxLen, string name)
    {
        if (lengths.Length < batch) throw new ArgumentException($"'{name}' holds {lengths.Length} lengths but batch is {batch}", name);
        for (int b = 0; b < batch; b++)
            if ((uint)lengths[b] > (uint)maxLen)
                throw new ArgumentOutOfRangeException(name, lengths[b], $"length of sequence {b} must be in [0, {maxLen}]");
    }
}
