namespace VaeText.Experiments;

/// <summary>Small statistics used by the comparison runs.</summary>
internal static class Stats
{
    /// <summary>Arithmetic mean; NaN for an empty list.</summary>
    public static double Mean(IReadOnlyList<double> xs)
    {
        if (xs.Count == 0) return double.NaN;
        double s = 0;
        foreach (var x in xs) s += x;
        return s / xs.Count;
    }

    /// <summary>Sample standard deviation (n − 1 in the denominator); 0 for fewer than two values.</summary>
    public static double SampleStd(IReadOnlyList<double> xs)
    {
        if (xs.Count < 2) return 0;
        double m = Mean(xs), s = 0;
        foreach (var x in xs) s += (x - m) * (x - m);
        return Math.Sqrt(s / (xs.Count - 1));
    }
}
