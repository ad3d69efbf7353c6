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

    [Test]
    public void ResumingWithMoreEpochsEqualsTrainingThemFromScratch()
    {
        // Fit 1 epoch with a checkpoint, then fit 3 epochs resuming from it: the latent means equal a 3-epoch fit.
        var ml = new MLContext(seed: 1);
        var data = ml.Data.LoadFromTextFile<Review>(Datasets.Sample("train.tsv"), hasHeader: true, separatorChar: '\t');
        var texts = data.GetColumn<string>("Text").ToArray();
        using var scratch = ml.Transforms.VaeLatent("Latent", Small(), "Text").Fit(data);
        var dir = Path.Combine(Path.GetTempPath(), "vt_continue_" + Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(dir);
        try
        {
            var first = Small();
            first.Epochs = 1;
            first.CheckpointDirectory = dir;
            using var one = ml.Transforms.VaeLatent("Latent", first, "Text").Fit(data);
            var more = Small();
            more.CheckpointDirectory = dir;
            more.Resume = true;
            int epochsTrained = 0;
            more.Progress = new Progress(() => epochsTrained++);
            using var three = ml.Transforms.VaeLatent("Latent", more, "Text").Fit(data);
            Assert.That(epochsTrained, Is.EqualTo(2), "only epochs 2 and 3 are trained");
            Assert.That(three.EncodeMeans(texts, 1), Is.EqualTo(scratch.EncodeMeans(texts, 1)), "bit for bit");
            Assert.That(one.EncodeMeans(texts, 1), Is.Not.EqualTo(scratch.EncodeMeans(texts, 1)));
        }
        finally { Directory.Delete(dir, true); }
    }

    private sealed class Progress(Action onEpoch) : IProgress<VaeText.Training.VaeEpochReport>
    {
        public void Report(VaeText.Training.VaeEpochReport value) => onEpoch();
    }
}
