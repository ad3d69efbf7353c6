namespace VaeText.Tensors;

/// <summary>Process-wide settings of the numeric kernels (GEMM, sparse products, softmax, activations).</summary>
public static class KernelOptions
{
    private static int maxThreads = Environment.ProcessorCount;

    /// <summary>
    /// The most threads one kernel call may use (default <see cref="Environment.ProcessorCount"/>). Work is split
    /// into a fixed partition that depends only on the sizes and this value, never on thread scheduling, and the
    /// kernels are written so that results are bit-identical for every value of this setting.
    /// </summary>
    /// <exception cref="ArgumentOutOfRangeException">The value is less than 1.</exception>
    public static int MaxThreads
    {
        get => Volatile.Read(ref maxThreads);
        set
        {
            if (value < 1) throw new ArgumentOutOfRangeException(nameof(value), value, "MaxThreads must be at least 1");
            Volatile.Write(ref maxThreads, value);
        }
    }
}
