using VaeText.Tensors;
using VaeText.Text;

namespace VaeText.Bench;

/// <summary>bow-vae preprocessing: read the TSV, tokenize, build the 20,000-word vocabulary and the count matrix.</summary>
internal static class BowVaeBenchPrep
{
    public static void SetKernelThreads(int threads) => KernelOptions.MaxThreads = threads;

    public static CsrMatrix Prepare(string path, int limit, int vocabSize)
    {
        var corpus = BenchData.Load(path);
        IReadOnlyList<string> texts = limit > 0 && limit < corpus.Count ? corpus.Texts.Take(limit).ToArray() : corpus.Texts;
        BagOfWords.Fit(texts, new TokenizerOptions(), new VocabularyOptions { MaxSize = vocabSize }, out _, out var counts, KernelOptions.MaxThreads);
        return counts;
    }
}
