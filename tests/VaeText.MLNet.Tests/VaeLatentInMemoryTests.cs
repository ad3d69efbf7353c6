using Microsoft.ML;
using Microsoft.ML.Data;
using NUnit.Framework;
using VaeText.MLNet.Tests.Support;

namespace VaeText.MLNet.Tests;

public class VaeLatentInMemoryTests
{
    internal static VaeLatentEstimator.Options Small(int latent = 4) => new()
    {
        LatentSize = latent, EncoderHiddenSizes = [16], Epochs = 3, BatchSize = 32, MaxVocabularySize = 500, MaxThreads = 2,
    };

    [Test]
    public void FitTransformMatchesTheEngine()
    {
        var ml = new MLContext(seed: 1);
        var data = ml.Data.LoadFromTextFile<Review>(Datasets.Sample("train.tsv"), hasHeader: true, separatorChar: '\t');
        var est = ml.Transforms.VaeLatent("Latent", Small(), "Text");
        using var t = est.Fit(data);
        var outData = t.Transform(data);
        var latent = outData.GetColumn<float[]>("Latent").ToArray();
        var texts = data.GetColumn<string>("Text").ToArray();
        var engine = t.EncodeMeans(texts, 1);
        Assert.That(latent.Length, Is.EqualTo(texts.Length));
        for (int i = 0; i < texts.Length; i++)
            Assert.That(latent[i], Is.EqualTo(engine.AsSpan(i * 4, 4).ToArray()).Within(1e-5));
        Assert.That(outData.Schema["Latent"].Type, Is.InstanceOf<VectorDataViewType>());
        Assert.That(((VectorDataViewType)outData.Schema["Latent"].Type).Size, Is.EqualTo(4));
        Assert.That(outData.Schema.Select(c => c.Name).Where(n => n.StartsWith("__VaeText", StringComparison.Ordinal)), Is.Empty, "internal columns are dropped");
        Assert.That(VaeLatentTransformer.Find(t), Is.SameAs(t));
    }
}
