using System.CommandLine;
using System.Globalization;
using VaeText.Experiments;

namespace VaeText.Cli.Commands;

/// <summary><c>vaetext demo</c>: the embedded default run on datasets/sample.</summary>
internal static class DemoCommand
{
    public static Command Create(CliContext ctx)
    {
        var dataset = new Option<string?>("--dataset") { Description = "Folder with train.tsv and test.tsv (default: the repository's datasets/sample).", HelpName = "DIR" };
        var outDir = new Option<string?>("--out") { Description = "Also write results.json, leaderboard.md, best-model.zip and report.html here.", HelpName = "DIR" };
        var latent = CliOptions.IntInRange("--latent", "Latent size", 16, 1, 1024);
        var epochs = CliOptions.IntInRange("--epochs", "VAE training epochs", 30, 1, 10000);
        var budget = CliOptions.TimeBudget();
        var json = CliOptions.Json();
        var cmd = new Command("demo", "Train a VAE on the sample corpus, compare pipelines and show what it learned.") { dataset, outDir, latent, epochs, budget, json };
        cmd.SetAction((pr, ct) => Task.Run(() =>
        {
            string? folder = pr.GetValue(dataset) ?? DatasetLocator.FindSample();
            if (folder is null)
                throw new CliException("cannot find datasets/sample (looked upwards from the current folder and from the executable); pass --dataset DIR.");
            if (!Directory.Exists(folder)) throw new CliException($"--dataset: folder not found: {folder}");
            string train = Inputs.ExistingFile(Path.Combine(folder, "train.tsv"), "--dataset");
            string? test = File.Exists(Path.Combine(folder, "test.tsv")) ? Path.GetFullPath(Path.Combine(folder, "test.tsv")) : null;
            bool asJson = pr.GetValue(json);
            var vae = new VaeSettings(pr.GetValue(latent), pr.GetValue(epochs));
            var options = new ComparisonOptions
            {
                TrainPath = train,
                TestPath = test,
                Vae = vae,
                Variants = false,
                TimeBudgetSeconds = pr.GetValue(budget) ?? 90,
                Candidates = new[]
                {
                    new CandidateSpec(FeaturizerKind.FeaturizeText, TrainerKind.Sdca, null),
                    new CandidateSpec(FeaturizerKind.Ngrams, TrainerKind.Sdca, null),
                    new CandidateSpec(FeaturizerKind.Lda, TrainerKind.Sdca, null, 10),
                    new CandidateSpec(FeaturizerKind.Vae, TrainerKind.Sdca, vae),
                    new CandidateSpec(FeaturizerKind.Both, TrainerKind.Sdca, vae),
                },
            };
            string? dir = pr.GetValue(outDir) is { } o ? Inputs.OutputFolder(o, "--out") : null;
            using var outcome = CompareCommand.RunWithProgress(ctx, options, asJson, ct);
            if (dir is not null) ComparisonOutputs.Write(dir, outcome, ct);
            if (asJson)
            {
                ctx.Out.WriteLine(System.Text.Encoding.UTF8.GetString(ResultsJson.Serialize(outcome.Report)));
                return outcome.Report.Best is null ? ExitCodes.UserError : ExitCodes.Ok;
            }
            ComparisonView.PrintLeaderboard(ctx, outcome.Report);
            PrintSummary(ctx, outcome.Report, dir);
            return outcome.Report.Best is null ? ExitCodes.UserError : ExitCodes.Ok;
        }, ct));
        return cmd;
    }

    private static void PrintSummary(CliContext ctx, ComparisonReport report, string? dir)
    {
        var inv = CultureInfo.InvariantCulture;
        var w = ctx.Out;
        w.WriteLine();
        w.WriteLine("What was learned");
        if (report.VaeRuns.FirstOrDefault() is { } run)
        {
            if (run.Epochs.Count > 0)
            {
                var first = run.Epochs[0];
                var last = run.Epochs[^1];
                w.WriteLine(string.Format(inv, "  {0}: −ELBO per document {1:F1} → {2:F1} over {3} epochs ({4:F1} s); KL {5:F2}.",
                    run.Settings.Name, first.NegativeElbo, last.NegativeElbo, run.Epochs.Count, run.Seconds, last.Kl));
            }
            w.WriteLine("  Top words per latent dimension:");
            for (int d = 0; d < run.TopWords.Count && d < 8; d++)
                w.WriteLine(string.Format(inv, "    dim {0,2}: {1}", d, string.Join(", ", run.TopWords[d].Take(8))));
            if (run.TopWords.Count > 8) w.WriteLine(string.Format(inv, "    ... ({0} dimensions in all)", run.TopWords.Count));
        }
        foreach (var (f, name) in new[] { ("featurize_text", "FeaturizeText"), ("ngrams", "TF-IDF n-gram"), ("lda", "LDA topic"), ("vae", "latent"), ("both", "n-gram ⊕ latent") })
        {
            var bestOf = report.Candidates.Where(r => r.Spec.FeaturizerId == f && r.Seeds > 0).OrderBy(r => r.Rank).FirstOrDefault();
            if (bestOf is not null)
                w.WriteLine(string.Format(inv, "  Best with {0} features: {1} — CV accuracy {2} %, test accuracy {3} %.", name, bestOf.Spec.Name, Leaderboard.FormatCv(bestOf), Leaderboard.FormatAccuracy(bestOf)));
        }
        if (report.Best is { } best)
            w.WriteLine(string.Format(inv, "  Selected by cross-validation on the labelled rows: {0} ({1} classes; test accuracy {2} % on {3} test documents; run took {4:F1} s).",
                best.Spec.Name, report.Classes.Count, Leaderboard.FormatAccuracy(best), report.TestCount, report.TotalSeconds));
        w.WriteLine(dir is null ? "  Add --out DIR to write results.json, leaderboard.md, best-model.zip and an HTML report." : "  Report: " + Path.Combine(dir, ComparisonOutputs.ReportFile));
    }
}
