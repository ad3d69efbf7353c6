using NUnit.Framework;
using VaeText.Data;
using VaeText.Tests.Pipeline;
using VaeText.Training;
using VaeText.Transforms;

namespace VaeText.Tests.Seq;

public class VaeLatentLstmDecoderTests
{
    [Test]
    public void VaeLatentWithLstmDecoderSavesLoadsAndWrites()
    {
        var ctx = new VaeTextContext(3);
        var data = ctx.Data.LoadFromEnumerable(Workout.Reviews);
        var est = ctx.Transforms.VaeLatent(new VaeLatentEstimator.Options
        {
            OutputColumnName = "Latent", InputColumnName = "Text", Encoder = VaeLatentEstimator.EncoderKind.Transformer,
            Decoder = VaeLatentEstimator.DecoderKind.LstmAutoregressive, LatentSize = 3, Epochs = 2, BatchSize = 4,
            MaxSequenceLength = 6, EmbeddingSize = 8, TransformerLayers = 1, AttentionHeads = 2, FeedForwardSize = 10, DecoderHiddenSize = 6,
            ReconstructionErrorColumnName = "Recon", TrackActiveUnits = true,
        });
        var epochs = new List<VaeEpochReport>();
        est.Fit(data, new SyncProgress(epochs), null, CancellationToken.None);
        Assert.That(epochs, Has.Count.EqualTo(2));
        Assert.That(epochs.All(e => e.ActiveUnits is >= 0 and <= 3 && e.Kl > 0));
        var m = (VaeLatentTransformer)Workout.Run(est, data);
        Assert.That(m.Decoder, Is.EqualTo(VaeLatentEstimator.DecoderKind.LstmAutoregressive));
        Assert.That(m.CanGenerate);
        var rows = Workout.ReadAll(m.Transform(data));
        Assert.That((float)rows[0][3], Is.GreaterThan(0f));
        var ms = new MemoryStream();
        ctx.Model.Save(m, data.Schema, ms);
        var back = VaeLatentTransformer.Find(new VaeTextContext(9).Model.Load(new MemoryStream(ms.ToArray()), out _))!;
        Assert.That(back, Is.Not.Null);
        Assert.That(VaeLatentTransformer.Find(new TransformerChain<ITransformer>(m, new TransformerChain<ITransformer>())), Is.SameAs(m));
        Assert.That(back.CanGenerate);
        var words = new HashSet<string>(Enumerable.Range(0, m.VocabularySize).Select(i => m.Vocabulary[i]));
        var samples = m.Sample(4, 0.8, seed: 2);
        Assert.That(back.Sample(4, 0.8, seed: 2), Is.EqualTo(samples));
        Assert.That(samples.SelectMany(s => s.Split(' ', StringSplitOptions.RemoveEmptyEntries)).All(words.Contains));
        Assert.That(back.Reconstruct("a great movie"), Is.EqualTo(m.Reconstruct("a great movie")));
        var path = m.Interpolate("a great movie", "bad plot", 3);
        Assert.That(path, Has.Count.EqualTo(4));
        Assert.That(path[0], Is.EqualTo(m.Reconstruct("a great movie")));
        var top = m.TopWords(3);
        Assert.That(top, Has.Count.EqualTo(3));
        Assert.That(top.All(t => t.Count == 3 && t.All(words.Contains)));
        Assert.Throws<ArgumentOutOfRangeException>(() => m.Sample(-1));
        Assert.Throws<ArgumentOutOfRangeException>(() => m.Sample(1, double.NaN));
        // A bag-of-words model says clearly that it cannot write.
        var bow = (VaeLatentTransformer)ctx.Transforms.VaeLatent(new VaeLatentEstimator.Options { OutputColumnName = "Latent", InputColumnName = "Text", LatentSize = 2, EncoderHiddenSizes = [4], Epochs = 1 }).Fit(data);
        Assert.That(bow.CanGenerate, Is.False);
        var ex = Assert.Throws<InvalidOperationException>(() => bow.Sample(1));
        Assert.That(ex!.Message, Does.Contain("LstmAutoregressive"));
    }

    private sealed class SyncProgress(List<VaeEpochReport> list) : IProgress<VaeEpochReport>
    {
        public void Report(VaeEpochReport value) => list.Add(value);
    }
}
