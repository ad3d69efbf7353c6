using System.Diagnostics;
using NUnit.Framework;
using VaeText.Cli.Tests.Support;
using VaeText.Training;

namespace VaeText.Cli.Tests;

/// <summary>
/// `vaetext train --checkpoint DIR` killed with SIGKILL or cancelled (Ctrl-C), then `--resume`: the identical model
/// file; resume mistakes are one-line errors. NaN/∞ during training: exit 1 naming epoch and batch, no model.
/// </summary>
[NonParallelizable]
public class CheckpointTests
{
    private static string[] TrainArgs(string data, string model, params string[] extra) =>
        ["train", "--dataset", data, "--model", model, "--epochs", "12", "--latent", "8", "--seed", "3", "--featurizer", "both", .. extra];

    /// <summary>Every entry of a model zip (name → bytes); the zip's own timestamps are not part of the model.</summary>
    private static SortedDictionary<string, byte[]> Entries(string zip)
    {
        using var z = System.IO.Compression.ZipFile.OpenRead(zip);
        var d = new SortedDictionary<string, byte[]>(StringComparer.Ordinal);
        foreach (var e in z.Entries)
        {
            using var s = e.Open();
            var ms = new MemoryStream();
            s.CopyTo(ms);
            d[e.FullName] = ms.ToArray();
        }
        Assert.That(d.Keys.Any(k => k.EndsWith("Model.key", StringComparison.Ordinal)));
        return d;
    }

    [Test]
    public async Task KillMinus9OrCtrlCThenResumeGivesTheIdenticalModelFile()
    {
        var dir = TestFiles.TempDir();
        try
        {
            string data = TestFiles.SampleSubset("train.tsv", Path.Combine(dir, "train.tsv"), 2);
            string reference = Path.Combine(dir, "reference.zip"), resumed = Path.Combine(dir, "resumed.zip"), ck = Path.Combine(dir, "ck");
            var total = Stopwatch.StartNew();
            var (code, _, err) = await CliRunner.Run(TrainArgs(data, reference));
            Assert.That(code, Is.EqualTo(0), err);
            TestContext.Out.WriteLine($"reference run {total.Elapsed.TotalSeconds:F2} s");

            // A real process, killed without warning shortly after its first checkpoint (a seeded extra delay).
            var (p, _, _) = CliRunner.Start(TrainArgs(data, resumed, "--checkpoint", ck, "--checkpoint-every", "5"));
            using (p)
            {
                var sw = Stopwatch.StartNew();
                string ckFile = Path.Combine(ck, TrainingCheckpoint.FileName);
                while (!File.Exists(ckFile) && !p.HasExited && sw.Elapsed < TimeSpan.FromSeconds(30)) Thread.Sleep(5);
                Thread.Sleep(new Random(7).Next(20, 100));
                Assert.That(p.HasExited, Is.False, "the run must still be going when it is killed");
                p.Kill(entireProcessTree: true);
                p.WaitForExit();
            }
            Assert.That(File.Exists(resumed), Is.False, "a killed run writes no model");
            Assert.That(File.Exists(Path.Combine(ck, TrainingCheckpoint.FileName)));

            (code, var output, err) = await CliRunner.Run(TrainArgs(data, resumed, "--checkpoint", ck, "--checkpoint-every", "5", "--resume"));
            Assert.That(code, Is.EqualTo(0), err);
            Assert.That(output, Does.Contain("Saved"));
            Assert.That(Entries(resumed), Is.EqualTo(Entries(reference)), "the resumed model zip holds byte-identical entries");

            // Ctrl-C (the CLI's cancellation token) right after the first checkpoint: exit 130, no model, then --resume.
            string ck2 = Path.Combine(dir, "ck2"), resumed2 = Path.Combine(dir, "resumed2.zip");
            using (var cts = new CancellationTokenSource())
            {
                TrainingCheckpoint.AfterSaveForTests.Value = _ => cts.Cancel();
                // A loaded machine may need longer than the default grace to stop the VAE cooperatively.
                Cli.CancelGrace = TimeSpan.FromSeconds(60);
                var cancelErr = new StringWriter();
                int cancelled;
                try { cancelled = await Cli.RunAsync(TrainArgs(data, resumed2, "--checkpoint", ck2, "--checkpoint-every", "5"), new StringWriter(), cancelErr, cts.Token); }
                finally { TrainingCheckpoint.AfterSaveForTests.Value = null; Cli.CancelGrace = TimeSpan.FromSeconds(1.5); }
                Assert.That(cancelled, Is.EqualTo(130), cancelErr.ToString());
                Assert.That(cancelErr.ToString(), Does.Contain("--resume").And.Contain(ck2), "the message says how to continue");
            }
            Assert.That(File.Exists(resumed2), Is.False);
            (code, _, err) = await CliRunner.Run(TrainArgs(data, resumed2, "--checkpoint", ck2, "--checkpoint-every", "5", "--resume"));
            Assert.That(code, Is.EqualTo(0), err);
            Assert.That(Entries(resumed2), Is.EqualTo(Entries(reference)), "after Ctrl-C too");
            TestContext.Out.WriteLine($"total {total.Elapsed.TotalSeconds:F2} s");
        }
        finally { Directory.Delete(dir, true); }
    }

