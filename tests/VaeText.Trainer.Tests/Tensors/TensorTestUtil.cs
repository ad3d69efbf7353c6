using System.Numerics;
using VaeText.Core;
using VaeText.Tensors;

namespace VaeText.Tests.Tensors;

internal static class TensorTestUtil
{
    public static T[] Random<T>(Rng rng, int length, double scale = 1.0) where T : IFloatingPointIeee754<T>
    {
        var x = new T[length];
        for (int i = 0; i < length; i++) x[i] = T.CreateChecked((rng.NextDouble() * 2 - 1) * scale);
        return x;
    }

    public static double Eps<T>() => typeof(T) == typeof(float) ? 1.2e-7 : 2.3e-16;

    /// <summary>Runs <paramref name="body"/> with <see cref="KernelOptions.MaxThreads"/> set, then restores it.</summary>
    public static void WithThreads(int threads, Action body)
    {
        int old = KernelOptions.MaxThreads;
        KernelOptions.MaxThreads = threads;
        try { body(); }
        finally { KernelOptions.MaxThreads = old; }
    }

    /// <summary>A random CSR matrix with the given density, values in (0, maxValue] (integers when counts).</summary>
    public static CsrMatrix RandomCsr(Rng rng, int rows, int cols, double density, bool counts = true)
    {
        var ptr = new int[rows + 1];
        var idx = new List<int>();
        var val = new List<float>();
        for (int r = 0; r < rows; r++)
        {
            for (int c = 0; c < cols; c++)
            {
                if (rng.NextDouble() < density)
                {
                    idx.Add(c);
                    val.Add(counts ? 1 + rng.NextInt(4) : (float)(rng.NextDouble() * 2 - 1));
                }
            }
            ptr[r + 1] = idx.Count;
        }
        return new CsrMatrix(rows, cols, ptr, idx.ToArray(), val.ToArray());
    }
}
