namespace VaeText.Nn;

/// <summary>Deterministic chunked parallel loops: the split into chunks never depends on the thread count.</summary>
internal static class Parallelism
{
    /// <summary>Resolves a user thread setting: 0 or less means all cores.</summary>
    public static int Resolve(int maxThreads) => maxThreads > 0 ? maxThreads : Environment.ProcessorCount;

    /// <summary>Runs <paramref name="body"/>(start, end) over [0, count) in chunks of <paramref name="chunk"/>.</summary>
    public static void For(int count, int chunk, int maxThreads, Action<int, int> body)
    {
        if (count <= 0) return;
        int chunks = (count + chunk - 1) / chunk;
        if (maxThreads <= 1 || chunks == 1)
        {
            for (int c = 0; c < chunks; c++) body(c * chunk, Math.Min(count, (c + 1) * chunk));
            return;
        }
        Parallel.For(0, chunks, new ParallelOptions { MaxDegreeOfParallelism = maxThreads },
            c => body(c * chunk, Math.Min(count, (c + 1) * chunk)));
    }
}
