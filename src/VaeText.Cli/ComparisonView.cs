using System.Globalization;
using Spectre.Console;
using VaeText.Experiments;

namespace VaeText.Cli;

/// <summary>Shows a comparison run: progress lines while it runs, the leaderboard table at the end.</summary>
internal sealed class ComparisonView(CliContext ctx, bool json) : IComparisonProgress
{
    private static readonly CultureInfo Inv = CultureInfo.InvariantCulture;

    public void Stage(string message) => ctx.Progress("• " + message, json);

    public void VaeEpoch(VaeSettings settings, VaeEpochPoint p) =>
        ctx.Progress(string.Format(Inv, "  {0} epoch {1,3}/{2}: reconstruction {3:F2}  KL {4:F2}  −ELBO {5:F2}  ({6:F1} s)",
            settings.Name, p.Epoch, settings.Epochs, p.Reconstruction, p.Kl, p.NegativeElbo, p.Seconds), json);

    public void CandidateDone(CandidateResult r) =>
        ctx.Progress(string.Format(Inv, "  {0} [{1} labels]: CV accuracy {2} %, test accuracy {3} %  ({4:F2} s){5}",
            r.Spec.Name, r.LabelsText, Leaderboard.FormatCv(r), Leaderboard.FormatAccuracy(r), r.FitSeconds, r.Status == "ok" ? "" : "  " + r.Status), json);

    /// <summary>Prints the leaderboard as a table.</summary>
    public static void PrintLeaderboard(CliContext ctx, ComparisonReport report)
    {
        var table = new Table().Title("Leaderboard (ranked by cross-validated accuracy on the labelled rows; test: " + Markup.Escape(report.Evaluation) + ")");
        if (!ctx.Interactive) table.Border(TableBorder.Ascii);
        table.AddColumn(new TableColumn("Rank").RightAligned());
        table.AddColumn("Pipeline");
        table.AddColumn(new TableColumn("Labels").RightAligned());
        table.AddColumn(new TableColumn("Seeds").RightAligned());
        table.AddColumn(new TableColumn("CV %").RightAligned());
        table.AddColumn(new TableColumn("Test %").RightAligned());
        table.AddColumn(new TableColumn("Macro %").RightAligned());
        table.AddColumn(new TableColumn("Fit s").RightAligned());
        table.AddColumn(new TableColumn("Peak MB").RightAligned());
        table.AddColumn("Status");
        foreach (var r in report.Candidates)
        {
            table.AddRow(
                r.Rank > 0 ? r.Rank.ToString(Inv) : "-",
                Markup.Escape(r.Spec.Name) + (r.Selected ? " (selected)" : ""),
                r.LabelsText,
                r.Seeds.ToString(Inv),
                Markup.Escape(Leaderboard.FormatCv(r)),
                Markup.Escape(Leaderboard.FormatAccuracy(r)),
                !r.HasTest ? "-" : (100 * r.MacroAccuracyMean).ToString("F2", Inv),
                r.FitSeconds.ToString("F2", Inv),
                r.PeakMemoryMb.ToString("F0", Inv),
                Markup.Escape(r.Status));
        }
        ctx.Console.Write(table);
    }
}
