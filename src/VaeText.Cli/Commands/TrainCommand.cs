using System.CommandLine;
using System.Globalization;
using Microsoft.ML;
using Microsoft.ML.Data;
using VaeText.Experiments;
using VaeText.Pipelines;

namespace VaeText.Cli.Commands;

/// <summary><c>vaetext train</c>: fits one ML.NET pipeline and saves it as an ML.NET model zip.</summary>
internal static class TrainCommand
{
    public static Command Create(CliContext ctx)
    {
        var dataset = CliOptions.Dataset(true);
        var separator = CliOptions.Separator();
        var labelCol = CliOptions.LabelCol();
        var textCol = CliOptions.TextCol();
        var model = CliOptions.Model(false);
        var featurizer = CliOptions.Choice("--featurizer", "Features: VAE latent mean, word n-grams, both, or auto: the one of these (and for both the latent block's weight) with the best stratified k-fold cross-validated accuracy on the training rows, then fitted on all of them.", "vae", "vae", "ngrams", "both", "auto");
        var folds = CliOptions.IntInRange("--folds", "Folds of the cross-validation of --featurizer auto (fewer when the file has fewer than 2N documents; one held-out fold from 2000 documents on)", CrossValidationFolds.MaxFolds, 2, 50);
        var trainer = CliOptions.Choice("--trainer", "Downstream trainer (ML.NET's SdcaMaximumEntropy, or FastTree: binary for two classes, one-versus-all otherwise).", "sdca", "sdca", "fasttree");
        var latent = CliOptions.IntInRange("--latent", "VAE latent size", 32, 1, 1024);
        var epochs = CliOptions.IntInRange("--epochs", "VAE training epochs", 20, 1, 10000);
        var encoder = CliOptions.Encoder();
        var decoder = CliOptions.Decoder();
        var seed = CliOptions.IntInRange("--seed", "Random seed", 1, 0, int.MaxValue);
        var json = CliOptions.Json();
        var checkpoint = new Option<string?>("--checkpoint") { Description = "Folder for VAE training checkpoints (written atomically at each epoch end, every --checkpoint-every steps, and on Ctrl-C).", HelpName = "DIR" };
        var divergenceRetries = CliOptions.IntInRange("--divergence-retries", "On a NaN/∞ loss, roll back to the epoch start and retry with a lower learning rate up to N times; 0 = stop with an error naming epoch and batch", 0, 0, 10);
        var checkpointEvery = CliOptions.IntInRange("--checkpoint-every", "Also checkpoint every N optimisation steps; 0 = epoch ends only", 0, 0, int.MaxValue);
        var learningRate = CliOptions.PositiveNumber("--learning-rate", "VAE learning rate (Adam)", Training.VaeTrainingOptions.Defaults.LearningRate, "LR");
        var resume = new Option<bool>("--resume") { Description = "Resume VAE training from the checkpoint in --checkpoint DIR (same data, settings and seed give the identical model)." };
        var cmd = new Command("train", "Fit a pipeline (featurizer + trainer) on a labelled TSV/CSV and save it as an ML.NET model zip.")
        {
            dataset, separator, labelCol, textCol, model, featurizer, folds, trainer, latent, epochs, encoder, decoder, seed, json, checkpoint, checkpointEvery, resume, divergenceRetries, learningRate,
        };
        cmd.SetAction((pr, ct) => Task.Run(() =>
        {
            string data = Inputs.ExistingFile(pr.GetValue(dataset), "--dataset");
            string outPath = Inputs.OutputFile(pr.GetValue(model), "--model");
            string featurizerName = pr.GetValue(featurizer)!.ToLowerInvariant();
            bool auto = featurizerName == "auto";
            // auto trains the VAE (shared by its vae and both choices) and checks its options like both.
            var f = featurizerName switch { "ngrams" => FeaturizerKind.Ngrams, "both" or "auto" => FeaturizerKind.Both, _ => FeaturizerKind.Vae };
            if (!auto && pr.GetResult(folds) is { Implicit: false })
                throw new CliException("--folds applies to --featurizer auto (the cross-validation that chooses the featurizer).", ExitCodes.Usage);
            var t = pr.GetValue(trainer)!.Equals("fasttree", StringComparison.OrdinalIgnoreCase) ? TrainerKind.FastTree : TrainerKind.Sdca;
            string? ckDir = pr.GetValue(checkpoint);
            if (pr.GetValue(resume) && ckDir is null) throw new CliException("--resume needs --checkpoint DIR (the folder to resume from).", ExitCodes.Usage);
            if (ckDir is not null && f == FeaturizerKind.Ngrams) throw new CliException("--checkpoint applies to VAE training; --featurizer ngrams trains no VAE.", ExitCodes.Usage);
            if (ckDir is not null) ckDir = Inputs.OutputFolder(ckDir, "--checkpoint");
            if (pr.GetValue(resume) && !File.Exists(Training.TrainingCheckpoint.PathIn(ckDir!)))
                throw new CliException($"--resume: no checkpoint in '{ckDir}' (start the run with --checkpoint {ckDir} first).");
            string dec = pr.GetValue(decoder)!.ToLowerInvariant();
            if (dec == "lstm" && pr.GetValue(encoder)!.Equals("bow", StringComparison.OrdinalIgnoreCase))
                throw new CliException("--decoder lstm needs a sequence encoder: add --encoder lstm or --encoder transformer.", ExitCodes.Usage);
            if (dec == "lstm" && f == FeaturizerKind.Ngrams) throw new CliException("--decoder applies to the VAE; --featurizer ngrams trains no VAE.", ExitCodes.Usage);
            var spec = new CandidateSpec(f, t, f == FeaturizerKind.Ngrams ? null : new VaeSettings(pr.GetValue(latent), pr.GetValue(epochs), pr.GetValue(encoder)!.ToLowerInvariant())
            {
                Decoder = dec,
                CheckpointDirectory = ckDir, CheckpointEveryBatches = pr.GetValue(checkpointEvery), Resume = pr.GetValue(resume), DivergenceRetries = pr.GetValue(divergenceRetries),
            });
            bool asJson = pr.GetValue(json);
            int seedValue = pr.GetValue(seed);
            double lr = pr.GetValue(learningRate);

            ctx.Progress($"• Loading {data}", asJson);
            var file = DelimitedTextFile.Open(data, pr.GetValue(separator), ct);
            int li = file.ColumnIndex(pr.GetValue(labelCol)!, "--label-col"), ti = file.ColumnIndex(pr.GetValue(textCol)!, "--text-col");
            string label = file.Header[li], text = file.Header[ti];
            if (label == text) throw new CliException($"--label-col and --text-col both name the column '{text}'.", ExitCodes.Usage);
            if (TextClassifierPipeline.ReservedColumns.Contains(text, StringComparer.Ordinal))
                throw new CliException($"--text-col: the column name '{text}' is used inside the pipeline ({string.Join(", ", TextClassifierPipeline.ReservedColumns)}); rename the column in the file's header.");

            var ml = new MLContext(seedValue);
            var view = file.Load(ml, (label, li), (text, ti));
            var labels = view.GetColumn<string>(label).ToList();
            int empty = labels.FindIndex(string.IsNullOrEmpty);
            if (empty >= 0) throw new CliException($"{Path.GetFileName(data)}: document {empty + 1} has an empty label (column '{label}').");
            var classes = labels.Distinct(StringComparer.Ordinal).OrderBy(s => s, StringComparer.Ordinal).ToArray();
            if (classes.Length < 2)
                throw new CliException($"{Path.GetFileName(data)}: the label column '{label}' has only one class ('{classes[0]}'); a classifier needs at least two.");
            ct.ThrowIfCancellationRequested();

            if (auto && file.Rows < CrossValidationFolds.MinRows)
                throw new CliException($"--featurizer auto: {Path.GetFileName(data)} has {file.Rows} document(s); cross-validation needs at least {CrossValidationFolds.MinRows} (choose --featurizer vae, ngrams or both).");

            ctx.Progress(auto
                ? $"• Choosing the featurizer (ngrams, vae, both; {spec.Vae!.Name}, {(t == TrainerKind.Sdca ? "SDCA" : "FastTree")}) by cross-validation on {file.Rows} documents ({classes.Length} classes)"
                : $"• Fitting {spec.Name} on {file.Rows} documents ({classes.Length} classes)", asJson);
            var sw = System.Diagnostics.Stopwatch.StartNew();
            bool binary = TextClassifierPipeline.IsBinary(t, classes.Length);
            var labelled = TextClassifierPipeline.LabelMapping(ml, label, classes, binary).Fit(view).Transform(view);
            ITransformer fitted;
            FeaturizerSelection.Result? selection = null;
            // --featurizer auto: the VAE trained as train trains it, then the choice by cross-validation (on a worker thread: Ctrl-C ends the wait at once).
            FeaturizerSelection.Result Select(IComparisonProgress progress, Action<VaeEpochPoint> onEpoch, Action<Training.VaeBatchReport, int>? onBatch) =>
                Cancellable.Run(() =>
                {
                    var clock = System.Diagnostics.Stopwatch.StartNew();
                    var vae = VaeStep.Estimator(ml, text, file.Rows, spec.Vae!, seedValue, lr, onEpoch, onBatch, ct).Fit(view);
                    return FeaturizerSelection.Run(ml, view, labels, text, t, spec.Vae!, vae, clock.Elapsed.TotalSeconds, seedValue, pr.GetValue(folds), progress, ct);
                }, ct);
            try
            {
                if (auto)
                {
                    if (ctx.Interactive && !asJson)
                        selection = LiveProgressView.Run(ctx, 0, live =>
                        {
                            live.VaeStarted(spec.Vae!);
                            try { return Select(live, p => live.VaeEpoch(spec.Vae!, p), live.Batch); }
                            finally { live.Finish(); }
                        });
                    else
                    {
                        var progress = new ComparisonView(ctx, asJson);
                        selection = Select(progress, p => progress.VaeEpoch(spec.Vae!, p), null);
                    }
                    fitted = selection.Model;
                }
                else if (ctx.Interactive && !asJson && spec.Vae is not null)
                {
                    // Terminal: a live bar over the VAE's epochs and batches.
                    fitted = LiveProgressView.Run(ctx, 0, live =>
                    {
                        live.VaeStarted(spec.Vae);
                        try
                        {
                            var vae = VaeStep.Estimator(ml, text, file.Rows, spec.Vae, seedValue, lr, p => live.VaeEpoch(spec.Vae, p), live.Batch, ct);
                            return Cancellable.Run(() => TextClassifierPipeline.Build(ml, f, t, text, vae, classes, file.Rows).Fit(labelled), ct);
                        }
                        finally { live.Finish(); }
                    });
                }
                else
                {
                    var progress = new ComparisonView(ctx, asJson);
                    var vae = spec.Vae is null ? null : VaeStep.Estimator(ml, text, file.Rows, spec.Vae, seedValue, lr, p => progress.VaeEpoch(spec.Vae, p), null, ct);
                    fitted = Cancellable.Run(() => TextClassifierPipeline.Build(ml, f, t, text, vae, classes, file.Rows).Fit(labelled), ct);
                }
                ct.ThrowIfCancellationRequested();
            }
            catch (Exception e) when (ct.IsCancellationRequested && e is not CliException)
            {
                // The model was not written; with a checkpoint the work so far is kept: say how to continue it.
                if (ckDir is not null && File.Exists(Training.TrainingCheckpoint.PathIn(ckDir)))
                    throw new CliException($"cancelled; no model was written; the checkpoint in '{ckDir}' continues the run: add --resume.", ExitCodes.Cancelled);
                throw new OperationCanceledException(ct);
            }
            try
            {
                AtomicFileSet.WriteOne(outPath, tmp => ml.Model.Save(fitted, view.Schema, tmp));
            }
            finally
            {
                (fitted as IDisposable)?.Dispose();
                selection?.Dispose();
            }
            double seconds = sw.Elapsed.TotalSeconds;
            string pipelineName = selection is null ? spec.Name : FeaturizerSelection.Describe(selection.Chosen);
            if (asJson)
            {
                var fields = new List<(string, object?)> { ("model", outPath), ("pipeline", pipelineName), ("documents", file.Rows), ("classes", classes.Length), ("fit_seconds", Math.Round(seconds, 3)) };
                if (selection is not null)
                {
                    fields.Add(("chosen", selection.Chosen.Spec.FeaturizerId));
                    fields.Add(("latent_weight", selection.Chosen.LatentWeight));
                    fields.Add(("folds", selection.Folds));
                    fields.Add(("cv_accuracy", BestPerFeaturizer(selection).ToDictionary(p => p.Key, p => (object?)p.Value)));
                    fields.Add(("cv_trials", selection.Trials.Select(tr => (IDictionary<string, object?>)new Dictionary<string, object?>
                    {
                        ["featurizer"] = tr.Spec.FeaturizerId, ["latent_weight"] = tr.LatentWeight, ["cv_accuracy"] = tr.CvAccuracy,
                    }).ToList()));
                }
                ctx.Out.WriteLine(JsonLine.Object([.. fields]));
            }
            else
            {
                if (selection is not null)
                    ctx.Out.WriteLine(string.Format(CultureInfo.InvariantCulture, "Chose {0}: CV accuracy {1:F2} % ({2} on the training rows; {3}).",
                        selection.Chosen.Spec.FeaturizerId + (selection.Chosen.LatentWeight is double w ? string.Format(CultureInfo.InvariantCulture, ", latent weight {0:0.###}", w) : ""),
                        100 * selection.Chosen.CvAccuracy, selection.Folds,
                        string.Join(", ", BestPerFeaturizer(selection).Select(p => string.Format(CultureInfo.InvariantCulture, "{0} {1:F2} %", p.Key, 100 * p.Value)))));
                ctx.Out.WriteLine(string.Format(CultureInfo.InvariantCulture, "Saved {0} ({1}, {2} classes, {3:F1} s).", outPath, pipelineName, classes.Length, seconds));
            }
            return ExitCodes.Ok;
        }, ct));
        return cmd;
    }

    /// <summary>Each featurizer's best CV accuracy (over the latent weights for both), in the order tried.</summary>
    private static List<KeyValuePair<string, double>> BestPerFeaturizer(FeaturizerSelection.Result r) =>
        r.Trials.GroupBy(tr => tr.Spec.FeaturizerId)
            .Select(g => new KeyValuePair<string, double>(g.Key, g.Max(tr => tr.CvAccuracy)))
            .ToList();
}
