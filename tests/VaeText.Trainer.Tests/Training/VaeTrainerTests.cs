using NUnit.Framework;
using VaeText.Core;
using VaeText.Models;
using VaeText.Tensors;
using VaeText.Training;

namespace VaeText.Tests.Training;

public class VaeTrainerTests
{
    /// <summary>A tiny topical corpus: 3 topics over 30 words, 120 documents, seeded.</summary>
    internal static CsrMatrix Fixture(int docs = 120, int vocab = 30, int seed = 5)
    {
        var r = new Rng(seed);
        var ptr = new List<int> { 0 }; var idx = new List<int>(); var val = new List<float>();
        for (int d = 0; d < docs; d++)
        {
            int topic = d % 3;
            var counts = new SortedDictionary<int, float>();
            int len = 5 + r.NextInt(15);
            for (int t = 0; t < len; t++)
            {
                int w = r.NextDouble() < 0.8 ? topic * (vocab / 3) + r.NextInt(vocab / 3) : r.NextInt(vocab);
                counts[w] = counts.GetValueOrDefault(w) + 1;
            }
            foreach (var (k, v) in counts) { idx.Add(k); val.Add(v); }
            ptr.Add(idx.Count);
        }
        return new CsrMatrix(docs, vocab, ptr.ToArray(), idx.ToArray(), val.ToArray());
    }

    private static BowVaeOptions ModelOptions(int vocab = 30) => new() { VocabularySize = vocab, EncoderHiddenSizes = new[] { 16, 16 }, LatentSize = 4, Seed = 3 };

    private static VaeTrainingOptions TrainOptions() => new() { Epochs = 6, BatchSize = 16, LearningRate = 5e-3, AnnealingSteps = 20, Seed = 9, MaxThreads = 2 };

    [Test]
    public void FewStepsPinnedAndLossDecreases()
    {
        var x = Fixture();
        var model = new BowVae(ModelOptions(), x);
        var batches = new List<VaeBatchReport>();
        var result = new VaeTrainer(TrainOptions()).Train(model, x, null, batches.Add);
        Assert.That(result.Epochs.Count, Is.EqualTo(6));
        Assert.That(batches.Count, Is.EqualTo(6 * 8));
        Assert.That(result.Steps, Is.EqualTo(48));
        var first = result.Epochs[0]; var last = result.Epochs[^1];
        TestContext.Out.WriteLine($"first recon {first.Reconstruction:R} kl {first.Kl:R}; last recon {last.Reconstruction:R} kl {last.Kl:R} ppl {last.Perplexity:R}");
        Assert.That(last.Reconstruction, Is.LessThan(first.Reconstruction - 1));
        Assert.That(last.Elbo, Is.GreaterThan(first.Elbo));
        Assert.That(first.Reconstruction, Is.EqualTo(PinnedFirstRecon).Within(1e-3));
        Assert.That(last.Reconstruction, Is.EqualTo(PinnedLastRecon).Within(1e-3));
        Assert.That(last.Kl, Is.EqualTo(PinnedLastKl).Within(1e-3));
        Assert.That(batches[0].Beta, Is.EqualTo(0));
        Assert.That(batches[^1].Beta, Is.EqualTo(1));
        // perplexity is exp(Σrecon/Σtokens)
        double tokens = x.Values.Sum();
        Assert.That(last.Perplexity, Is.EqualTo(Math.Exp(last.Reconstruction * 120 / tokens)).Within(1e-6 * last.Perplexity));
    }

    private const double PinnedFirstRecon = 43.96633;
    private const double PinnedLastRecon = 42.23850;
    private const double PinnedLastKl = 0.46687;

