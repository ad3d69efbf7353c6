namespace VaeText.Cli;

/// <summary>Finds the repository's datasets/sample folder for <c>vaetext demo</c>.</summary>
internal static class DatasetLocator
{
    /// <summary>
    /// Walks up from the current directory, then from the executable's directory, looking for
    /// <c>datasets/sample/train.tsv</c>; returns the folder or null.
    /// </summary>
    public static string? FindSample()
    {
        foreach (var start in new[] { Directory.GetCurrentDirectory(), AppContext.BaseDirectory })
        {
            for (var dir = new DirectoryInfo(start); dir is not null; dir = dir.Parent)
            {
                var candidate = Path.Combine(dir.FullName, "datasets", "sample");
                if (File.Exists(Path.Combine(candidate, "train.tsv"))) return candidate;
            }
        }
        return null;
    }
}
