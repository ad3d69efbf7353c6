namespace VaeText.Experiments;

/// <summary>NPMI topic coherence over document co-occurrence in a reference corpus.</summary>
internal static class Npmi
{
    /// <summary>
    /// Mean NPMI over word pairs of each topic: NPMI(a,b) = ln(p(a,b) / (p(a)p(b))) / −ln p(a,b), probabilities
    /// being document frequencies; a pair that never co-occurs scores −1. Documents are split by VaeText's default
    /// <see cref="Text.Tokenizer"/> (lower-cased runs of letters and digits; every CJK character a token of its own), the
    /// tokens a VAE's vocabulary is made of; a topic word that is no such token (a phrase) never occurs. Returns NaN for
    /// a topic with fewer than two words.
    /// </summary>
    public static double[] Coherence(IReadOnlyList<IReadOnlyList<string>> topics, IReadOnlyList<string> documents, CancellationToken ct = default) =>
        Coherence(topics, documents.Count, d => Tokens(documents[d]), ct);

    /// <summary>
    /// The same over documents given as their words (<paramref name="wordsOf"/>(d) for d in [0, <paramref name="documents"/>)):
    /// for a topic model whose own tokenization differs from VaeText's (ML.NET's LDA chain). Words are compared lower-cased.
    /// </summary>
    public static double[] Coherence(IReadOnlyList<IReadOnlyList<string>> topics, int documents, Func<int, IEnumerable<string>> wordsOf, CancellationToken ct = default)
    {
        var vocab = new Dictionary<string, int>(StringComparer.Ordinal);
        foreach (var t in topics) foreach (var w in t) vocab.TryAdd(w.ToLowerInvariant(), vocab.Count);
        int v = vocab.Count, n = documents, words = (n + 63) >> 6;
        // One bit per (topic word, document): the word occurs in the document. [v][words]
        var occurs = new ulong[v][];
        for (int i = 0; i < v; i++) occurs[i] = new ulong[words];
        for (int d = 0; d < n; d++)
        {
            if ((d & 1023) == 0) ct.ThrowIfCancellationRequested();
            foreach (var tok in wordsOf(d))
                if (vocab.TryGetValue(tok, out int id) || vocab.TryGetValue(tok.ToLowerInvariant(), out id)) occurs[id][d >> 6] |= 1UL << (d & 63);
        }
        var df = occurs.Select(Count).ToArray();
        var result = new double[topics.Count];
        for (int t = 0; t < topics.Count; t++)
        {
            var ids = topics[t].Select(w => vocab[w.ToLowerInvariant()]).Distinct().ToArray();
            if (ids.Length < 2 || n == 0) { result[t] = double.NaN; continue; }
            double sum = 0; int pairs = 0;
            for (int i = 0; i < ids.Length; i++)
                for (int j = i + 1; j < ids.Length; j++)
                {
                    int a = ids[i], b = ids[j];
                    int c = Both(occurs[a], occurs[b]);
                    pairs++;
                    if (c == 0) { sum += -1; continue; }
                    double pab = (double)c / n, pa = (double)df[a] / n, pb = (double)df[b] / n;
                    double denom = -Math.Log(pab);
                    sum += denom < 1e-12 ? 1 : Math.Log(pab / (pa * pb)) / denom;
                }
            result[t] = sum / pairs;
        }
        return result;
    }

    private static int Count(ulong[] bits)
    {
        int c = 0;
        foreach (ulong x in bits) c += System.Numerics.BitOperations.PopCount(x);
        return c;
    }

    private static int Both(ulong[] a, ulong[] b)
    {
        int c = 0;
        for (int i = 0; i < a.Length; i++) c += System.Numerics.BitOperations.PopCount(a[i] & b[i]);
        return c;
    }

    private static List<string> Tokens(string text) => Text.Tokenizer.Default.Tokenize(text);
}
