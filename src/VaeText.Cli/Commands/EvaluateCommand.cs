using System.CommandLine;
using System.Globalization;
using Spectre.Console;
using VaeText.Experiments;

namespace VaeText.Cli.Commands;

/// <summary><c>vaetext evaluate</c>: metrics of a saved model on a labelled TSV.</summary>
internal static class EvaluateCommand
{
    public static Command Create(CliContext ctx)
    {
        var model = CliOptions.Model(true);
        var dataset = CliOptions.Dataset(true);
        var labelCol = CliOptions.OptionalCol("--label-col", "Label column (default: the one the model was trained with).");
        var textCol = CliOptions.OptionalCol("--text-col", "Text column (default: the one the model was trained with).");
        var json = CliOptions.Json();
        var cmd = new Command("evaluate", "Evaluate a model on a labelled TSV.") { model, dataset, labelCol, textCol, json };
        cmd.SetAction((pr, ct) => Task.Run(() =>
        {
            string modelPath = Inputs.ExistingFile(pr.GetValue(model), "--model");
            string data = Inputs.ExistingFile(pr.GetValue(dataset), "--dataset");
            var backend = Backends.CreateModelBackend();
            var fitted = backend.LoadModel(modelPath);
            var texts = backend.Load(data, pr.GetValue(labelCol) ?? fitted.LabelColumn, pr.GetValue(textCol) ?? fitted.TextColumn);
            var index = fitted.Classes.Select((c, i) => (c, i)).ToDictionary(p => p.c, p => p.i, StringComparer.Ordinal);
            var unknown = texts.Labels.FirstOrDefault(l => !index.ContainsKey(l));
            if (unknown is not null) throw new CliException($"--dataset: label '{unknown}' in {data} is not one of the model's classes ({string.Join(", ", fitted.Classes.Take(10))}).");
            var truth = texts.Labels.Select(l => index[l]).ToArray();
            ct.ThrowIfCancellationRequested();
            var probs = fitted.ScoresMany(texts.Texts);
            var metrics = ModelMetrics.Compute(truth, probs, fitted.Classes.Count);
            if (pr.GetValue(json))
            {
                ctx.Out.WriteLine(JsonLine.Object(metrics.Select(kv => (kv.Key, (object?)kv.Value)).ToArray()));
                return ExitCodes.Ok;
            }
            var table = new Table().Title("Evaluation of " + Markup.Escape(Path.GetFileName(modelPath)));
            if (!ctx.Interactive) table.Border(TableBorder.Ascii);
            table.AddColumn("Metric");
            table.AddColumn(new TableColumn("Value").RightAligned());
            foreach (var (k, v) in metrics) table.AddRow(k, v.ToString(k == "documents" ? "F0" : "F4", CultureInfo.InvariantCulture));
            ctx.Console.Write(table);
            return ExitCodes.Ok;
        }, ct));
        return cmd;
    }
}
