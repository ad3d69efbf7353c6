using System.CommandLine;
using System.Globalization;
using VaeText.Experiments;

namespace VaeText.Cli.Commands;

/// <summary><c>vaetext train</c>: fits one pipeline and saves the model zip.</summary>
internal static class TrainCommand
{
    public static Command Create(CliContext ctx)
    {
        var dataset = CliOptions.Dataset(true);
        var labelCol = CliOptions.LabelCol();
        var textCol = CliOptions.TextCol();
        var model = CliOptions.Model(false);
        var featurizer = CliOptions.Choice("--featurizer", "Features: VAE latent mean, word n-grams, or both.", "vae", "vae", "ngrams", "both");
        var trainer = CliOptions.Choice("--trainer", "Downstream trainer.", "sdca", "sdca", "fasttree");
        var latent = CliOptions.IntInRange("--latent", "VAE latent size", 32, 1, 1024);
        var epochs = CliOptions.IntInRange("--epochs", "VAE training epochs", 20, 1, 10000);
        var encoder = CliOptions.Encoder();
        var decoder = CliOptions.Decoder();
        var seed = CliOptions.IntInRange("--seed", "Random seed", 1, 0, int.MaxValue);
        var json = CliOptions.Json();
        var checkpoint = new Option<string?>("--checkpoint") { Description = "Folder for VAE training checkpoints (written atomically at each epoch end, every --checkpoint-every steps, and on Ctrl-C).", HelpName = "DIR" };
        var divergenceRetries = CliOptions.IntInRange("--divergence-retries", "On a NaN/∞ loss, roll back to the epoch start and retry with a lower learning rate up to N times; 0 = stop with an error naming epoch and batch", 0, 0, 10);
        var checkpointEvery = CliOptions.IntInRange("--checkpoint-every", "Also checkpoint every N optimisation steps; 0 = epoch ends only", 0, 0, int.MaxValue);
        var resume = new Option<bool>("--resume") { Description = "Resume VAE training from the checkpoint in --checkpoint DIR (same data, settings and seed give the identical model)." };
        var cmd = new Command("train", "Fit a pipeline (featurizer + trainer) on a labelled TSV and save the model zip.")
        {
            dataset, labelCol, textCol, model, featurizer, trainer, latent, epochs, encoder, decoder, seed, json, checkpoint, checkpointEvery, resume, divergenceRetries,
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
            string lc = pr.GetValue(labelCol)!, tc = pr.GetValue(textCol)!;
            var backend = Backends.CreateModelBackend();
            ctx.Progress($"• Loading {data}", asJson);
            var texts = backend.Load(data, lc, tc);
            ctx.Progress($"• Fitting {spec.Name} on {texts.Texts.Count} documents", asJson);
            var sw = System.Diagnostics.Stopwatch.StartNew();
            int seedValue = pr.GetValue(seed);
            ITextPipelineModel fitted;
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
                            return backend.Train(texts, lc, tc, spec, seedValue, new CliRunSettings { OnVaeBatch = live.Batch },
                                new InlineProgress<VaeEpochPoint>(p => live.VaeEpoch(spec.Vae, p)), ct);
                        }
                        finally { live.Finish(); }
                    });
                }
                else
                {
                    var view = new ComparisonView(ctx, asJson);
                    fitted = backend.Train(texts, lc, tc, spec, seedValue, new CliRunSettings(), new InlineProgress<VaeEpochPoint>(p => view.VaeEpoch(spec.Vae!, p)), ct);
                }
                ct.ThrowIfCancellationRequested();
            }
            catch (OperationCanceledException) when (ckDir is not null && File.Exists(Training.TrainingCheckpoint.PathIn(ckDir)))
            {
                // The model was not written, but the work so far is kept: say how to continue it.
                throw new CliException($"cancelled; no model was written; the checkpoint in '{ckDir}' continues the run: add --resume.", ExitCodes.Cancelled);
            }
            AtomicFileSet.WriteOne(outPath, fitted.Save);
            double seconds = sw.Elapsed.TotalSeconds;
            if (asJson)
                ctx.Out.WriteLine(JsonLine.Object(("model", outPath), ("pipeline", spec.Name), ("documents", texts.Texts.Count), ("classes", fitted.Classes.Count), ("fit_seconds", Math.Round(seconds, 3))));
            else
                ctx.Out.WriteLine(string.Format(CultureInfo.InvariantCulture, "Saved {0} ({1}, {2} classes, {3:F1} s).", outPath, spec.Name, fitted.Classes.Count, seconds));
            return ExitCodes.Ok;
        }, ct));
        return cmd;
    }
}

/// <summary>Synchronous <see cref="IProgress{T}"/>.</summary>
internal sealed class InlineProgress<T>(Action<T> handler) : IProgress<T>
{
    public void Report(T value) => handler(value);
}
