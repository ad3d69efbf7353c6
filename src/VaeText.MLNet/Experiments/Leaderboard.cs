using System.Globalization;
using System.Text;

namespace VaeText.Experiments;

/// <summary>Ranks leaderboard rows and renders them as Markdown.</summary>
internal static class Leaderboard
{
    /// <summary>
    /// Assigns ranks within each labels group (1 = highest mean accuracy; ties by macro accuracy, then fit time, then
    /// name) and returns the rows ordered by group (fewest labels first, "all" last) then rank. Rows without any
    /// evaluated seed get rank 0 and come last in their group.
    /// </summary>
    public static List<CandidateResult> Rank(IEnumerable<CandidateResult> rows)
    {
        var ordered = new List<CandidateResult>();
        foreach (var group in rows.GroupBy(r => r.Labels).OrderBy(g => g.Key ?? int.MaxValue))
        {
            var scored = group.Where(r => r.Seeds > 0)
                .OrderByDescending(r => r.AccuracyMean)
                .ThenByDescending(r => r.MacroAccuracyMean)
                .ThenBy(r => r.FitSeconds)
                .ThenBy(r => r.Spec.Name, StringComparer.Ordinal)
                .ToList();
            for (int i = 0; i < scored.Count; i++) scored[i].Rank = i + 1;
            ordered.AddRange(scored);
            foreach (var r in group.Where(r => r.Seeds == 0)) { r.Rank = 0; ordered.Add(r); }
        }
        return ordered;
    }

    /// <summary>The best row: rank 1 in the group with the most labels that has a ranked row.</summary>
    public static CandidateResult? Best(IEnumerable<CandidateResult> rows) =>
        rows.Where(r => r.Rank == 1).OrderByDescending(r => r.Labels ?? int.MaxValue).FirstOrDefault();

    /// <summary>Formats "mean ± std" as percentages (std omitted for a single seed).</summary>
    public static string FormatAccuracy(CandidateResult r)
    {
        if (r.Seeds == 0) return "—";
        string m = (100 * r.AccuracyMean).ToString("F2", CultureInfo.InvariantCulture);
        return r.Seeds > 1 ? m + " ± " + (100 * r.AccuracyStd).ToString("F2", CultureInfo.InvariantCulture) : m;
    }

    /// <summary>Renders the leaderboard as a Markdown document.</summary>
    public static string ToMarkdown(ComparisonReport report)
    {
        var sb = new StringBuilder();
        sb.Append("# Leaderboard\n\n");
        sb.Append("Dataset: `").Append(EscapeMd(report.Dataset)).Append("`");
        if (report.TestDataset is not null) sb.Append(", test: `").Append(EscapeMd(report.TestDataset)).Append('`');
        sb.Append(CultureInfo.InvariantCulture, $" ({report.TrainCount} training documents, {report.Classes.Count} classes; evaluated on the {report.Evaluation}).\n\n");
        sb.Append("| Rank | Pipeline | Labels | Seeds | Accuracy % (mean ± std) | Macro accuracy % | Fit s | Peak MB | Status |\n");
        sb.Append("|---:|---|---:|---:|---:|---:|---:|---:|---|\n");
        foreach (var r in report.Candidates)
        {
            sb.Append("| ").Append(r.Rank > 0 ? r.Rank.ToString(CultureInfo.InvariantCulture) : "—")
              .Append(" | ").Append(EscapeMd(r.Spec.Name))
              .Append(" | ").Append(r.LabelsText)
              .Append(" | ").Append(r.Seeds.ToString(CultureInfo.InvariantCulture))
              .Append(" | ").Append(FormatAccuracy(r))
              .Append(" | ").Append(r.Seeds == 0 ? "—" : (100 * r.MacroAccuracyMean).ToString("F2", CultureInfo.InvariantCulture))
              .Append(" | ").Append(r.FitSeconds.ToString("F2", CultureInfo.InvariantCulture))
              .Append(" | ").Append(r.PeakMemoryMb.ToString("F0", CultureInfo.InvariantCulture))
              .Append(" | ").Append(EscapeMd(r.Status)).Append(" |\n");
        }
        sb.Append("\nSeeds: each seed draws its own labelled subset; rows with all labels are fitted once (seed 1), since every seed ")
          .Append("would train on the same documents. Peak MB: the candidate's own peak working set above the level before it ")
          .Append("(the larger of its featurizer's fit, shared and measured once, and its classifier fits), not the process peak.\n");
        if (report.Best is { } best)
            sb.Append("\nBest: **").Append(EscapeMd(best.Spec.Name)).Append("** with ").Append(best.LabelsText)
              .Append(" labels, accuracy ").Append(FormatAccuracy(best)).Append(" %.\n");
        return sb.ToString();
    }

    private static string EscapeMd(string s)
    {
        var sb = new StringBuilder(s.Length);
        foreach (char c in s)
        {
            if (c is '|' or '`' or '*' or '_' or '<' or '>' or '[' or ']' or '\\') sb.Append('\\');
            sb.Append(c is '\n' or '\r' ? ' ' : c);
        }
        return sb.ToString();
    }
}
