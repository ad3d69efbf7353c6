using NUnit.Framework;

namespace VaeText.Tests;

/// <summary>The project's own sample corpus (datasets/sample), found by walking up from the test directory.</summary>
internal static class SampleCorpus
{
    /// <summary>The texts of datasets/sample/train.tsv (label TAB text, one header line; texts hold no tabs).</summary>
    public static string[] TrainTexts()
    {
        for (var d = new DirectoryInfo(TestContext.CurrentContext.TestDirectory); d is not null; d = d.Parent)
        {
            string p = Path.Combine(d.FullName, "datasets", "sample", "train.tsv");
            if (File.Exists(p)) return File.ReadLines(p).Skip(1).Select(l => l[(l.IndexOf('\t') + 1)..]).ToArray();
        }
        Assert.Ignore("datasets/sample not found");
        return [];
    }
}
