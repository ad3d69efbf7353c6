using System.Globalization;
using System.Text;

namespace VaeText.Experiments;

/// <summary>Ranks leaderboard rows and renders them as Markdown.</summary>
internal static class Leaderboard
{
    /// <summary>
    /// Assigns ranks within each labels group by the selection score — the mean cross-validated accuracy on the
    /// labelled rows (1 = highest; ties and rows without a score keep the candidates' order) — marks rank 1 as
    /// selected, and returns the rows ordered by group (fewest labels first, "all" last) then rank. Test accuracy plays
    /// no part. Rows without any evaluated seed get rank 0 and come last in their group.
    /// </summary>
    public static List<CandidateResult> Rank(IEnumerable<CandidateResult> rows)
    {
        var ordered = new List<CandidateResult>();
        var all = rows.ToList();
        foreach (var group in all.GroupBy(r => r.Labels).OrderBy(g => g.Key ?? int.MaxValue))
        {
            var scored = group.Where(r => r.Seeds > 0)
                .OrderBy(r => double.IsFinite(r.CvMean) ? 0 : 1)
                .ThenByDescending(r => double.IsFinite(r.CvMean) ? r.CvMean : 0)
                .ThenBy(r => all.IndexOf(r))
                .ToList();
            for (int i = 0; i < scored.Count; i++) { scored[i].Rank = i + 1; scored[i].Selected = i == 0; }
            ordered.AddRange(scored);
            foreach (var r in group.Where(r => r.Seeds == 0)) { r.Rank = 0; r.Selected = false; ordered.Add(r); }
        }
        return ordered;
    }

    /// <summary>The selected row of the group with the most labels that has one.</summary>
    public static CandidateResult? Best(IEnumerable<CandidateResult> rows) =>
        rows.Where(r => r.Selected).OrderByDescending(r => r.Labels ?? int.MaxValue).FirstOrDefault();

    /// <summary>Formats the mean cross-validated accuracy as a percentage ("—" when there is none).</summary>
    public static string FormatCv(CandidateResult r) =>
        r.Seeds == 0 || !double.IsFinite(r.CvMean) ? "—" : (100 * r.CvMean).ToString("F2", CultureInfo.InvariantCulture);

    /// <summary>Formats "mean ± std" as percentages (std omitted for a single seed).</summary>
    public static string FormatAccuracy(CandidateResult r)
    {
        if (!r.HasTest) return "—";
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
        sb.Append("Ranked by cross-validated accuracy on the labelled rows (the selection score); test accuracy is shown beside it and played no part in the ranking. ")
          .Append("Selection: ").Append(EscapeMd(report.Selection)).Append(".\n\n");
        sb.Append("| Rank | Pipeline | Labels | Seeds | CV accuracy % | Test accuracy % (mean ± std) | Macro accuracy % | Fit s | Peak MB | Status |\n");
        sb.Append("|---:|---|---:|---:|---:|---:|---:|---:|---:|---|\n");
        foreach (var r in report.Candidates)
        {
            sb.Append("| ").Append(r.Rank > 0 ? r.Rank.ToString(CultureInfo.InvariantCulture) : "—")
              .Append(" | ").Append(r.Selected ? "**" + EscapeMd(r.Spec.Name) + "** (selected)" : EscapeMd(r.Spec.Name))
              .Append(" | ").Append(r.LabelsText)
              .Append(" | ").Append(r.Seeds.ToString(CultureInfo.InvariantCulture))
              .Append(" | ").Append(FormatCv(r))
              .Append(" | ").Append(FormatAccuracy(r))
              .Append(" | ").Append(!r.HasTest ? "—" : (100 * r.MacroAccuracyMean).ToString("F2", CultureInfo.InvariantCulture))
              .Append(" | ").Append(r.FitSeconds.ToString("F2", CultureInfo.InvariantCulture))
              .Append(" | ").Append(r.PeakMemoryMb.ToString("F0", CultureInfo.InvariantCulture))
              .Append(" | ").Append(EscapeMd(r.Status)).Append(" |\n");
        }
        sb.Append("\nSeeds: each seed draws its own labelled subset; rows with all labels are fitted once (seed 1), since every seed ")
          .Append("would train on the same documents. Fit s: the featurizer's fit (shared, fitted once on all training texts without labels) ")
          .Append("plus the mean classifier time per seed (cross-validation and the final fit). Peak MB: the candidate's own peak working set above the level before it ")
          .Append("(the larger of its featurizer's fit, shared and measured once, and its classifier fits), not the process peak.\n");
        foreach (var group in report.SeedSelections.GroupBy(s => s.Labels))
        {
            var picks = group.ToList();
            var tests = picks.Select(p => p.TestAccuracy).Where(double.IsFinite).ToList();
            sb.Append("\nPer-draw selection with ").Append(group.Key is int k ? k.ToString(CultureInfo.InvariantCulture) : "all").Append(" labels: ")
              .Append(string.Join("; ", picks.Select(p => $"seed {p.Seed}: {EscapeMd(p.Pipeline)}")));
            if (tests.Count > 0)
                sb.Append(CultureInfo.InvariantCulture, $" — test accuracy of each draw's own pick, mean {100 * Stats.Mean(tests):F2} %");
            sb.Append(".\n");
        }
        if (report.Best is { } best)
            sb.Append("\nSelected: **").Append(EscapeMd(best.Spec.Name)).Append("** with ").Append(best.LabelsText)
              .Append(" labels, cross-validated accuracy ").Append(FormatCv(best)).Append(" %, test accuracy ").Append(FormatAccuracy(best)).Append(" %.\n");
        AppendCoherence(sb, report);
        return sb.ToString();
    }

    /// <summary>The topic models' mean NPMI and, per model, its most coherent topic.</summary>
    private static void AppendCoherence(StringBuilder sb, ComparisonReport report)
    {
        var rows = report.VaeRuns.Where(r => r.Coherence is not null).Select(r => (Name: r.Settings.Name + " (latent dimensions)", C: r.Coherence!))
            .Concat(report.LdaRuns.Where(r => r.Coherence is not null).Select(r => (Name: r.Name, C: r.Coherence!))).ToList();
        if (rows.Count == 0) return;
        sb.Append("\n## Topic coherence\n\n").Append(EscapeMd(TopicCoherence.Description)).Append("\n\n");
        sb.Append("| Topic model | Topics | Mean NPMI | Most coherent topic (NPMI) |\n|---|---:|---:|---|\n");
        foreach (var (name, c) in rows)
        {
            int top = Enumerable.Range(0, c.Npmi.Length).Where(i => double.IsFinite(c.Npmi[i])).OrderByDescending(i => c.Npmi[i]).DefaultIfEmpty(-1).First();
            sb.Append("| ").Append(EscapeMd(name)).Append(" | ").Append(c.Words.Count.ToString(CultureInfo.InvariantCulture))
              .Append(" | ").Append(FormatNpmi(c.MeanNpmi))
              .Append(" | ").Append(top < 0 ? "—" : EscapeMd(string.Join(" ", c.Words[top].Select(w => w.Length <= 24 ? w : w[..23] + "…"))) + " (" + FormatNpmi(c.Npmi[top]) + ")").Append(" |\n");
        }
    }

    /// <summary>Formats an NPMI value with three decimals ("—" when undefined).</summary>
    public static string FormatNpmi(double x) => double.IsFinite(x) ? x.ToString("F3", CultureInfo.InvariantCulture) : "—";

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
