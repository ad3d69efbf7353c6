using NUnit.Framework;
using VaeText.Tests.Support;
using VaeText.Experiments;
using VaeText.Models;
using VaeText.Text;
using VaeText.Cli;
using VaeText.Training;

namespace VaeText.Tests.Reliability;

/// <summary>NaN / ∞ during training: the run stops naming epoch and batch, the CLI exits 1 and writes no model.</summary>
[NonParallelizable]
public class CliDivergenceTests
{
    private static VaeTrainingOptions Exploding(string? ck = null) => new() { Epochs = 3, BatchSize = 16, LearningRate = 1e30, Seed = 2, MaxThreads = 1, CheckpointDirectory = ck };

    private sealed class ExplodingBackend : IModelBackend
    {
        private readonly IModelBackend _real = VaeText.Cli.LibraryBackend.CreateModel();
        public LabeledTexts Load(string path, string labelColumn, string textColumn) => _real.Load(path, labelColumn, textColumn);
        public IReadOnlyList<string> LoadTexts(string path, string textColumn) => _real.LoadTexts(path, textColumn);
        public ITextPipelineModel LoadModel(string path) => _real.LoadModel(path);

        public ITextPipelineModel Train(LabeledTexts data, string labelColumn, string textColumn, CandidateSpec spec, int seed, CliRunSettings settings,
            IProgress<VaeEpochPoint>? progress, CancellationToken ct)
        {
            // The real trainer on the real bag of words, with a learning rate that makes it blow up.
            BagOfWords.Fit(data.Texts, null, null, out var vocab, out var counts, 1);
            var model = new BowVae(new BowVaeOptions { VocabularySize = vocab.Count, LatentSize = 2, EncoderHiddenSizes = [8], Seed = seed }, counts);
            var o = Exploding();
            o.DivergenceRetries = spec.Vae?.DivergenceRetries ?? 0; // what --divergence-retries asked for
            o.DivergenceLearningRateFactor = 1e-3;
            new VaeTrainer(o).Train(model, counts, null, null, ct);
            throw new AssertionException("training should have diverged");
        }
    }

    [Test]
    public async Task TheCliReportsDivergenceWithExitCode1AndWritesNoModel()
    {
        string data = CliCheckpointTests.SampleTrain();
        var dir = TestFiles.TempDir();
        try
        {
            Backends.ModelOverride = () => new ExplodingBackend();
            string model = Path.Combine(dir, "m.zip");
            var (code, _, err) = await CliCheckpointTests.Run(["train", "--dataset", data, "--model", model]);
            Assert.That(code, Is.EqualTo(1));
            Assert.That(err, Does.StartWith("vaetext: error: Training diverged").And.Match(@"epoch \d+, batch \d+"));
            Assert.That(Directory.GetFiles(dir), Is.Empty, "no model file and no temporary file");
            // --divergence-retries reaches the trainer (2 reductions of 1e-3 are not enough for a 1e30 learning rate).
            (code, _, err) = await CliCheckpointTests.Run(["train", "--dataset", data, "--model", model, "--divergence-retries", "2"]);
            Assert.That(code, Is.EqualTo(1));
            Assert.That(err, Does.Contain("after 2 learning-rate reductions"));
            Assert.That(Directory.GetFiles(dir), Is.Empty);
            (code, _, err) = await CliCheckpointTests.Run(["train", "--dataset", data, "--model", model, "--divergence-retries", "11"]);
            Assert.That(code, Is.EqualTo(2), err);
            Assert.That(err, Does.Contain("--divergence-retries"));
        }
        finally
        {
            Backends.ModelOverride = null;
            Directory.Delete(dir, true);
        }
    }
}
