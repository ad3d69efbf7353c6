namespace VaeText.Trainers.FastTree;

/// <summary>
/// Bin boundaries of one feature: value <c>x</c> falls in bin <c>b</c>, the first bin whose upper bound
/// satisfies <c>x &lt;= UpperBounds[b]</c>; the last bin's bound is +∞. Computed once from the training data
/// by quantiles of the distinct values; when zero occurs it gets a bin of its own (sparse aware).
/// </summary>
internal sealed class FeatureBins
{
    /// <summary>Upper bounds, ascending; the last one is +∞. Length = number of bins (1..255).</summary>
    public readonly float[] UpperBounds;

    public FeatureBins(float[] upperBounds) { UpperBounds = upperBounds; }

    public int Count => UpperBounds.Length;

    /// <summary>Bin of a value (binary search for the first upper bound ≥ x).</summary>
    [System.Runtime.CompilerServices.MethodImpl(System.Runtime.CompilerServices.MethodImplOptions.AggressiveOptimization)]
    public int BinOf(float x)
    {
        var ub = UpperBounds;
        int lo = 0, hi = ub.Length - 1;
        while (lo < hi)
        {
            int mid = (lo + hi) >> 1;
            if (x <= ub[mid]) hi = mid; else lo = mid + 1;
        }
        return lo;
    }

    /// <summary>
    /// Computes bins from the sorted non-missing values of a feature (<paramref name="sorted"/> ascending,
    /// length = number of rows with that value present; implicit zeros are counted by <paramref name="extraZeros"/>).
    /// </summary>
    [System.Runtime.CompilerServices.MethodImpl(System.Runtime.CompilerServices.MethodImplOptions.AggressiveOptimization)]
    public static FeatureBins FromSorted(ReadOnlySpan<float> sorted, int extraZeros, int maxBins)
    {
        // Distinct values with counts, zeros merged in.
        var values = new List<float>();
        var counts = new List<int>();
        bool zeroInserted = extraZeros == 0;
        int total = sorted.Length + extraZeros;
        for (int i = 0; i < sorted.Length;)
        {
            float v = sorted[i];
            if (!zeroInserted && v >= 0)
            {
                zeroInserted = true;
                if (v != 0) { values.Add(0f); counts.Add(extraZeros); }
                else
                {
                    int j0 = i; while (i < sorted.Length && sorted[i] == 0) i++;
                    values.Add(0f); counts.Add(i - j0 + extraZeros);
                    continue;
                }
            }
            int j = i; while (i < sorted.Length && sorted[i] == v) i++;
            values.Add(v == 0 ? 0f : v); counts.Add(i - j);
        }
        if (!zeroInserted) { values.Add(0f); counts.Add(extraZeros); }
        if (values.Count == 0) return new FeatureBins([float.PositiveInfinity]);
        if (values.Count <= maxBins)
        {
            var ub = new float[values.Count];
            for (int k = 0; k < values.Count - 1; k++) ub[k] = Mid(values[k], values[k + 1]);
            ub[^1] = float.PositiveInfinity;
            return new FeatureBins(ub);
        }
        // Greedy quantile cuts; zero always separated from its neighbours. Grow the target until it fits.
        double target = (double)total / (maxBins - 2);
        while (true)
        {
            var cuts = new List<float>();
            double acc = 0;
            for (int k = 0; k < values.Count - 1; k++)
            {
                acc += counts[k];
                bool force = values[k] == 0 || values[k + 1] == 0;
                if (acc >= target || force)
                {
                    cuts.Add(Mid(values[k], values[k + 1]));
                    acc = 0;
                }
            }
            if (cuts.Count + 1 <= maxBins)
            {
                cuts.Add(float.PositiveInfinity);
                return new FeatureBins(cuts.ToArray());
            }
            target *= 1.1;
        }
    }

    private static float Mid(float a, float b)
    {
        float m = (float)((a + (double)b) * 0.5);
        return m >= b ? a : m; // keep a in the lower bin and b in the upper one
    }
}
