using System.Diagnostics;
using VaeText.Tests.Support;
using NUnit.Framework;
using VaeText.Training;

namespace VaeText.Tests.Reliability;

/// <summary>`vaetext train --checkpoint DIR` killed with SIGKILL, then `--resume`: the identical model file.</summary>
[NonParallelizable]
public class CliCheckpointTests
{
    internal static string SampleTrain() => Support.TestFiles.SampleFile("train.tsv");

    internal static Task<(int Code, string Out, string Err)> Run(params string[] args) => Support.CliRunner.Run(args);

    private static string[] TrainArgs(string data, string model, params string[] extra) =>
        ["train", "--dataset", data, "--model", model, "--epochs", "12", "--latent", "8", "--seed", "3", .. extra];

    [Test]
    public async Task KillMinus9OrCtrlCThenResumeGivesTheIdenticalModelFile()
    {
        string data = SampleTrain();
        string cliDll = Path.Combine(TestContext.CurrentContext.TestDirectory, "vaetext.dll");
        Assert.That(File.Exists(cliDll), "the CLI is copied beside the tests");
        var dir = TestFiles.TempDir();
        try
        {
            string reference = Path.Combine(dir, "reference.zip"), resumed = Path.Combine(dir, "resumed.zip"), ck = Path.Combine(dir, "ck");
            var total = Stopwatch.StartNew();
            var (code, _, err) = await Run(TrainArgs(data, reference));
            Assert.That(code, Is.EqualTo(0), err);
            TestContext.Out.WriteLine($"reference run {total.Elapsed.TotalSeconds:F2} s");

            // A real process, killed without warning shortly after its first checkpoint (a seeded extra delay).
            var psi = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
            psi.ArgumentList.Add(cliDll);
            foreach (var a in TrainArgs(data, resumed, "--checkpoint", ck, "--checkpoint-every", "10")) psi.ArgumentList.Add(a);
            using (var p = Process.Start(psi)!)
            {
                p.OutputDataReceived += (_, _) => { };
                p.ErrorDataReceived += (_, _) => { };
                p.BeginOutputReadLine(); p.BeginErrorReadLine();
                var sw = Stopwatch.StartNew();
                string ckFile = Path.Combine(ck, TrainingCheckpoint.FileName);
                while (!File.Exists(ckFile) && !p.HasExited && sw.Elapsed < TimeSpan.FromSeconds(20)) Thread.Sleep(5);
                Thread.Sleep(new Random(7).Next(20, 200));
                Assert.That(p.HasExited, Is.False, "the run must still be going when it is killed");
                TestContext.Out.WriteLine($"killed after {sw.Elapsed.TotalSeconds:F2} s");
                p.Kill(entireProcessTree: true);
                p.WaitForExit();
            }
            Assert.That(File.Exists(resumed), Is.False, "a killed run writes no model");
            Assert.That(File.Exists(Path.Combine(ck, TrainingCheckpoint.FileName)));

            (code, var output, err) = await Run(TrainArgs(data, resumed, "--checkpoint", ck, "--checkpoint-every", "10", "--resume"));
            Assert.That(code, Is.EqualTo(0), err);
            Assert.That(output, Does.Contain("Saved"));
            Assert.That(File.ReadAllBytes(resumed), Is.EqualTo(File.ReadAllBytes(reference)), "the resumed model file is byte-identical");

            // Ctrl-C (the CLI's cancellation token) once the first checkpoint exists: exit 130, no model, then --resume.
            string ck2 = Path.Combine(dir, "ck2"), resumed2 = Path.Combine(dir, "resumed2.zip");
            using (var cts = new CancellationTokenSource())
            {
                // Ctrl-C right after the first checkpoint is in place, signalled from the training thread itself so
                // that a loaded machine cannot let the run finish first.
                TrainingCheckpoint.AfterSaveForTests.Value = _ => cts.Cancel();
                var cancelErr = new StringWriter();
                int cancelled;
                try { cancelled = await VaeText.Cli.Cli.RunAsync(TrainArgs(data, resumed2, "--checkpoint", ck2, "--checkpoint-every", "10"), new StringWriter(), cancelErr, cts.Token); }
                finally { TrainingCheckpoint.AfterSaveForTests.Value = null; }
                Assert.That(cancelled, Is.EqualTo(130));
                Assert.That(cancelErr.ToString(), Does.Contain("--resume").And.Contain(ck2), "the message says how to continue");
            }
            Assert.That(File.Exists(resumed2), Is.False);
            (code, _, err) = await Run(TrainArgs(data, resumed2, "--checkpoint", ck2, "--checkpoint-every", "10", "--resume"));
            Assert.That(code, Is.EqualTo(0), err);
            Assert.That(File.ReadAllBytes(resumed2), Is.EqualTo(File.ReadAllBytes(reference)), "after Ctrl-C too");
            TestContext.Out.WriteLine($"total {total.Elapsed.TotalSeconds:F2} s");
        }
        finally { Directory.Delete(dir, true); }
    }

    [Test]
    public async Task ResumeErrorsAreClear()
    {
        string data = SampleTrain();
        var dir = TestFiles.TempDir();
        try
        {
            string model = Path.Combine(dir, "m.zip"), ck = Path.Combine(dir, "ck");
            var (code, _, err) = await Run(TrainArgs(data, model, "--resume"));
            Assert.That(code, Is.EqualTo(2));
            Assert.That(err, Does.Contain("--resume needs --checkpoint"));

            (code, _, err) = await Run(TrainArgs(data, model, "--checkpoint", ck, "--resume"));
            Assert.That(code, Is.EqualTo(1));
            Assert.That(err, Does.Contain("no checkpoint"));
            Assert.That(File.Exists(model), Is.False);

            // A finished run's checkpoint, then a different configuration (latent size) on resume.
            string[] short2 = ["train", "--dataset", data, "--model", model, "--epochs", "2", "--latent", "4", "--checkpoint", ck];
            (code, _, err) = await Run(short2);
            Assert.That(code, Is.EqualTo(0), err);
            File.Delete(model);
            (code, _, err) = await Run(["train", "--dataset", data, "--model", model, "--epochs", "2", "--latent", "5", "--checkpoint", ck, "--resume"]);
            Assert.That(code, Is.EqualTo(1));
            Assert.That(err, Does.Contain("different training run"));
            Assert.That(err.Split('\n', StringSplitOptions.RemoveEmptyEntries), Has.Length.EqualTo(1));
            Assert.That(File.Exists(model), Is.False);

            // Corrupt checkpoint.
            var f = Path.Combine(ck, TrainingCheckpoint.FileName);
            var bytes = File.ReadAllBytes(f); bytes[bytes.Length / 3] ^= 1; File.WriteAllBytes(f, bytes);
            (code, _, err) = await Run([.. short2, "--resume"]);
            Assert.That(code, Is.EqualTo(1));
            Assert.That(err, Does.Contain("CRC-32"));
            Assert.That(File.Exists(model), Is.False);
        }
        finally { Directory.Delete(dir, true); }
    }
}
