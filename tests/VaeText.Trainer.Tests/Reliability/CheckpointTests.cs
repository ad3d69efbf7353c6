using NUnit.Framework;
using VaeText.Models;
using VaeText.Tensors;
using VaeText.Tests.Training;
using VaeText.Training;

namespace VaeText.Tests.Reliability;

/// <summary>Checkpoints and resume of <see cref="VaeTrainer"/>: bit-identical to an uninterrupted run.</summary>
public class CheckpointTests
{
    private static BowVaeOptions ModelOptions() => new() { VocabularySize = 30, EncoderHiddenSizes = new[] { 16 }, LatentSize = 4, EncoderDropout = 0.1, Seed = 3 };

    private static VaeTrainingOptions Options(string? dir, int every = 0, bool resume = false, bool early = false) => new()
    {
        Epochs = 5, BatchSize = 16, LearningRate = 5e-3, AnnealingSteps = 20, Seed = 9, MaxThreads = 2,
        ValidationFraction = early ? 0.25 : 0, EarlyStoppingPatience = early ? 2 : 0,
        CheckpointDirectory = dir, CheckpointEveryBatches = every, Resume = resume,
    };

    internal static string TempDir()
    {
        var d = Path.Combine(Path.GetTempPath(), "vt_rel_" + Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(d);
        return d;
    }

    private static (float[] Params, VaeTrainingResult Result) Uninterrupted(CsrMatrix x, bool early)
    {
        var m = new BowVae(ModelOptions(), x);
        var r = new VaeTrainer(Options(null, early: early)).Train(m, x);
        return (m.Parameters.Values.ToArray(), r);
    }

    [TestCase(3, 0, false)]   // cancelled mid-epoch, checkpoint written on cancellation
    [TestCase(8, 0, false)]   // cancelled exactly at an epoch boundary (8 batches per epoch)
    [TestCase(13, 5, false)]  // periodic checkpoints every 5 steps too
    [TestCase(11, 0, true)]   // with validation split and early-stopping state
    public void CancelledThenResumedRunIsBitIdentical(int cancelAfter, int every, bool early)
    {
        var x = VaeTrainerTests.Fixture();
        var (expected, expectedResult) = Uninterrupted(x, early);
        var dir = TempDir();
        try
        {
            var m1 = new BowVae(ModelOptions(), x);
            using var cts = new CancellationTokenSource();
            int seen = 0;
            Assert.Throws<OperationCanceledException>(() => new VaeTrainer(Options(dir, every, early: early))
                .Train(m1, x, null, b => { if (++seen == cancelAfter) cts.Cancel(); }, cts.Token));
            Assert.That(File.Exists(Path.Combine(dir, TrainingCheckpoint.FileName)));
            Assert.That(Directory.GetFiles(dir), Has.Length.EqualTo(1), "no temporary files are left behind");

            var m2 = new BowVae(ModelOptions(), x);
            var resumed = new VaeTrainer(Options(dir, every, resume: true, early: early)).Train(m2, x);
            Assert.That(m2.Parameters.Values, Is.EqualTo(expected), "resumed parameters equal the uninterrupted run bit for bit");
            Assert.That(resumed.Steps, Is.EqualTo(expectedResult.Steps));
            Assert.That(resumed.BestEpoch, Is.EqualTo(expectedResult.BestEpoch));
            Assert.That(resumed.StoppedEarly, Is.EqualTo(expectedResult.StoppedEarly));
            Assert.That(resumed.Epochs.Select(e => e.Elbo), Is.EqualTo(expectedResult.Epochs.Select(e => e.Elbo)));
        }
        finally { Directory.Delete(dir, true); }
    }

    [Test]
    public void CheckpointingDoesNotChangeTheResultAndResumingAFinishedRunIsANoOp()
    {
        var x = VaeTrainerTests.Fixture();
        var (expected, _) = Uninterrupted(x, false);
        var dir = TempDir();
        try
        {
            var m1 = new BowVae(ModelOptions(), x);
            new VaeTrainer(Options(dir, every: 3)).Train(m1, x);
            Assert.That(m1.Parameters.Values, Is.EqualTo(expected));
            var m2 = new BowVae(ModelOptions(), x);
            int batches = 0;
            var r = new VaeTrainer(Options(dir, resume: true)).Train(m2, x, null, _ => batches++);
            Assert.That(batches, Is.EqualTo(0));
            Assert.That(r.Epochs, Has.Count.EqualTo(5));
            Assert.That(m2.Parameters.Values, Is.EqualTo(expected));
        }
        finally { Directory.Delete(dir, true); }
    }

    [Test]
    public void AFinishedRunContinuesToMoreEpochsBitIdentically()
    {
        // 5 epochs from scratch is the reference; 2 epochs with a checkpoint, then resumed with Epochs = 5, must equal it.
        var x = VaeTrainerTests.Fixture();
        var (expected, expectedResult) = Uninterrupted(x, false);
        var dir = TempDir();
        try
        {
            var shortOptions = Options(dir);
            shortOptions.Epochs = 2;
            var m1 = new BowVae(ModelOptions(), x);
            var first = new VaeTrainer(shortOptions).Train(m1, x);
            Assert.That(first.Epochs, Has.Count.EqualTo(2));
            Assert.That(m1.Parameters.Values, Is.Not.EqualTo(expected), "two epochs are not five");

            var m2 = new BowVae(ModelOptions(), x);
            int batches = 0;
            var continued = new VaeTrainer(Options(dir, resume: true)).Train(m2, x, null, _ => batches++);
            Assert.That(batches, Is.EqualTo(3 * 8), "only epochs 3-5 are trained (8 batches each)");
            Assert.That(m2.Parameters.Values, Is.EqualTo(expected), "2 + 3 epochs equal 5 epochs bit for bit");
            Assert.That(continued.Steps, Is.EqualTo(expectedResult.Steps));
            Assert.That(continued.Epochs.Select(e => e.Elbo), Is.EqualTo(expectedResult.Epochs.Select(e => e.Elbo)));

            // The 5-epoch checkpoint cannot be "resumed" into a 3-epoch run: the error says why.
            var fewer = Options(dir, resume: true);
            fewer.Epochs = 3;
            var e = Assert.Throws<InvalidDataException>(() => new VaeTrainer(fewer).Train(new BowVae(ModelOptions(), x), x));
            Assert.That(e!.Message, Does.Contain("trained 5 epochs, more than this run's 3"));
        }
        finally { Directory.Delete(dir, true); }
    }

    [Test]
    public void ALastEpochOnlyCheckpointIsWrittenAtTheEndAndContinuesBitIdentically()
    {
        var x = VaeTrainerTests.Fixture();
        var (expected, _) = Uninterrupted(x, false);
        foreach (bool lastOnly in new[] { false, true })
        {
            var dir = TempDir();
            try
            {
                var o = Options(dir);
                o.Epochs = 2;
                o.CheckpointLastEpochOnly = lastOnly;
                // After each batch: is there a checkpoint yet? Epoch 2's batches (9-16) see epoch 1's, unless last-only.
                var seen = new List<bool>();
                new VaeTrainer(o).Train(new BowVae(ModelOptions(), x), x, null, _ => seen.Add(File.Exists(TrainingCheckpoint.PathIn(dir))));
                Assert.That(seen, Has.Count.EqualTo(16));
                Assert.That(seen.Take(8), Has.All.False);
                Assert.That(seen.Skip(8), lastOnly ? Has.All.False : Has.All.True);
                Assert.That(File.Exists(TrainingCheckpoint.PathIn(dir)), "the last epoch's checkpoint is written either way");

                var m = new BowVae(ModelOptions(), x);
                new VaeTrainer(Options(dir, resume: true)).Train(m, x);
                Assert.That(m.Parameters.Values, Is.EqualTo(expected), "2 + 3 epochs equal 5 epochs bit for bit");
            }
            finally { Directory.Delete(dir, true); }
        }
    }

    [Test]
    public void ResumeRejectsMissingCorruptAndForeignCheckpoints()
    {
        var x = VaeTrainerTests.Fixture();
        var dir = TempDir();
        try
        {
            var missing = Assert.Throws<FileNotFoundException>(() => new VaeTrainer(Options(dir, resume: true)).Train(new BowVae(ModelOptions(), x), x))!;
            Assert.That(missing.Message, Does.Contain("no checkpoint").And.Contain(dir));

            using (var cts = new CancellationTokenSource())
            {
                int seen = 0;
                Assert.Throws<OperationCanceledException>(() => new VaeTrainer(Options(dir)).Train(new BowVae(ModelOptions(), x), x, null, _ => { if (++seen == 4) cts.Cancel(); }, cts.Token));
            }
            string path = Path.Combine(dir, TrainingCheckpoint.FileName);
            var good = File.ReadAllBytes(path);

            // Different settings (seed), different data, different model: fingerprint mismatch.
            var o = Options(dir, resume: true); o.Seed = 10;
            var foreign = Assert.Throws<InvalidDataException>(() => new VaeTrainer(o).Train(new BowVae(ModelOptions(), x), x))!;
            Assert.That(foreign.Message, Does.Contain("different training run").And.Contain("seed 9").And.Contain("seed 10"));
            var x2 = VaeTrainerTests.Fixture(seed: 6);
            Assert.That(Assert.Throws<InvalidDataException>(() => new VaeTrainer(Options(dir, resume: true)).Train(new BowVae(ModelOptions(), x2), x2))!.Message, Does.Contain("different training run"));
            var mo = ModelOptions(); mo.LatentSize = 5;
            Assert.That(Assert.Throws<InvalidDataException>(() => new VaeTrainer(Options(dir, resume: true)).Train(new BowVae(mo, x), x))!.Message, Does.Contain("different training run"));

            // Bit flip, truncation, empty file, foreign file.
            foreach (var bad in new[] { Flip(good, good.Length / 2), good[..(good.Length - 10)], Array.Empty<byte>(), "hello"u8.ToArray(), Flip(good, 3) })
            {
                File.WriteAllBytes(path, bad);
                var e = Assert.Throws<InvalidDataException>(() => new VaeTrainer(Options(dir, resume: true)).Train(new BowVae(ModelOptions(), x), x))!;
                Assert.That(e.Message, Does.Contain(path));
            }
            Assert.Throws<ArgumentException>(() => new VaeTrainer(new VaeTrainingOptions { Resume = true }));
        }
        finally { Directory.Delete(dir, true); }
    }

    [Test]
    public void SequenceVaeWithLstmDecoderResumesBitIdentically()
    {
        string[] words = ["team", "goal", "match", "phone", "chip", "market", "vote", "rain"];
        var rng = new VaeText.Core.Rng(3);
        var texts = Enumerable.Range(0, 48).Select(_ => string.Join(' ', Enumerable.Range(0, 3 + rng.NextInt(6)).Select(_ => words[rng.NextInt(words.Length)]))).ToList();
        var tok = new VaeText.Text.TokenizerOptions();
        VaeText.Text.BagOfWords.Fit(texts, tok, null, out var vocab, out var counts, 1);
        var ids = VaeText.Models.SeqTokens.EncodeAll(texts, new VaeText.Text.Tokenizer(tok), vocab, 8);
        VaeText.Models.SeqVae Model() => new(new VaeText.Models.SeqVaeOptions
        {
            VocabularySize = vocab.Count, Encoder = VaeText.Models.SeqEncoderKind.Lstm, EmbeddingSize = 8, HiddenSize = 8, LatentSize = 2, MaxLength = 8,
            Decoder = VaeText.Models.SeqDecoderKind.Lstm, DecoderHiddenSize = 8, WordDropout = 0.3, Seed = 5,
        }, counts);
        VaeTrainingOptions Opts(string? dir, bool resume = false) => new() { Epochs = 3, BatchSize = 8, LearningRate = 5e-3, AnnealingSteps = 10, Seed = 5, MaxThreads = 1, CheckpointDirectory = dir, Resume = resume };
        var reference = Model();
        new VaeTrainer(Opts(null)).Train(reference, ids, counts);
        var dir = TempDir();
        try
        {
            using var cts = new CancellationTokenSource();
            int seen = 0;
            Assert.Throws<OperationCanceledException>(() => new VaeTrainer(Opts(dir)).Train(Model(), ids, counts, null, b => { if (++seen == 8) cts.Cancel(); }, cts.Token));
            var resumed = Model();
            new VaeTrainer(Opts(dir, resume: true)).Train(resumed, ids, counts);
            Assert.That(resumed.GetParameters(), Is.EqualTo(reference.GetParameters()));
        }
        finally { Directory.Delete(dir, true); }
    }

    private static byte[] Flip(byte[] b, int i) { var c = (byte[])b.Clone(); c[i] ^= 0x10; return c; }
}
