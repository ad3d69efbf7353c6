using System.CommandLine;
using VaeText.Experiments;

namespace VaeText.Cli.Commands;

/// <summary><c>vaetext compare</c>: the AutoML-style comparison run.</summary>
internal static class CompareCommand
{
    public static Command Create(CliContext ctx)
    {
        var dataset = CliOptions.Dataset(true, "Training TSV.");
        var test = new Option<string?>("--test") { Description = "Test TSV, used only to report each candidate's accuracy (without it: cross-validated accuracy only).", HelpName = "TSV" };
        var labelCol = CliOptions.LabelCol();
        var textCol = CliOptions.TextCol();
        var outDir = new Option<string>("--out") { Description = "Output folder for results.json, leaderboard.md, best-model.zip, report.html.", Required = true, HelpName = "DIR" };
        var budget = CliOptions.TimeBudget();
        var labeled = CliOptions.Labeled();
        var seeds = CliOptions.IntInRange("--seeds", "Seeds per labelled-subset size", 1, 1, 100, "K");
        var latent = CliOptions.IntInRange("--latent", "Latent size of the base VAE", 32, 1, 1024);
        var epochs = CliOptions.IntInRange("--epochs", "Training epochs of the base VAE", 20, 1, 10000);
        var encoder = CliOptions.Encoder();
        var folds = CliOptions.IntInRange("--folds", "Most folds of the cross-validation on the labelled rows that selects the pipeline", 5, 2, 50);
        var ldaTopics = CliOptions.IntInRange("--lda-topics", "Topics of the LDA candidate", 20, 2, 1000);
        var noVariants = new Option<bool>("--no-variants") { Description = "Skip the latent-size / epoch variants and what is built on them (the VAE ensemble, its self-trained SDCA, TF-IDF ⊕ the ensemble; TF-IDF ⊕ the base VAE instead)." };
        var stratified = new Option<bool>("--stratified") { Description = "Draw labelled subsets stratified by class." };
        var embeddings = CliOptions.Choice("--embeddings",
            "Also compare pretrained sentence embeddings (English): minilm adds all-MiniLM-L6-v2 + SDCA and MiniLM ⊕ VAE latent + SDCA. " +
            "Documents are cut to their first 128 word pieces; only the labelled draws' training rows and the test rows are encoded (about 8 documents a second on two cores), " +
            "so pair it with --test-sample on a large test split. A saved model with MiniLM loads in vaetext, not with the VaeText.MLNet package alone (default none).",
            "none", "none", "minilm");
        var testSample = new Option<int?>("--test-sample")
        {
            Description = "Score every candidate on a seeded sample of N test documents (seed 1, the same rows for every candidate) instead of the whole test split.",
            HelpName = "N",
        };
        testSample.Validators.Add(r =>
        {
            int? v;
            try { v = r.GetValueOrDefault<int?>(); } catch (InvalidOperationException) { return; }
            if (v is int k && k < 1) r.AddError($"--test-sample must be a positive number of test documents (got {k}).");
        });
        var json = CliOptions.Json();
        var cmd = new Command("compare", "Compare ML.NET pipelines (FeaturizeText, TF-IDF n-grams, LDA, VaeLatent, n-grams ⊕ VAE × SDCA, FastTree, LightGbm) and write a leaderboard and report. " +
            "Each labels setting's pipeline is selected by cross-validation on the labelled rows only; the test split only reports. " +
            "Peak MB / peak_memory_mb is each candidate's own peak working set above the level before it (its featurizer's fit, measured once, or its classifier fits), not the process peak; " +
            "rows with all labels are fitted once (every seed would use the same labelled set).")
        {
            dataset, test, labelCol, textCol, outDir, budget, labeled, seeds, latent, epochs, encoder, folds, ldaTopics, noVariants, stratified, embeddings, testSample, json,
        };
        cmd.SetAction((pr, ct) => Task.Run(() =>
        {
            var vae = new VaeSettings(pr.GetValue(latent), pr.GetValue(epochs), pr.GetValue(encoder)!.ToLowerInvariant());
            var embeddingModel = pr.GetValue(embeddings)!.ToLowerInvariant() == "minilm" ? MiniLm.Model() : null;
            if (pr.GetValue(testSample) is not null && pr.GetValue(test) is null)
                throw new CliException("--test-sample needs a test split (--test).", ExitCodes.Usage);
            var options = new ComparisonOptions
            {
                TrainPath = Inputs.ExistingFile(pr.GetValue(dataset), "--dataset"),
                TestPath = pr.GetValue(test) is { } t ? Inputs.ExistingFile(t, "--test") : null,
                LabelColumn = pr.GetValue(labelCol)!,
                TextColumn = pr.GetValue(textCol)!,
                TimeBudgetSeconds = pr.GetValue(budget),
                Labeled = CliOptions.ParseLabeled(pr.GetValue(labeled)),
                Seeds = pr.GetValue(seeds),
                Vae = vae,
                Folds = pr.GetValue(folds),
                LdaTopics = pr.GetValue(ldaTopics),
                Variants = !pr.GetValue(noVariants),
                Stratified = pr.GetValue(stratified),
                Embeddings = embeddingModel,
                TestSample = pr.GetValue(testSample),
                Candidates = embeddingModel is null ? null
                    : [.. ComparisonOptions.DefaultCandidates(vae, !pr.GetValue(noVariants), pr.GetValue(ldaTopics)), .. ComparisonOptions.EmbeddingCandidates(embeddingModel, vae)],
            };
            string dir = Inputs.OutputFolder(pr.GetValue(outDir), "--out");
            return Run(ctx, options, dir, pr.GetValue(json), ct);
        }, ct));
        return cmd;
    }

