// Usage: VaeText.LoadCheck <model.zip> <data.tsv>
// Loads the model with plain ML.NET in this process and prints, per row of the TSV (header: label, text), the
// predicted label and the score vector as the hexadecimal bits of each Single, so a caller can compare bit for bit.
using System.Globalization;
using Microsoft.ML;
using Microsoft.ML.Data;

if (args.Length != 2)
{
    Console.Error.WriteLine("usage: VaeText.LoadCheck <model.zip> <data.tsv>");
    return 2;
}
var mlContext = new MLContext();
ITransformer model = mlContext.Model.Load(args[0], out _);
IDataView data = mlContext.Data.LoadFromTextFile<Row>(args[1], hasHeader: true, separatorChar: '\t');
var output = model.Transform(data);
var labels = output.GetColumn<string>("PredictedLabel").ToArray();
var scores = output.GetColumn<float[]>("Score").ToArray();
for (int i = 0; i < labels.Length; i++)
    Console.WriteLine(labels[i] + "\t" + string.Join(' ', scores[i].Select(v => BitConverter.SingleToInt32Bits(v).ToString("x8", CultureInfo.InvariantCulture))));
(model as IDisposable)?.Dispose();
return 0;

/// <summary>A row of the TSV: label, text.</summary>
internal sealed class Row
{
    [LoadColumn(0)] public string Label { get; set; } = "";
    [LoadColumn(1)] public string Text { get; set; } = "";
}
