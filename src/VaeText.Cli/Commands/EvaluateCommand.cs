using System.CommandLine;
using System.Globalization;
using Microsoft.ML;
using Microsoft.ML.Data;
using Spectre.Console;
using VaeText.Pipelines;

namespace VaeText.Cli.Commands;

/// <summary><c>vaetext evaluate</c>: ML.NET's metrics of a saved model on a labelled TSV/CSV.</summary>
internal static class EvaluateCommand
{
    public static Command Create(CliContext ctx)
    {
        var model = CliOptions.Model(true);
        var dataset = CliOptions.Dataset(true);
        var separator = CliOptions.Separator();
        var labelCol = CliOptions.OptionalCol("--label-col", "Label column (default: the one the model was trained with).");
        var textCol = CliOptions.OptionalCol("--text-col", "Text column (default: the one the model was trained with).");
        var json = CliOptions.Json();
        var cmd = new Command("evaluate", "Evaluate a model on a labelled TSV/CSV with ML.NET's evaluator.") { model, dataset, separator, labelCol, textCol, json };
        cmd.SetAction((pr, ct) => Task.Run(() =>
        {
            string modelPath = Inputs.ExistingFile(pr.GetValue(model), "--model");
            string data = Inputs.ExistingFile(pr.GetValue(dataset), "--dataset");
            using var saved = SavedModel.Load(modelPath);
            var (view, label, _) = Inputs.LabeledData(saved, data, pr.GetValue(separator), pr.GetValue(labelCol), pr.GetValue(textCol), ct);
            var known = new HashSet<string>(saved.Classes, StringComparer.Ordinal);
            var labels = view.GetColumn<string>(label).ToList();
            var unknown = labels.FirstOrDefault(l => !known.Contains(l));
            if (unknown is not null)
                throw new CliException($"--dataset: label '{unknown}' in {Path.GetFileName(data)} is not one of the model's classes ({string.Join(", ", saved.Classes.Take(10))}).");
            ct.ThrowIfCancellationRequested();
            var metrics = Evaluate(saved, view, label, labels.Count);
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

    /// <summary>
    /// Metrics from ML.NET's evaluators: always micro_accuracy, macro_accuracy, log_loss, log_loss_reduction,
    /// documents; with two classes also accuracy, precision, recall, f1 (the second class positive) and auc.
    /// </summary>
    internal static SortedDictionary<string, double> Evaluate(SavedModel saved, IDataView view, string labelColumn, int documents)
    {
        var ml = saved.Ml;
        var labelled = TextClassifierPipeline.LabelMapping(ml, labelColumn, saved.Classes, saved.Binary).Fit(view).Transform(view);
        var scored = saved.Model.Transform(labelled);
        var m = new SortedDictionary<string, double>(StringComparer.Ordinal) { ["documents"] = documents };
        if (saved.Binary)
        {
            // The chain's last step maps the Boolean PredictedLabel to the class name: evaluate the output of the step before.
            var steps = TextClassifierPipeline.Steps(saved.Model).ToArray();
            var beforeNames = new TransformerChain<ITransformer>(steps[..^1]).Transform(labelled);
            var b = ml.BinaryClassification.Evaluate(beforeNames, TextClassifierPipeline.LabelColumn);
            m["accuracy"] = m["micro_accuracy"] = b.Accuracy;
            m["macro_accuracy"] = b.ConfusionMatrix.PerClassRecall.Average();
            m["precision"] = b.PositivePrecision;
            m["recall"] = b.PositiveRecall;
            m["f1"] = b.F1Score;
            m["auc"] = b.AreaUnderRocCurve;
            m["log_loss"] = b.LogLoss;
            m["log_loss_reduction"] = b.LogLossReduction;
            return m;
        }
        var r = ml.MulticlassClassification.Evaluate(scored, TextClassifierPipeline.LabelColumn);
        m["micro_accuracy"] = r.MicroAccuracy;
        m["macro_accuracy"] = r.MacroAccuracy;
        m["log_loss"] = r.LogLoss;
        m["log_loss_reduction"] = r.LogLossReduction;
        if (saved.Classes.Count == 2)
        {
            // Class 1 positive: counts from ML.NET's confusion matrix, AUC from its binary evaluator over P(class 1).
            var c = r.ConfusionMatrix.Counts;
            double tp = c[1][1], fp = c[0][1], fn = c[1][0];
            double precision = tp + fp == 0 ? 0 : tp / (tp + fp), recall = tp + fn == 0 ? 0 : tp / (tp + fn);
            m["accuracy"] = r.MicroAccuracy;
            m["precision"] = precision;
            m["recall"] = recall;
            m["f1"] = precision + recall == 0 ? 0 : 2 * precision * recall / (precision + recall);
            var rows = scored.GetColumn<uint>(TextClassifierPipeline.LabelColumn)
                .Zip(scored.GetColumn<float[]>("Score"), (k, s) => new BinaryRow { Label = k == 2, Score = s[1], PredictedLabel = s[1] > s[0] }).ToList();
            m["auc"] = rows.Select(x => x.Label).Distinct().Count() == 2
                ? ml.BinaryClassification.EvaluateNonCalibrated(ml.Data.LoadFromEnumerable(rows)).AreaUnderRocCurve
                : double.NaN;
        }
        return m;
    }

    private sealed class BinaryRow
    {
        public bool Label { get; set; }
        public float Score { get; set; }
        public bool PredictedLabel { get; set; }
    }
}
