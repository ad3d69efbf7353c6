using NUnit.Framework;
using VaeText.Cli.Tests.Support;

namespace VaeText.Cli.Tests;

/// <summary>Commands that load a model zip leave nothing in the temp folder (ML.NET's ONNX step writes one there on load).</summary>
[NonParallelizable]
public class TempFolderTests
{
    [Test]
    public async Task LoadingCommandsLeaveTheTempFolderEmpty()
    {
        var dir = TestFiles.TempDir();
        try
        {
            var (train, test) = TestFiles.ThreeTopicCorpus(dir);
            string model = Path.Combine(dir, "m.zip");
            var (code, _, err) = await CliRunner.Run("train", "--dataset", train, "--model", model, "--latent", "4", "--epochs", "2");
            Assert.That(code, Is.EqualTo(0), err);
            var commands = new[]
            {
                new[] { "evaluate", "--model", model, "--dataset", test },
                new[] { "predict", "--model", model, "--text", "goal match team", "--json" },
                new[] { "featurize", "--model", model, "--dataset", test, "--out", Path.Combine(dir, "f.tsv") },
            };
            foreach (var args in commands)
            {
                var temp = Path.Combine(dir, "tmp-" + args[0]);
                Directory.CreateDirectory(temp);
                var (p, o, e) = CliRunner.StartIn(temp, args);
                Assert.That(p.WaitForExit(120_000), Is.True, args[0] + " finished");
                p.WaitForExit();
                Assert.That(p.ExitCode, Is.EqualTo(0), args[0] + ": " + e);
                Assert.That(o.ToString(), Is.Not.Empty, args[0]);
                // ONNX Runtime's native library keeps one 51-byte ".ses" file in the temp folder (rewritten, not one per
                // run); it is not VaeText's or ML.NET's. Everything else must be gone.
                var left = Directory.GetFileSystemEntries(temp).Where(f => Path.GetFileName(f) != ".ses");
                Assert.That(left, Is.Empty, args[0] + " left files in the temp folder");
            }
        }
        finally { Directory.Delete(dir, true); }
    }
}