    [Test]
    public async Task ResumeErrorsAreClear()
    {
        var dir = TestFiles.TempDir();
        try
        {
            string data = TestFiles.SampleSubset("train.tsv", Path.Combine(dir, "train.tsv"), 4);
            string model = Path.Combine(dir, "m.zip"), ck = Path.Combine(dir, "ck");
            var (code, _, err) = await CliRunner.Run(TrainArgs(data, model, "--checkpoint", ck, "--resume"));
            Assert.That(code, Is.EqualTo(1));
            CliRunner.AssertOneLineError(err, "no checkpoint");
            Assert.That(File.Exists(model), Is.False);

            // A finished run's checkpoint, then a different configuration (latent size) on resume.
            string[] short2 = ["train", "--dataset", data, "--model", model, "--epochs", "2", "--latent", "4", "--checkpoint", ck];
            (code, _, err) = await CliRunner.Run(short2);
            Assert.That(code, Is.EqualTo(0), err);
            File.Delete(model);
            (code, _, err) = await CliRunner.Run(["train", "--dataset", data, "--model", model, "--epochs", "2", "--latent", "5", "--checkpoint", ck, "--resume"]);
            Assert.That(code, Is.EqualTo(1));
            CliRunner.AssertOneLineError(err, "different training run");
            Assert.That(File.Exists(model), Is.False);

            // Corrupt checkpoint.
            var f = Path.Combine(ck, TrainingCheckpoint.FileName);
            var bytes = File.ReadAllBytes(f); bytes[bytes.Length / 3] ^= 1; File.WriteAllBytes(f, bytes);
            (code, _, err) = await CliRunner.Run([.. short2, "--resume"]);
            Assert.That(code, Is.EqualTo(1));
            CliRunner.AssertOneLineError(err, "CRC-32");
            Assert.That(File.Exists(model), Is.False);
        }
        finally { Directory.Delete(dir, true); }
    }

    [Test]
    public async Task DivergenceEndsWithExitCode1AndNoModel()
    {
        var dir = TestFiles.TempDir();
        try
        {
            string data = TestFiles.SampleSubset("train.tsv", Path.Combine(dir, "train.tsv"), 4);
            string model = Path.Combine(dir, "m.zip");
            // A learning rate that makes the real trainer blow up on the real data.
            var (code, _, err) = await CliRunner.Run("train", "--dataset", data, "--model", model, "--epochs", "3", "--latent", "2", "--learning-rate", "1e30");
            Assert.That(code, Is.EqualTo(1));
            CliRunner.AssertOneLineError(err, "Training diverged");
            Assert.That(err, Does.Match(@"epoch \d+, batch \d+"));
            Assert.That(Directory.GetFiles(dir), Is.EqualTo(new[] { data }), "no model file and no temporary file");
            // --divergence-retries reaches the trainer (two halvings of 1e30 are not enough).
            (code, _, err) = await CliRunner.Run("train", "--dataset", data, "--model", model, "--epochs", "3", "--latent", "2", "--learning-rate", "1e30", "--divergence-retries", "2");
            Assert.That(code, Is.EqualTo(1));
            CliRunner.AssertOneLineError(err, "after 2 learning-rate reductions");
            Assert.That(Directory.GetFiles(dir), Is.EqualTo(new[] { data }));
        }
        finally { Directory.Delete(dir, true); }
    }
}
