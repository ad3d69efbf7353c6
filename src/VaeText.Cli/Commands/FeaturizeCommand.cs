using System.CommandLine;
using Microsoft.ML;
using Microsoft.ML.Data;
using System.Globalization;
using System.Text;
using VaeText.Experiments;

namespace VaeText.Cli.Commands;

/// <summary><c>vaetext featurize</c>: writes the latent means of a TSV's texts (label, then float columns).</summary>
internal static class FeaturizeCommand
{
    public static Command Create(CliContext ctx)
    {
        var model = CliOptions.Model(true);
        var dataset = CliOptions.Dataset(true);
        var outPath = new Option<string>("--out") { Description = "Output TSV: label, then one column per latent dimension.", Required = true, HelpName = "TSV" };
        var labelCol = CliOptions.OptionalCol("--label-col", "Label column (default: the one the model was trained with).");
        var textCol = CliOptions.OptionalCol("--text-col", "Text column (default: the one the model was trained with).");
        var separator = CliOptions.Separator();
        var json = CliOptions.Json();
        var cmd = new Command("featurize", "Write the VAE latent means of a TSV/CSV's texts.") { model, dataset, separator, outPath, labelCol, textCol, json };
        cmd.SetAction((pr, ct) => Task.Run(() =>
        {
            using var fitted = SavedModel.Load(Inputs.ExistingFile(pr.GetValue(model), "--model"));
            string data = Inputs.ExistingFile(pr.GetValue(dataset), "--dataset");
            string target = Inputs.OutputFile(pr.GetValue(outPath), "--out");
            var vae = MLNet.VaeLatentTransformer.Find(fitted.Model) ?? throw new CliException("--model: this model has no VAE (trained with --featurizer ngrams); nothing to featurize.");
            var (view, label, text) = Inputs.LabeledData(fitted, data, pr.GetValue(separator), pr.GetValue(labelCol), pr.GetValue(textCol), ct);
            var labels = view.GetColumn<string>(label).ToList();
            var texts = view.GetColumn<string>(text).ToList();
            var flat = vae.EncodeMeans(texts, maxThreads: 0);
            int latentSize = vae.LatentSize;
            var means = Enumerable.Range(0, texts.Count).Select(i => flat.AsSpan(i * latentSize, latentSize).ToArray()).ToArray();
            ct.ThrowIfCancellationRequested();
            int dims = means.Length == 0 ? 0 : means[0].Length;
            AtomicFileSet.WriteOne(target, tmp =>
            {
                using var w = new StreamWriter(tmp, false, new UTF8Encoding(false));
                w.Write("label");
                for (int d = 0; d < dims; d++) w.Write("\tz" + d.ToString(CultureInfo.InvariantCulture));
                w.Write('\n');
                for (int i = 0; i < means.Length; i++)
                {
                    if ((i & 1023) == 0) ct.ThrowIfCancellationRequested();
                    w.Write(labels[i].Replace('\t', ' ').Replace('\n', ' ').Replace('\r', ' '));
                    foreach (var v in means[i]) { w.Write('\t'); w.Write(v.ToString("R", CultureInfo.InvariantCulture)); }
                    w.Write('\n');
                }
            });
            if (pr.GetValue(json)) ctx.Out.WriteLine(JsonLine.Object(("out", target), ("documents", means.Length), ("latent", dims)));
            else ctx.Out.WriteLine($"Wrote {means.Length} rows × {dims} latent dimensions to {target}.");
            return ExitCodes.Ok;
        }, ct));
        return cmd;
    }
}