    [Test]
    public void SameSeedAndThreadsGiveIdenticalBytes()
    {
        var x = Fixture();
        byte[] Run()
        {
            var m = new BowVae(ModelOptions(), x);
            var o = TrainOptions(); o.Epochs = 2;
            new VaeTrainer(o).Train(m, x);
            var p = m.GetParameters();
            var bytes = new byte[p.Length * 4];
            Buffer.BlockCopy(p, 0, bytes, 0, bytes.Length);
            return bytes;
        }
        var a = Run(); var b = Run();
        Assert.That(b, Is.EqualTo(a));
        var m2 = new BowVae(ModelOptions(), x);
        Assert.That(m2.GetParameters(), Is.Not.EqualTo(new BowVae(new BowVaeOptions { VocabularySize = 30, EncoderHiddenSizes = new[] { 16, 16 }, LatentSize = 4, Seed = 4 }, x).GetParameters()));
    }

    /// <summary>
    /// The same model on one thread (the decoder's bias gradient summed inside the softmax pass) and on three (the rows
    /// of a batch in parallel chunks, the bias gradient summed after).
    /// </summary>
    [Test]
    public void TrainingGivesTheSameModelOnAnyThreadCount()
    {
        var x = Fixture(docs: 200);
        float[] Run(int threads)
        {
            var m = new BowVae(ModelOptions(), x);
            var o = TrainOptions(); o.Epochs = 2; o.BatchSize = 48; o.MaxThreads = threads;
            new VaeTrainer(o).Train(m, x);
            return m.GetParameters();
        }
        var one = Run(1);
        Assert.That(Run(3), Is.EqualTo(one));
        Assert.That(one, Is.Not.EqualTo(new BowVae(ModelOptions(), x).GetParameters()), "it trained");
    }

    [Test]
    public void EncodeIsThreadCountIndependentAndDetailedIsConsistent()
    {
        var x = Fixture(docs: 2100);
        var m = new BowVae(ModelOptions(), x);
        var a = m.Encode(x, 1);
        var b = m.Encode(x, 3);
        Assert.That(b, Is.EqualTo(a));
        var d = m.EncodeDetailed(x, 2);
        Assert.That(d.Means, Is.EqualTo(a));
        Assert.That(d.Kl.All(k => k >= 0) && d.ReconstructionError.All(r => r > 0));
        Assert.That(d.NegativeElbo(5), Is.EqualTo(d.Kl[5] + d.ReconstructionError[5]));
        var top = m.TopWordIds(1, 5);
        var w = m.GetDecoderWeights();
        Assert.That(top.Length, Is.EqualTo(5));
        for (int i = 1; i < 5; i++) Assert.That(w[top[i - 1] * 4 + 1], Is.GreaterThanOrEqualTo(w[top[i] * 4 + 1]));
        Assert.That(Enumerable.Range(0, 30).Max(v => w[v * 4 + 1]), Is.EqualTo(w[top[0] * 4 + 1]));
    }

    [Test]
    public void ValidationAndEarlyStoppingRestoreBest()
    {
        var x = Fixture();
        var m = new BowVae(ModelOptions(), x);
        var o = TrainOptions(); o.Epochs = 40; o.ValidationFraction = 0.25; o.EarlyStoppingPatience = 2; o.LearningRate = 0.05;
        var reports = new List<VaeEpochReport>();
        var progress = new SyncProgress(reports);
        var res = new VaeTrainer(o).Train(m, x, progress);
        Assert.That(reports.Count, Is.EqualTo(res.Epochs.Count));
        Assert.That(res.Epochs.All(e => e.ValidationElbo.HasValue && e.Documents == 90));
        var best = res.Epochs.MaxBy(e => e.ValidationElbo!.Value)!;
        Assert.That(res.BestEpoch, Is.EqualTo(best.Epoch));
        // the model holds the best epoch's parameters: its validation ELBO is the best one
        var valid = ValidationRows(x.Rows, 0.25, o.Seed);
        var (r, k, _) = VaeTrainer.Evaluate(m.Network, x, valid, rows => new VaeText.Nn.CsrBatch(x, rows), 1);
        Assert.That(-(r + k) / valid.Length, Is.EqualTo(best.ValidationElbo!.Value).Within(1e-9));
        if (res.StoppedEarly) Assert.That(res.Epochs.Count, Is.LessThan(40));
    }

