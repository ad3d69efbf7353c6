using Microsoft.ML;
using NUnit.Framework;
using VaeText.MLNet.Tests.Support;

namespace VaeText.MLNet.Tests;

/// <summary>The README / issue example: VaeLatent inside an ML.NET pipeline with n-grams and SDCA.</summary>
public class IssueExampleTests
{
    [Test]
    public void ExampleFitsAndEvaluatesOnTheSample()
    {
        var mlContext = new MLContext(seed: 1);
        IDataView train = mlContext.Data.LoadFromTextFile<Review>(Datasets.Sample("train.tsv"), hasHeader: true, separatorChar: '\t');
        IDataView test = mlContext.Data.LoadFromTextFile<Review>(Datasets.Sample("test.tsv"), hasHeader: true, separatorChar: '\t');
        var pipeline = mlContext.Transforms.Conversion.MapValueToKey("Label")
            .Append(mlContext.Transforms.VaeLatent(outputColumnName: "Latent", inputColumnName: "Text"))
            .Append(mlContext.Transforms.Text.FeaturizeText("NGrams", "Text"))
            .Append(mlContext.Transforms.Concatenate("Features", "Latent", "NGrams"))
            .AppendCacheCheckpoint(mlContext)
            .Append(mlContext.MulticlassClassification.Trainers.SdcaMaximumEntropy())
            .Append(mlContext.Transforms.Conversion.MapKeyToValue("PredictedLabel"));
        ITransformer model = pipeline.Fit(train);
        var metrics = mlContext.MulticlassClassification.Evaluate(model.Transform(test));
        Assert.That(metrics.MacroAccuracy, Is.GreaterThan(0.8), "the sample's classes are easy to tell apart");
        var vae = VaeLatentTransformer.Find(model);
        Assert.That(vae, Is.Not.Null);
        Assert.That(vae!.LatentSize, Is.EqualTo(VaeLatentEstimator.Defaults.LatentSize));
        (model as IDisposable)?.Dispose();
    }
}
