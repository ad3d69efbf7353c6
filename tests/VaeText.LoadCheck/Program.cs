// Usage: VaeText.LoadCheck <model.zip> <data.tsv>
// Loads the model with plain ML.NET in this process and prints, per row of the TSV (header: label, text), the
// predicted label and the score vector as the hexadecimal bits of each Single, so a caller can compare bit for bit.
// Usage: VaeText.LoadCheck --fit-and-exit <data.tsv>
// Fits a small VaeLatent step, reads its output, and exits without disposing anything (as ML.NET's samples do), so a
// caller can check that the process left no temporary file behind.
using System.Globalization;
using Microsoft.ML;
using Microsoft.ML.Data;

if (args.Length == 2 && args[0] == "--fit-and-exit")
{
    var ml = new MLContext(seed: 1);
    var train = ml.Data.LoadFromTextFile<Row>(args[1], hasHeader: true, separatorChar: '\t');
    var options = new VaeText.MLNet.VaeLatentEstimator.Options { LatentSize = 4, EncoderHiddenSizes = [8], Epochs = 1, MaxVocabularySize = 200 };
    var fitted = ml.Transforms.VaeLatent("Latent", options, "Text").Fit(train);
    Console.WriteLine(fitted.Transform(train).GetColumn<float[]>("Latent").Count());
    return 0;
}
if (args.Length != 2)
{
    Console.Error.WriteLine("usage: VaeText.LoadCheck <model.zip> <data.tsv> | --fit-and-exit <data.tsv>");
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
