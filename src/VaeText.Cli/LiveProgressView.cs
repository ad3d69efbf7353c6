using System.Globalization;
using Spectre.Console;
using VaeText.Experiments;
using VaeText.Training;

namespace VaeText.Cli;

/// <summary>
/// Live progress for a terminal: a Spectre.Console progress bar per VAE training (epochs and batches) and one for the
/// candidates of a comparison; stage and result lines are printed above the bars. Used only when standard output is
/// a terminal and --json is off; otherwise <see cref="ComparisonView"/> prints one line per epoch.
/// </summary>
internal sealed class LiveProgressView : IComparisonProgress
{
    private static readonly CultureInfo Inv = CultureInfo.InvariantCulture;
    private readonly CliContext _ctx;
    private readonly ProgressContext _progress;
    private readonly ProgressTask? _candidates;
    private ProgressTask? _vae;
    private VaeSettings? _vaeSettings;

    private LiveProgressView(CliContext ctx, ProgressContext progress, int candidateRows)
    {
        _ctx = ctx; _progress = progress;
        if (candidateRows > 0) _candidates = progress.AddTask($"Candidates 0/{candidateRows}", maxValue: candidateRows);
    }

    /// <summary>Runs <paramref name="work"/> under a live progress display; <paramref name="candidateRows"/> = 0 shows no candidates bar.</summary>
    public static T Run<T>(CliContext ctx, int candidateRows, Func<LiveProgressView, T> work)
    {
        T result = default!;
        ctx.Console.Progress()
            .AutoClear(false)
            .HideCompleted(false)
            .Columns(new TaskDescriptionColumn(), new ProgressBarColumn(), new PercentageColumn(), new ElapsedTimeColumn(), new RemainingTimeColumn())
            .Start(p => { result = work(new LiveProgressView(ctx, p, candidateRows)); });
        return result;
    }

    private void Line(string text) => _ctx.Console.MarkupLine(Markup.Escape(text));

    public void Stage(string message)
    {
        Line("• " + message);
    }

    /// <summary>A VAE training starts (the bar fills over its epochs and batches).</summary>
    public void VaeStarted(VaeSettings settings)
    {
        _vae?.StopTask();
        _vaeSettings = settings;
        _vae = _progress.AddTask(settings.Name, maxValue: settings.Epochs);
    }

    /// <summary>After each optimisation step (called on the training thread).</summary>
    public void Batch(VaeBatchReport r, int batchesPerEpoch)
    {
        if (_vae is null) return;
        _vae.Value = r.Epoch - 1 + Math.Min(1.0, (r.Batch + 1) / (double)Math.Max(1, batchesPerEpoch));
        _vae.Description = string.Format(Inv, "{0} epoch {1}/{2}", _vaeSettings!.Name, r.Epoch, _vaeSettings.Epochs);
    }

    public void VaeEpoch(VaeSettings settings, VaeEpochPoint p)
    {
        if (_vae is null || !ReferenceEquals(_vaeSettings, settings)) VaeStarted(settings);
        _vae!.Value = p.Epoch;
        Line(string.Format(Inv, "  {0} epoch {1,3}/{2}: reconstruction {3:F2}  KL {4:F2}  −ELBO {5:F2}  ({6:F1} s)",
            settings.Name, p.Epoch, settings.Epochs, p.Reconstruction, p.Kl, p.NegativeElbo, p.Seconds));
        if (p.Epoch >= settings.Epochs) _vae.StopTask();
    }

    public void CandidateDone(CandidateResult r)
    {
        if (_candidates is not null)
        {
            _candidates.Increment(1);
            _candidates.Description = string.Format(Inv, "Candidates {0}/{1}", (int)_candidates.Value, (int)_candidates.MaxValue);
        }
        Line(string.Format(Inv, "  {0} [{1} labels]: accuracy {2} %  ({3:F2} s){4}",
            r.Spec.Name, r.LabelsText, Leaderboard.FormatAccuracy(r), r.FitSeconds, r.Status == "ok" ? "" : "  " + r.Status));
    }

    /// <summary>Marks the bars finished.</summary>
    public void Finish()
    {
        _vae?.StopTask();
        if (_candidates is not null) { _candidates.Value = _candidates.MaxValue; _candidates.StopTask(); }
    }
}
