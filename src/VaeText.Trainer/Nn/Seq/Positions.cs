using System.Numerics;
using System.Numerics.Tensors;
using VaeText.Core;

namespace VaeText.Nn;

/// <summary>Fixed sinusoidal positions (Vaswani et al.): pe[p, 2i] = sin(p·10000^(−2i/d)), pe[p, 2i+1] = cos(…).</summary>
public static class SinusoidalPositions
{
    /// <summary>The table [maxLen, dim].</summary>
    public static T[] Table<T>(int maxLen, int dim) where T : unmanaged, IFloatingPointIeee754<T>
    {
        if (maxLen < 0) throw new ArgumentOutOfRangeException(nameof(maxLen), maxLen, "must be non-negative");
        if (dim <= 0) throw new ArgumentOutOfRangeException(nameof(dim), dim, "must be positive");
        var pe = new T[maxLen * dim];
        for (int p = 0; p < maxLen; p++)
            for (int i = 0; i < dim; i += 2)
            {
                double a = p * Math.Exp(-i * Math.Log(10000.0) / dim);
                pe[p * dim + i] = T.CreateTruncating(Math.Sin(a));
                if (i + 1 < dim) pe[p * dim + i + 1] = T.CreateTruncating(Math.Cos(a));
            }
        return pe;
    }

    /// <summary>Adds pe[position] to each row of each sequence (position = row − start).</summary>
    public static void Add<T>(ReadOnlySpan<T> table, Span<T> x, int dim, ReadOnlySpan<int> starts, ReadOnlySpan<int> lengths)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        for (int b = 0; b < lengths.Length; b++)
        {
            SeqOps.Need(table.Length, (long)lengths[b] * dim, nameof(table));
            for (int t = 0; t < lengths[b]; t++)
            {
                var r = x.Slice((starts[b] + t) * dim, dim);
                TensorPrimitives.Add(r, table.Slice(t * dim, dim), r);
            }
        }
    }
}

/// <summary>Learned absolute positions: a trainable table [maxLen, dim] added to each row.</summary>
/// <typeparam name="T">float for training, double for gradient checks.</typeparam>
public sealed class LearnedPositions<T> where T : unmanaged, IFloatingPointIeee754<T>
{
    /// <summary>Longest supported sequence.</summary>
    public int MaxLength { get; }
    /// <summary>Width.</summary>
    public int Dim { get; }
    /// <summary>The table [MaxLength, Dim].</summary>
    public ParameterSlice Table { get; }

    /// <summary>Reserves the table under <paramref name="name"/>.table.</summary>
    public LearnedPositions(ParameterStore<T> store, string name, int maxLength, int dim)
    {
        ArgumentNullException.ThrowIfNull(store);
        if (maxLength <= 0) throw new ArgumentOutOfRangeException(nameof(maxLength), maxLength, "must be positive");
        if (dim <= 0) throw new ArgumentOutOfRangeException(nameof(dim), dim, "must be positive");
        MaxLength = maxLength; Dim = dim;
        Table = store.Reserve(name + ".table", checked(maxLength * dim));
    }

    /// <summary>N(0, 0.02²) entries.</summary>
    public void Initialize(ParameterStore<T> store, Rng rng) => SeqOps.Normal(store.Value(Table), rng, 0.02);

    /// <summary>Adds table[position] to each row of each sequence.</summary>
    public void Forward(ParameterStore<T> store, Span<T> x, ReadOnlySpan<int> starts, ReadOnlySpan<int> lengths)
    {
        for (int b = 0; b < lengths.Length; b++)
            if (lengths[b] > MaxLength) throw new ArgumentOutOfRangeException(nameof(lengths), lengths[b], $"sequence {b} is longer than the position table ({MaxLength})");
        SinusoidalPositions.Add<T>(store.Value(Table), x, Dim, starts, lengths);
    }

    /// <summary>Accumulates the table gradient from dx (the gradient w.r.t. the sum).</summary>
    public void Backward(ParameterStore<T> store, ReadOnlySpan<T> dx, ReadOnlySpan<int> starts, ReadOnlySpan<int> lengths)
    {
        var g = store.Grad(Table);
        for (int b = 0; b < lengths.Length; b++)
            for (int t = 0; t < lengths[b]; t++)
            {
                var gr = g.Slice(t * Dim, Dim);
                TensorPrimitives.Add(gr, dx.Slice((starts[b] + t) * Dim, Dim), gr);
            }
    }
}