    /// <summary>
    /// Runs the comparison with live progress bars on a terminal, or one line per epoch / candidate otherwise
    /// (to standard error with --json, so that standard output stays one JSON document).
    /// </summary>
    internal static ComparisonRunner.Outcome RunWithProgress(CliContext ctx, ComparisonOptions options, bool json, CancellationToken ct)
    {
        if (!ctx.Interactive || json)
            return new ComparisonRunner().Run(options, new ComparisonView(ctx, json), ct);
        int rows = (options.Candidates ?? ComparisonOptions.DefaultCandidates(options.Vae, options.Variants, options.LdaTopics)).Distinct().Count() * options.Labeled.Distinct().Count();
        return LiveProgressView.Run(ctx, rows, live =>
        {
            try
            {
                return new ComparisonRunner().Run(options, new LiveWithBatches(live), ct);
            }
            finally { live.Finish(); }
        });
    }

    /// <summary>The live view, also fed the VAE's per-batch progress.</summary>
    private sealed class LiveWithBatches(LiveProgressView live) : IComparisonProgress
    {
        public void Stage(string message) => live.Stage(message);
        public void VaeStarted(VaeSettings settings) => live.VaeStarted(settings);
        public void VaeBatch(VaeSettings settings, Training.VaeBatchReport report, int batchesPerEpoch) => live.Batch(report, batchesPerEpoch);
        public void VaeEpoch(VaeSettings settings, VaeEpochPoint point) => live.VaeEpoch(settings, point);
        public void CandidateDone(CandidateResult result) => live.CandidateDone(result);
    }

    /// <summary>Runs a comparison, writes the outputs (when <paramref name="dir"/> is set) and prints the leaderboard.</summary>
    internal static int Run(CliContext ctx, ComparisonOptions options, string? dir, bool json, CancellationToken ct)
    {
        using var outcome = RunWithProgress(ctx, options, json, ct);
        var view = new ComparisonView(ctx, json);
        if (dir is not null)
        {
            view.Stage("Writing results to " + dir);
            ComparisonOutputs.Write(dir, outcome, ct);
        }
        if (json)
        {
            ctx.Out.WriteLine(System.Text.Encoding.UTF8.GetString(ResultsJson.Serialize(outcome.Report)));
        }
        else
        {
            ComparisonView.PrintLeaderboard(ctx, outcome.Report);
            if (dir is not null) ctx.Out.WriteLine($"Wrote {Path.Combine(dir, ComparisonOutputs.ResultsFile)}, {ComparisonOutputs.LeaderboardFile}, {ComparisonOutputs.ReportFile}" + (outcome.SaveBestModel is null ? "" : ", " + ComparisonOutputs.ModelFile));
        }
        return outcome.Report.Best is null ? ExitCodes.UserError : ExitCodes.Ok;
    }
}
