using System.Globalization;
using System.Text;

namespace VaeText.Evaluation;

/// <summary>Counts of (actual class, predicted class) pairs, with per-class precision and recall.</summary>
public sealed class ConfusionMatrix
{
    private readonly long[,] _counts;

    /// <summary>Class names, in index order.</summary>
    public IReadOnlyList<string> ClassNames { get; }
    /// <summary>Number of classes.</summary>
    public int NumberOfClasses => ClassNames.Count;

    internal ConfusionMatrix(long[,] counts, IReadOnlyList<string> names) { _counts = counts; ClassNames = names; }

    /// <summary>Number of examples of class <paramref name="actual"/> predicted as <paramref name="predicted"/>.</summary>
    public long this[int actual, int predicted] => _counts[actual, predicted];

    /// <summary>Precision of each class: correct predictions of it / all predictions of it (0 when never predicted).</summary>
    public IReadOnlyList<double> PerClassPrecision => Enumerable.Range(0, NumberOfClasses).Select(k =>
    {
        long col = 0; for (int a = 0; a < NumberOfClasses; a++) col += _counts[a, k];
        return col == 0 ? 0.0 : (double)_counts[k, k] / col;
    }).ToArray();

    /// <summary>Recall of each class: correct predictions of it / its examples (0 when absent).</summary>
    public IReadOnlyList<double> PerClassRecall => Enumerable.Range(0, NumberOfClasses).Select(k =>
    {
        long row = 0; for (int p = 0; p < NumberOfClasses; p++) row += _counts[k, p];
        return row == 0 ? 0.0 : (double)_counts[k, k] / row;
    }).ToArray();

    /// <summary>The matrix as a text table: rows = actual class, columns = predicted class, plus recall.</summary>
    public string ToTable()
    {
        var sb = new StringBuilder();
        int w = Math.Max(8, ClassNames.Max(n => n.Length) + 1);
        sb.Append("actual \\ predicted".PadRight(w + 2));
        foreach (var n in ClassNames) sb.Append(n.PadLeft(w));
        sb.Append("  recall".PadLeft(w)).AppendLine();
        var recall = PerClassRecall;
        for (int a = 0; a < NumberOfClasses; a++)
        {
            sb.Append(ClassNames[a].PadRight(w + 2));
            for (int p = 0; p < NumberOfClasses; p++) sb.Append(_counts[a, p].ToString(CultureInfo.InvariantCulture).PadLeft(w));
            sb.Append(recall[a].ToString("F4", CultureInfo.InvariantCulture).PadLeft(w)).AppendLine();
        }
        sb.Append("precision".PadRight(w + 2));
        foreach (var p in PerClassPrecision) sb.Append(p.ToString("F4", CultureInfo.InvariantCulture).PadLeft(w));
        return sb.AppendLine().ToString();
    }

    /// <inheritdoc/>
    public override string ToString() => ToTable();
}
