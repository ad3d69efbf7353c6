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
        var featurizer = CliOptions.Choice("--featurizer", "Features: VAE latent mean, word n-grams, or both.", "vae", "vae", "ngrams", "both");
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
            dataset, separator, labelCol, textCol, model, featurizer, trainer, latent, epochs, encoder, decoder, seed, json, checkpoint, checkpointEvery, resume, divergenceRetries, learningRate,
        };
        cmd.SetAction((pr, ct) => Task.Run(() =>
        {
            string data = Inputs.ExistingFile(pr.GetValue(dataset), "--dataset");
            string outPath = Inputs.OutputFile(pr.GetValue(model), "--model");
            var f = pr.GetValue(featurizer)!.ToLowerInvariant() switch { "ngrams" => FeaturizerKind.Ngrams, "both" => FeaturizerKind.Both, _ => FeaturizerKind.Vae };
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

            ctx.Progress($"• Fitting {spec.Name} on {file.Rows} documents ({classes.Length} classes)", asJson);
            var sw = System.Diagnostics.Stopwatch.StartNew();
            bool binary = TextClassifierPipeline.IsBinary(t, classes.Length);
            var labelled = TextClassifierPipeline.LabelMapping(ml, label, classes, binary).Fit(view).Transform(view);
            ITransformer fitted;
            try
            {
                if (ctx.Interactive && !asJson && spec.Vae is not null)
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
            finally { (fitted as IDisposable)?.Dispose(); }
            double seconds = sw.Elapsed.TotalSeconds;
            if (asJson)
                ctx.Out.WriteLine(JsonLine.Object(("model", outPath), ("pipeline", spec.Name), ("documents", file.Rows), ("classes", classes.Length), ("fit_seconds", Math.Round(seconds, 3))));
            else
                ctx.Out.WriteLine(string.Format(CultureInfo.InvariantCulture, "Saved {0} ({1}, {2} classes, {3:F1} s).", outPath, spec.Name, classes.Length, seconds));
            return ExitCodes.Ok;
        }, ct));
        return cmd;
    }
}
