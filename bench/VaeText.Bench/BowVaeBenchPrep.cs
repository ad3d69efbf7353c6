using VaeText.Tensors;

namespace VaeText.Bench;

/// <summary>Reading, tokenizing and counting for bow-vae (swapped to the Text API when it lands).</summary>
internal static class BowVaeBenchPrep
{
    public static void SetKernelThreads(int threads) { _ = threads; }

    public static CsrMatrix Prepare(string path, int limit, int vocabSize)
        => throw new NotSupportedException("the Text API has not landed yet; use --synthetic");
}
