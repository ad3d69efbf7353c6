namespace VaeText.Experiments;

/// <summary>Writes the four outputs of a comparison run into a folder, all or nothing.</summary>
internal static class ComparisonOutputs
{
    /// <summary>File names written.</summary>
    public const string ResultsFile = "results.json", LeaderboardFile = "leaderboard.md", ModelFile = "best-model.zip", ReportFile = "report.html";

    /// <summary>
    /// Writes results.json, leaderboard.md, report.html and (when a model exists) best-model.zip into
    /// <paramref name="dir"/>. Each file goes to a temporary name first; the renames happen only after all were written,
    /// so cancellation or an error leaves no partial output. A folder created here is removed again on failure.
    /// </summary>
    public static void Write(string dir, ComparisonRunner.Outcome outcome, CancellationToken ct)
    {
        bool created = !Directory.Exists(dir);
        Directory.CreateDirectory(dir);
        try
        {
            using var set = new AtomicFileSet();
            if (outcome.SaveBestModel is { } save) set.Stage(Path.Combine(dir, ModelFile), save);
            ct.ThrowIfCancellationRequested();
            set.StageStream(Path.Combine(dir, ResultsFile), s => s.Write(ResultsJson.Serialize(outcome.Report)));
            set.StageText(Path.Combine(dir, LeaderboardFile), Leaderboard.ToMarkdown(outcome.Report));
            set.StageText(Path.Combine(dir, ReportFile), HtmlReport.Render(outcome.Report));
            ct.ThrowIfCancellationRequested();
            set.Commit();
        }
        catch
        {
            if (created) TryRemoveEmpty(dir);
            throw;
        }
    }

    private static void TryRemoveEmpty(string dir)
    {
        try { if (Directory.Exists(dir) && !Directory.EnumerateFileSystemEntries(dir).Any()) Directory.Delete(dir); }
        catch (IOException) { }
        catch (UnauthorizedAccessException) { }
    }
}
