using NUnit.Framework;

namespace VaeText.Tests.Support;

/// <summary>The project's own sample corpus, found by walking up from the test directory.</summary>
internal static class TestFiles
{
    /// <summary>A new empty folder under the system temp folder (the caller deletes it).</summary>
    public static string TempDir()
    {
        var d = Path.Combine(Path.GetTempPath(), "vt_test_" + Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(d);
        return d;
    }

    /// <summary>The datasets/sample folder, or null when it is not above the test directory.</summary>
    public static string? SampleFolder()
    {
        for (var d = new DirectoryInfo(TestContext.CurrentContext.TestDirectory); d is not null; d = d.Parent)
        {
            string p = Path.Combine(d.FullName, "datasets", "sample");
            if (File.Exists(Path.Combine(p, "train.tsv"))) return p;
        }
        return null;
    }

    /// <summary>A file of datasets/sample (e.g. "train.tsv"); the test is ignored when the folder is absent.</summary>
    public static string SampleFile(string name)
    {
        var folder = SampleFolder();
        if (folder is null) Assert.Ignore("datasets/sample not found");
        return Path.Combine(folder!, name);
    }
}
