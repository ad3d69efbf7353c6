using System.Diagnostics;
using System.Globalization;
using Microsoft.ML;
using Microsoft.ML.Data;
using NUnit.Framework;
using VaeText.MLNet.Tests.Support;

namespace VaeText.MLNet.Tests;

/// <summary>A model zip with a VaeLatent step loads and predicts bit-identically in another process.</summary>
public class SeparateProcessTests
{
    /// <summary>tests/VaeText.LoadCheck's built program, in the same configuration as this test assembly.</summary>
    private static string LoadCheckDll()
    {
        var testDir = new DirectoryInfo(TestContext.CurrentContext.TestDirectory);
        // .../tests/VaeText.MLNet.Tests/bin/<Configuration>/<tfm>/
        string tfm = testDir.Name, config = testDir.Parent!.Name;
        for (var d = testDir; d is not null; d = d.Parent)
        {
            var p = Path.Combine(d.FullName, "tests", "VaeText.LoadCheck", "bin", config, tfm, "VaeText.LoadCheck.dll");
            if (File.Exists(p)) return p;
        }
        Assert.Fail("tests/VaeText.LoadCheck was not built (it is a build-only ProjectReference of this project)");
        return "";
    }

    /// <summary>Runs the load-check program; returns its standard output (fails the test on a non-zero exit).</summary>
    private static string RunLoadCheck(string? tempFolder, params string[] args)
    {
        var psi = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        psi.ArgumentList.Add(LoadCheckDll());
        foreach (var a in args) psi.ArgumentList.Add(a);
        if (tempFolder is not null) psi.Environment["TMPDIR"] = tempFolder + "/";
        using var p = Process.Start(psi)!;
        var stdout = p.StandardOutput.ReadToEndAsync();
        var stderr = p.StandardError.ReadToEndAsync();
        Assert.That(p.WaitForExit(120_000), "the load-check process finished within 2 minutes");
        Assert.That(p.ExitCode, Is.EqualTo(0), stderr.Result);
        return stdout.Result;
    }

    [Test]
    public void AProcessThatNeverDisposesItsModelLeavesNoTempFile()
    {
        var dir = Datasets.TempDir();
        try
        {
            var output = RunLoadCheck(dir, "--fit-and-exit", Datasets.Sample("train.tsv"));
            Assert.That(output.Trim(), Is.EqualTo("500"));
            // ONNX Runtime 1.31's native library writes a small session marker '.ses' (a timestamp and a GUID) into the
            // temp folder once per process; it is not a VaeText file and not a model copy.
            var left = Directory.GetFileSystemEntries(dir).Select(Path.GetFileName).Where(n => n != ".ses");
            Assert.That(left, Is.Empty, "the step's ONNX file is deleted at process exit");
        }
        finally { Directory.Delete(dir, recursive: true); }
    }

    [Test]
    public void AnotherProcessLoadsTheZipAndPredictsBitIdentically()
    {
        var dir = Datasets.TempDir();
        try
        {
            var mlContext = new MLContext(seed: 1);
            var trainPath = Datasets.Sample("train.tsv");
            var testPath = Datasets.Sample("test.tsv");
            IDataView train = mlContext.Data.LoadFromTextFile<Review>(trainPath, hasHeader: true, separatorChar: '\t');
            IDataView test = mlContext.Data.LoadFromTextFile<Review>(testPath, hasHeader: true, separatorChar: '\t');
            var o = VaeLatentInMemoryTests.Small(8);
            o.Epochs = 5;
            var pipeline = mlContext.Transforms.Conversion.MapValueToKey("Label")
                .Append(mlContext.Transforms.VaeLatent("Latent", o, "Text"))
                .Append(mlContext.Transforms.Text.FeaturizeText("NGrams", "Text"))
                .Append(mlContext.Transforms.Concatenate("Features", "Latent", "NGrams"))
                .AppendCacheCheckpoint(mlContext)
                .Append(mlContext.MulticlassClassification.Trainers.SdcaMaximumEntropy())
                .Append(mlContext.Transforms.Conversion.MapKeyToValue("PredictedLabel"));
            var model = pipeline.Fit(train);
            var zip = Path.Combine(dir, "model.zip");
            mlContext.Model.Save(model, train.Schema, zip);
            var output = model.Transform(test);
            var expected = output.GetColumn<string>("PredictedLabel").Zip(output.GetColumn<float[]>("Score"),
                (label, score) => label + "\t" + string.Join(' ', score.Select(v => BitConverter.SingleToInt32Bits(v).ToString("x8", CultureInfo.InvariantCulture)))).ToArray();
            ((IDisposable)model).Dispose();

            var lines = RunLoadCheck(null, zip, testPath).Split('\n', StringSplitOptions.RemoveEmptyEntries);
            Assert.That(lines.Length, Is.EqualTo(expected.Length));
            Assert.That(lines, Is.EqualTo(expected), "labels and score bits are identical in the other process");
        }
        finally { Directory.Delete(dir, recursive: true); }
    }
}
