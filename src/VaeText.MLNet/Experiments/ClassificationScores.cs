namespace VaeText.Experiments;

/// <summary>Accuracy figures computed from true and predicted class indices.</summary>
internal sealed class ClassificationScores
{
    /// <summary>Fraction of documents predicted correctly (micro accuracy).</summary>
    public double Accuracy { get; }

    /// <summary>Mean over classes present in the truth of the per-class recall (macro accuracy, as in ML.NET).</summary>
    public double MacroAccuracy { get; }

    /// <summary>Confusion counts, [truth, predicted].</summary>
    public int[,] Confusion { get; }

    private ClassificationScores(double acc, double macro, int[,] confusion)
    {
        Accuracy = acc; MacroAccuracy = macro; Confusion = confusion;
    }

    /// <summary>Scores predictions against the truth; both arrays hold class indices in [0, classCount).</summary>
    public static ClassificationScores Compute(ReadOnlySpan<int> truth, ReadOnlySpan<int> predicted, int classCount)
    {
        if (truth.Length != predicted.Length)
            throw new ArgumentException($"truth has {truth.Length} entries but predicted has {predicted.Length}.", nameof(predicted));
        if (classCount < 1) throw new ArgumentOutOfRangeException(nameof(classCount), classCount, "Need at least one class.");
        var confusion = new int[classCount, classCount];
        int correct = 0;
        for (int i = 0; i < truth.Length; i++)
        {
            int t = truth[i], p = predicted[i];
            if ((uint)t >= (uint)classCount) throw new ArgumentOutOfRangeException(nameof(truth), t, $"Class index at row {i} is outside [0, {classCount}).");
            if ((uint)p >= (uint)classCount) throw new ArgumentOutOfRangeException(nameof(predicted), p, $"Class index at row {i} is outside [0, {classCount}).");
            confusion[t, p]++;
            if (t == p) correct++;
        }
        double macro = 0; int present = 0;
        for (int c = 0; c < classCount; c++)
        {
            int rowTotal = 0;
            for (int p = 0; p < classCount; p++) rowTotal += confusion[c, p];
            if (rowTotal == 0) continue;
            present++;
            macro += (double)confusion[c, c] / rowTotal;
        }
        double acc = truth.Length == 0 ? double.NaN : (double)correct / truth.Length;
        return new ClassificationScores(acc, present == 0 ? double.NaN : macro / present, confusion);
    }
}
