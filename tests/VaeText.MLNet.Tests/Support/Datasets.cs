using Microsoft.ML.Data;
using NUnit.Framework;

namespace VaeText.MLNet.Tests.Support;

/// <summary>A labelled review row of the TSV datasets (label, text).</summary>
public sealed class Review
{
    [LoadColumn(0)]
    public string Label { get; set; } = "";

    [LoadColumn(1)]
    public string Text { get; set; } = "";
}

/// <summary>Finds the project's sample corpus and the shared datasets by walking up from the test directory.</summary>
internal static class Datasets
{
    /// <summary>datasets/sample/<paramref name="file"/> of this repository (the test is ignored when absent).</summary>
    public static string Sample(string file)
    {
        for (var d = new DirectoryInfo(TestContext.CurrentContext.TestDirectory); d is not null; d = d.Parent)
        {
            string p = Path.Combine(d.FullName, "datasets", "sample", file);
            if (File.Exists(p)) return p;
        }
        Assert.Ignore("datasets/sample not found");
        return "";
    }

    /// <summary>shared/datasets/<paramref name="name"/>/<paramref name="file"/> beside the repository, or null when absent.</summary>
    public static string? Shared(string name, string file)
    {
        for (var d = new DirectoryInfo(TestContext.CurrentContext.TestDirectory); d is not null; d = d.Parent)
        {
            string p = Path.Combine(d.FullName, "shared", "datasets", name, file);
            if (File.Exists(p)) return p;
        }
        return null;
    }

    /// <summary>The first <paramref name="rows"/> data lines of a TSV (header kept) in a new file under <paramref name="dir"/>.</summary>
    public static string Head(string path, int rows, string dir)
    {
        var target = Path.Combine(dir, Path.GetFileNameWithoutExtension(path) + $".head{rows}.tsv");
        File.WriteAllLines(target, File.ReadLines(path).Take(rows + 1));
        return target;
    }

    /// <summary>A new empty folder under the system temp folder (the caller deletes it).</summary>
    public static string TempDir()
    {
        var d = Path.Combine(Path.GetTempPath(), "vt_mlnet_test_" + Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(d);
        return d;
    }
}

/// <summary>ML.NET keeps SchemaShape.Create internal; tests reach it by reflection to call GetOutputSchema as ML.NET's chains do.</summary>
internal static class Shapes
{
    private static readonly System.Reflection.MethodInfo s_create = typeof(Microsoft.ML.SchemaShape).GetMethod("Create",
        System.Reflection.BindingFlags.Static | System.Reflection.BindingFlags.Public | System.Reflection.BindingFlags.NonPublic, [typeof(Microsoft.ML.DataViewSchema)])
        ?? throw new InvalidOperationException("SchemaShape.Create(DataViewSchema) not found");

    public static Microsoft.ML.SchemaShape Of(Microsoft.ML.DataViewSchema schema) => (Microsoft.ML.SchemaShape)s_create.Invoke(null, [schema])!;
}

/// <summary>
/// Points the process's temp folder (TMPDIR, read by Path.GetTempPath and by each new MLContext) at a fresh empty
/// folder for the test's duration, so a test can assert that nothing was left behind even while other processes
/// use the system temp folder.
/// </summary>
internal sealed class PrivateTemp : IDisposable
{
    private readonly string? _old = Environment.GetEnvironmentVariable("TMPDIR");
    public string Folder { get; } = Path.Combine(Path.GetTempPath(), "vt_tmpcheck_" + Guid.NewGuid().ToString("N"));

    public PrivateTemp()
    {
        Directory.CreateDirectory(Folder);
        Environment.SetEnvironmentVariable("TMPDIR", Folder + "/");
        if (Path.GetFullPath(Path.GetTempPath()).TrimEnd('/') != Folder) Assert.Ignore("Path.GetTempPath does not follow TMPDIR on this platform");
    }

    /// <summary>
    /// Files and folders now in the private temp folder, except ONNX Runtime's '.ses' session marker (its native
    /// library writes one per process on first use; not a VaeText file).
    /// </summary>
    public string[] Entries() => Directory.GetFileSystemEntries(Folder, "*", SearchOption.AllDirectories).Select(Path.GetFileName).Where(n => n != ".ses").ToArray()!;

    public void Dispose()
    {
        Environment.SetEnvironmentVariable("TMPDIR", _old);
        try { Directory.Delete(Folder, recursive: true); } catch (IOException) { }
    }
}
