using System.Numerics;
using System.Numerics.Tensors;

namespace VaeText.Nn;

/// <summary>
/// Mean over the non-padding positions of each sequence. Sequence b occupies rows
/// [starts[b], starts[b] + lengths[b]) of a [rows, dim] buffer (padded or packed layout alike); an empty
/// sequence pools to zeros.
/// </summary>
public static class MeanPooling
{
    /// <summary>y[b, :] = mean of x over sequence b's rows.</summary>
    public static void Forward<T>(ReadOnlySpan<T> x, int dim, ReadOnlySpan<int> starts, ReadOnlySpan<int> lengths, Span<T> y)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        int batch = lengths.Length;
        SeqOps.Need(starts.Length, batch, nameof(starts)); SeqOps.Need(y.Length, (long)batch * dim, nameof(y));
        for (int b = 0; b < batch; b++)
        {
            var yb = y.Slice(b * dim, dim);
            yb.Clear();
            int len = lengths[b];
            if (len <= 0) continue;
            SeqOps.Need(x.Length, (long)(starts[b] + len) * dim, nameof(x));
            for (int t = 0; t < len; t++) TensorPrimitives.Add(yb, x.Slice((starts[b] + t) * dim, dim), yb);
            TensorPrimitives.Multiply(yb, T.One / T.CreateTruncating(len), yb);
        }
    }

    /// <summary>dx rows of sequence b += dy[b]/length (other rows untouched).</summary>
    public static void Backward<T>(ReadOnlySpan<T> dy, int dim, ReadOnlySpan<int> starts, ReadOnlySpan<int> lengths, Span<T> dx)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        int batch = lengths.Length;
        for (int b = 0; b < batch; b++)
        {
            int len = lengths[b];
            if (len <= 0) continue;
            T s = T.One / T.CreateTruncating(len);
            var dyb = dy.Slice(b * dim, dim);
            for (int t = 0; t < len; t++)
            {
                var d = dx.Slice((starts[b] + t) * dim, dim);
                TensorPrimitives.MultiplyAdd(dyb, s, d, d);
            }
        }
    }
}
