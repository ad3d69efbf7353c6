using System.Diagnostics;
using System.Runtime.InteropServices;
using NUnit.Framework;
using VaeText.Cli.Tests.Support;

namespace VaeText.Cli.Tests;

/// <summary>SIGTERM (docker stop, CI timeouts) ends a running `vaetext train` within 2 seconds, leaving no output file.</summary>
[NonParallelizable]
[Platform(Exclude = "Win")]
public class SignalTests
{
    [DllImport("libc", SetLastError = true)]
    private static extern int kill(int pid, int sig);

    private const int SigTerm = 15;

    /// <summary>Starts a training run, waits for <paramref name="marker"/> in its output, sends SIGTERM and times the exit.</summary>
    /// <summary>Sends SIGTERM; returns whether the process exited within 5 s and the seconds it took (killed otherwise).</summary>
    private static (bool Exited, double Seconds) Terminate(Process p)
    {
        var sw = Stopwatch.StartNew();
        Assert.That(kill(p.Id, SigTerm), Is.EqualTo(0));
        bool exited = p.WaitForExit(5000);
        double seconds = sw.Elapsed.TotalSeconds;
        if (!exited) p.Kill(entireProcessTree: true);
        p.WaitForExit();
        return (exited, seconds);
    }

    private static void TerminateDuringTraining(string marker, params string[] trainArgs)
    {
        var dir = TestFiles.TempDir();
        try
        {
            string model = Path.Combine(dir, "m.zip");
            var (p, output, err) = CliRunner.Start(["train", "--dataset", TestFiles.SampleFile("train.tsv"), "--model", model, .. trainArgs]);
            using (p)
            {
                var wait = Stopwatch.StartNew();
                while (!p.HasExited && wait.Elapsed < TimeSpan.FromSeconds(60))
                {
                    lock (output) if (output.ToString().Contains(marker, StringComparison.Ordinal)) break;
                    Thread.Sleep(20);
                }
                Assert.That(p.HasExited, Is.False, "the run must still be going when it is terminated: " + output + err);
                Thread.Sleep(300); // inside the fit
                var (exited, seconds) = Terminate(p);
                TestContext.Out.WriteLine($"exited {seconds:F2} s after SIGTERM with code {p.ExitCode}");
                Assert.That(exited && seconds <= 2.0, $"exits within 2 s of SIGTERM (took {seconds:F2} s)");
                Assert.That(p.ExitCode, Is.EqualTo(130));
                string errText;
                lock (err) errText = err.ToString();
                Assert.That(errText, Does.Contain("cancelled; no output files were written"));
                Assert.That(errText, Does.Not.Contain("   at "));
            }
            Assert.That(Directory.GetFileSystemEntries(dir), Is.Empty, "no model and no temporary file");
        }
        finally { Directory.Delete(dir, true); }
    }

    [Test]
    public void SigTermDuringVaeTraining() =>
        TerminateDuringTraining("epoch   1/", "--latent", "8", "--epochs", "5000");

    [Test]
    public void SigTermDuringTreeTraining() =>
        // FastTree one-versus-all over five classes runs for many seconds; ML.NET's trainers take no token.
        TerminateDuringTraining("Fitting", "--featurizer", "ngrams", "--trainer", "fasttree");

    [Test]
    public void SigTermDuringAutoCrossValidation() =>
        // --featurizer auto: FastTree one-versus-all inside the cross-validation folds, after the VAE.
        TerminateDuringTraining("Cross-validating", "--featurizer", "auto", "--trainer", "fasttree", "--latent", "4", "--epochs", "1");

    [Test]
    public void SigTermWhileMLNetIsStuckInsideAModelLoad()
    {
        // A fuzzed FastTree model zip on which ML.NET's loader spins for minutes: the command cannot observe the
        // cancellation there, so it is abandoned after a short grace period.
        string zip = Path.Combine(TestContext.CurrentContext.TestDirectory, "Data", "mlnet-load-hangs.zip");
        var (p, _, err) = CliRunner.Start("predict", "--model", zip, "--text", "hello");
        using (p)
        {
            Thread.Sleep(2500);
            Assert.That(p.HasExited, Is.False, "ML.NET is still loading");
            var (exited, seconds) = Terminate(p);
            Assert.That(exited && seconds <= 2.0, $"exits within 2 s of SIGTERM (took {seconds:F2} s)");
            Assert.That(p.ExitCode, Is.EqualTo(130));
            lock (err) Assert.That(err.ToString(), Does.Contain("cancelled"));
        }
    }
}
