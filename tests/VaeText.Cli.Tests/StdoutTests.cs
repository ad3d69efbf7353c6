using System.Diagnostics;
using NUnit.Framework;
using VaeText.Cli.Tests.Support;

namespace VaeText.Cli.Tests;

/// <summary>A reader of vaetext's standard output that goes away early must not stop the run or lose its files.</summary>
[NonParallelizable]
[Platform(Exclude = "Win")]
public class StdoutTests
{
    [Test]
    public void AReaderThatStopsEarlyLeavesTheRunAndItsOutputsWhole()
    {
        var dir = TestFiles.TempDir();
        try
        {
            string outDir = Path.Combine(dir, "out");
            var psi = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
            psi.ArgumentList.Add(CliRunner.CliDll);
            foreach (var a in new[] { "demo", "--out", outDir }) psi.ArgumentList.Add(a);
            using var p = Process.Start(psi)!;
            var err = p.StandardError.ReadToEndAsync();
            // As `vaetext demo | head -1`: one line, then the pipe is closed.
            string? first = p.StandardOutput.ReadLine();
            p.StandardOutput.Close();
            Assert.That(p.WaitForExit(180_000), Is.True, "the run ends");
            Assert.That(first, Does.StartWith("• Loading"));
            Assert.That(p.ExitCode, Is.EqualTo(0), err.Result);
            Assert.That(err.Result, Is.Empty);
            Assert.That(File.Exists(Path.Combine(outDir, "results.json")), Is.True, "the outputs are written");
        }
        finally { Directory.Delete(dir, true); }
    }
}
