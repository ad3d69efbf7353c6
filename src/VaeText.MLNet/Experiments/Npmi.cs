namespace VaeText.Experiments;

/// <summary>NPMI topic coherence over document co-occurrence in a reference corpus.</summary>
internal static class Npmi
{
    /// <summary>
    /// Mean NPMI over word pairs of each topic: NPMI(a,b) = ln(p(a,b) / (p(a)p(b))) / −ln p(a,b), probabilities
    /// being document frequencies; a pair that never co-occurs scores −1. Tokens are lower-cased runs of letters or
    /// digits. Returns NaN for a topic with fewer than two words.
    /// </summary>
    public static double[] Coherence(IReadOnlyList<IReadOnlyList<string>> topics, IReadOnlyList<string> documents, CancellationToken ct = default)
    {
        var vocab = new Dictionary<string, int>(StringComparer.Ordinal);
        foreach (var t in topics) foreach (var w in t) vocab.TryAdd(w.ToLowerInvariant(), vocab.Count);
        int v = vocab.Count;
        var df = new int[v];
        var co = new Dictionary<long, int>();
        var present = new List<int>();
        var seen = new bool[v];
        int n = 0;
        foreach (var doc in documents)
        {
            if ((n & 1023) == 0) ct.ThrowIfCancellationRequested();
            n++;
            present.Clear();
            foreach (var tok in Tokens(doc))
                if (vocab.TryGetValue(tok, out int id) && !seen[id]) { seen[id] = true; present.Add(id); }
            foreach (int id in present) { df[id]++; seen[id] = false; }
            for (int i = 0; i < present.Count; i++)
                for (int j = i + 1; j < present.Count; j++)
                {
                    int a = Math.Min(present[i], present[j]), b = Math.Max(present[i], present[j]);
                    long key = (long)a * v + b;
                    co[key] = co.GetValueOrDefault(key) + 1;
                }
        }
        var result = new double[topics.Count];
        for (int t = 0; t < topics.Count; t++)
        {
            var ids = topics[t].Select(w => vocab[w.ToLowerInvariant()]).Distinct().ToArray();
            if (ids.Length < 2 || n == 0) { result[t] = double.NaN; continue; }
            double sum = 0; int pairs = 0;
            for (int i = 0; i < ids.Length; i++)
                for (int j = i + 1; j < ids.Length; j++)
                {
                    int a = Math.Min(ids[i], ids[j]), b = Math.Max(ids[i], ids[j]);
                    int c = co.GetValueOrDefault((long)a * v + b);
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

    private static IEnumerable<string> Tokens(string text)
    {
        int i = 0;
        while (i < text.Length)
        {
            while (i < text.Length && !char.IsLetterOrDigit(text[i])) i++;
            int start = i;
            while (i < text.Length && char.IsLetterOrDigit(text[i])) i++;
            if (i > start) yield return text[start..i].ToLowerInvariant();
        }
    }
}