    private static int[] ValidationRows(int n, double fraction, int seed)
    {
        var master = new Rng(seed);
        var split = master.Fork();
        var all = Enumerable.Range(0, n).ToArray();
        split.Shuffle(all.AsSpan());
        int nv = (int)Math.Floor(n * fraction);
        var v = all.AsSpan(n - nv).ToArray();
        Array.Sort(v);
        return v;
    }

    private sealed class SyncProgress(List<VaeEpochReport> sink) : IProgress<VaeEpochReport>
    {
        public void Report(VaeEpochReport value) => sink.Add(value);
    }

    [Test]
    public void CancellationBetweenBatchesLeavesUsableModel()
    {
        var x = Fixture();
        var m = new BowVae(ModelOptions(), x);
        using var cts = new CancellationTokenSource();
        float[]? afterThird = null;
        Assert.Throws<OperationCanceledException>(() => new VaeTrainer(TrainOptions()).Train(m, x, null, b =>
        {
            if (b.Step == 3) { cts.Cancel(); afterThird = m.GetParameters(); }
        }, cts.Token));
        Assert.That(m.GetParameters(), Is.EqualTo(afterThird));
        Assert.That(m.Encode(x).All(float.IsFinite));
    }

    [Test]
    public void NonFiniteLossNamesEpochAndBatch()
    {
        var x = Fixture();
        var m = new BowVae(ModelOptions(), x);
        var p = m.GetParameters();
        var slice = m.Parameters.Slices.First(s => s.Name == "decoder.bias");
        p[slice.Offset] = float.MaxValue;
        p.CopyTo(m.Parameters.Values, 0);
        m.Parameters.Values[slice.Offset + 1] = float.PositiveInfinity;
        var ex = Assert.Throws<InvalidOperationException>(() => new VaeTrainer(TrainOptions()).Train(m, x));
        Assert.That(ex!.Message, Does.Contain("epoch 1, batch 0"));
    }

    [Test]
    public void OptionsAreValidatedWithClearMessages()
    {
        Assert.That(Assert.Throws<ArgumentOutOfRangeException>(() => new BowVae(new BowVaeOptions { VocabularySize = 10, LatentSize = 0 }))!.Message, Does.Contain("LatentSize"));
        Assert.That(Assert.Throws<ArgumentOutOfRangeException>(() => new BowVae(new BowVaeOptions { VocabularySize = 0 }))!.Message, Does.Contain("VocabularySize"));
        Assert.That(Assert.Throws<ArgumentOutOfRangeException>(() => new BowVae(new BowVaeOptions { VocabularySize = 5, EncoderHiddenSizes = Array.Empty<int>() }))!.Message, Does.Contain("EncoderHiddenSizes"));
        Assert.That(Assert.Throws<ArgumentOutOfRangeException>(() => new VaeTrainer(new VaeTrainingOptions { BatchSize = 0 }))!.Message, Does.Contain("BatchSize"));
        Assert.That(Assert.Throws<ArgumentOutOfRangeException>(() => new VaeTrainer(new VaeTrainingOptions { LearningRate = double.NaN }))!.Message, Does.Contain("LearningRate"));
        Assert.That(Assert.Throws<ArgumentOutOfRangeException>(() => new VaeTrainer(new VaeTrainingOptions { LearningRate = -1 }))!.Message, Does.Contain("LearningRate"));
        Assert.That(Assert.Throws<ArgumentOutOfRangeException>(() => new VaeTrainer(new VaeTrainingOptions { ValidationFraction = 1 }))!.Message, Does.Contain("ValidationFraction"));
        var x = Fixture();
        Assert.Throws<ArgumentException>(() => new VaeTrainer(new VaeTrainingOptions()).Train(new BowVae(ModelOptions(31)), x));
    }
}

