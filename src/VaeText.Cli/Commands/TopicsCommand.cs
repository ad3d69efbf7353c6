using System.CommandLine;
using Microsoft.ML;
using Microsoft.ML.Data;
using System.Globalization;
using VaeText.Experiments;

namespace VaeText.Cli.Commands;

/// <summary><c>vaetext topics</c>: top words per latent dimension, with NPMI coherence on a reference corpus.</summary>
internal static class TopicsCommand
{
    public static Command Create(CliContext ctx)
    {
        var model = CliOptions.Model(true);
        var top = CliOptions.IntInRange("--top", "Words per dimension", 10, 1, 1000);
        var reference = new Option<string?>("--reference") { Description = "Reference TSV for NPMI coherence (document co-occurrence).", HelpName = "TSV" };
        var textCol = CliOptions.OptionalCol("--text-col", "Text column of the reference TSV (default: the model's).");
        var separator = CliOptions.Separator();
        var json = CliOptions.Json();
        var cmd = new Command("topics", "Show the top words of each latent dimension (largest decoder weights; words of three or more letters in at least 1 % of the training documents first), with NPMI coherence over --reference.") { model, top, reference, separator, textCol, json };
        cmd.SetAction((pr, ct) => Task.Run(() =>
        {
            string modelPath = Inputs.ExistingFile(pr.GetValue(model), "--model");
            var (loaded, _) = SavedModel.LoadTransformer(new Microsoft.ML.MLContext(1), modelPath);
            var vae = MLNet.VaeLatentTransformer.Find(loaded) ?? throw new CliException("--model: this model has no VAE (trained with --featurizer ngrams); it has no topics.");
            var words = vae.TopWords(pr.GetValue(top));
            double[]? npmi = null;
            if (pr.GetValue(reference) is { } refPath)
            {
                var file = Pipelines.DelimitedTextFile.Open(Inputs.ExistingFile(refPath, "--reference"), pr.GetValue(separator), ct);
                int ti = file.ColumnIndex(pr.GetValue(textCol) ?? vae.InputColumnNames[0], "--text-col");
                var texts = file.Load(new Microsoft.ML.MLContext(1), ("text", ti)).GetColumn<string>("text").ToList();
                npmi = Npmi.Coherence(words, texts, ct);
            }
            if (pr.GetValue(json))
            {
                var list = words.Select((w, d) => new Dictionary<string, object?> { ["dimension"] = d, ["words"] = w.ToArray(), ["npmi"] = npmi?[d] }).ToList();
                ctx.Out.WriteLine(JsonLine.Object(("topics", list), ("mean_npmi", npmi is null ? null : npmi.Where(double.IsFinite).DefaultIfEmpty(double.NaN).Average())));
                return ExitCodes.Ok;
            }
            for (int d = 0; d < words.Count; d++)
                ctx.Out.WriteLine(string.Format(CultureInfo.InvariantCulture, "dim {0,3}{1}: {2}", d,
                    npmi is null ? "" : string.Format(CultureInfo.InvariantCulture, " (NPMI {0,6:F3})", npmi[d]), string.Join(" ", words[d])));
            if (npmi is not null)
                ctx.Out.WriteLine(string.Format(CultureInfo.InvariantCulture, "mean NPMI {0:F3}", npmi.Where(double.IsFinite).DefaultIfEmpty(double.NaN).Average()));
            return ExitCodes.Ok;
        }, ct));
        return cmd;
    }
}
