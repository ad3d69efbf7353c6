using NUnit.Framework;
using VaeText.Tests.Reliability;
using VaeText.Models;
using VaeText.Text;
using VaeText.Training;

namespace VaeText.Tests.Training;

/// <summary>NaN / ∞ during training: the run stops naming epoch and batch and keeps the last good checkpoint.</summary>
[NonParallelizable]
public class DivergenceTests
{
    private static VaeTrainingOptions Exploding(string? ck = null) => new() { Epochs = 3, BatchSize = 16, LearningRate = 1e30, Seed = 2, MaxThreads = 1, CheckpointDirectory = ck };

    [Test]
    public void AHugeLearningRateStopsNamingEpochAndBatchAndKeepsTheLastGoodCheckpoint()
    {
        var x = VaeTrainerTests.Fixture();
        var m = new BowVae(new BowVaeOptions { VocabularySize = 30, EncoderHiddenSizes = [8], LatentSize = 2, Seed = 1 }, x);
        var dir = CheckpointTests.TempDir();
        try
        {
            var ex = Assert.Throws<InvalidOperationException>(() => new VaeTrainer(Exploding(dir)).Train(m, x))!;
            Assert.That(ex.Message, Does.Match(@"diverged: .* at epoch \d+, batch \d+ \(step \d+\)"));
            // No checkpoint holds the diverged state: the checkpoint folder has none (divergence came before the first epoch end) or a finite one.
            var files = Directory.GetFiles(dir);
            Assert.That(files.Where(f => f.EndsWith(".tmp")), Is.Empty);
        }
        finally { Directory.Delete(dir, true); }
    }

    [Test]
    public void RecoveryLowersTheLearningRateAndRetriesTheEpochDeterministically()
    {
        var x = VaeTrainerTests.Fixture();
        BowVae Model() => new(new BowVaeOptions { VocabularySize = 30, EncoderHiddenSizes = [8], LatentSize = 2, Seed = 1 }, x);
        VaeTrainingOptions Opts(int retries) { var o = Exploding(); o.DivergenceRetries = retries; o.DivergenceLearningRateFactor = 1e-3; return o; }

        var limited = Assert.Throws<InvalidOperationException>(() => new VaeTrainer(Opts(2)).Train(Model(), x))!;
        Assert.That(limited.Message, Does.Contain("after 2 learning-rate reductions").And.Match(@"epoch \d+, batch \d+"));

        var m1 = Model();
        var r1 = new VaeTrainer(Opts(12)).Train(m1, x);
        Assert.That(r1.Epochs, Has.Count.EqualTo(3));
        Assert.That(r1.Epochs.All(e => double.IsFinite(e.Elbo)));
        Assert.That(m1.Parameters.Values.All(float.IsFinite));
        var m2 = Model();
        new VaeTrainer(Opts(12)).Train(m2, x);
        Assert.That(m2.Parameters.Values, Is.EqualTo(m1.Parameters.Values), "recovery is deterministic");
    }

    [Test]
    public void TheRetryLimitHoldsAfterResumingMidEpoch()
    {
        // A checkpoint taken inside the epoch (cancelled before its first batch) becomes the rollback point on resume;
        // rolling back to it must not reset the count of retries already used.
        var x = VaeTrainerTests.Fixture();
        BowVae Model() => new(new BowVaeOptions { VocabularySize = 30, EncoderHiddenSizes = [8], LatentSize = 2, Seed = 1 }, x);
        var dir = CheckpointTests.TempDir();
        try
        {
            VaeTrainingOptions Opts(bool resume) { var o = Exploding(dir); o.DivergenceRetries = 2; o.DivergenceLearningRateFactor = 1e-3; o.Resume = resume; return o; }
            using (var cts = new CancellationTokenSource())
            {
                cts.Cancel();
                Assert.Throws<OperationCanceledException>(() => new VaeTrainer(Opts(false)).Train(Model(), x, null, null, cts.Token));
            }
            Assert.That(File.Exists(TrainingCheckpoint.PathIn(dir)), "a checkpoint inside epoch 1");
            var ex = Assert.Throws<InvalidOperationException>(() => new VaeTrainer(Opts(true)).Train(Model(), x))!;
            Assert.That(ex.Message, Does.Contain("after 2 learning-rate reductions"));
        }
        finally { Directory.Delete(dir, true); }
    }
}
