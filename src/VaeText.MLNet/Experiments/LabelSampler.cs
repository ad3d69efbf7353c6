using VaeText.Core;

namespace VaeText.Experiments;

/// <summary>Draws the labelled training subsets of the low-label protocol.</summary>
internal static class LabelSampler
{
    /// <summary>
    /// Draws <paramref name="n"/> distinct row indices out of <paramref name="total"/> with the given seed (uniformly
    /// at random, or stratified by class when <paramref name="labels"/> is given), returned in ascending order.
    /// When <paramref name="n"/> is at least <paramref name="total"/> every row is returned.
    /// </summary>
    public static int[] Draw(int n, int total, int seed, IReadOnlyList<int>? labels = null)
    {
        if (n < 1) throw new ArgumentOutOfRangeException(nameof(n), n, "The number of labelled documents must be at least 1.");
        if (total < 0) throw new ArgumentOutOfRangeException(nameof(total), total, "Must be non-negative.");
        if (n >= total) return Enumerable.Range(0, total).ToArray();
        var rng = new Rng(seed);
        int[] result;
        if (labels is null)
        {
            var all = Enumerable.Range(0, total).ToArray();
            // Partial Fisher–Yates: the first n slots become a uniform sample without replacement.
            for (int i = 0; i < n; i++)
            {
                int j = i + rng.NextInt(total - i);
                (all[i], all[j]) = (all[j], all[i]);
            }
            result = all[..n];
        }
        else
        {
            if (labels.Count != total) throw new ArgumentException($"labels has {labels.Count} entries, expected {total}.", nameof(labels));
            var byClass = new SortedDictionary<int, List<int>>();
            for (int i = 0; i < total; i++)
            {
                if (!byClass.TryGetValue(labels[i], out var list)) byClass[labels[i]] = list = new List<int>();
                list.Add(i);
            }
            // Largest-remainder allocation of n over classes in proportion to their sizes.
            var classes = byClass.Keys.ToArray();
            var quota = new int[classes.Length];
            var rema = new double[classes.Length];
            int assigned = 0;
            for (int c = 0; c < classes.Length; c++)
            {
                double exact = (double)n * byClass[classes[c]].Count / total;
                quota[c] = (int)Math.Floor(exact);
                rema[c] = exact - quota[c];
                assigned += quota[c];
            }
            foreach (int c in Enumerable.Range(0, classes.Length).OrderByDescending(c => rema[c]).ThenBy(c => c))
            {
                if (assigned >= n) break;
                if (quota[c] < byClass[classes[c]].Count) { quota[c]++; assigned++; }
            }
            var picked = new List<int>(n);
            for (int c = 0; c < classes.Length; c++)
            {
                var rows = byClass[classes[c]].ToArray();
                for (int i = 0; i < quota[c]; i++)
                {
                    int j = i + rng.NextInt(rows.Length - i);
                    (rows[i], rows[j]) = (rows[j], rows[i]);
                }
                picked.AddRange(rows.AsSpan(0, quota[c]).ToArray());
            }
            result = picked.ToArray();
        }
        Array.Sort(result);
        return result;
    }
}
