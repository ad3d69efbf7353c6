using System.Diagnostics;
using NUnit.Framework;

namespace VaeText.Cli.Tests.Support;

/// <summary>Temporary folders and the project's own sample corpus (found by walking up from the test directory).</summary>
internal static class TestFiles
{
    /// <summary>
    /// Writes a small labelled corpus of three topics (sport, tech, food; 8-word documents, 80 % topic words) as
    /// train.tsv (20 per topic) and test.tsv (8 per topic) in <paramref name="dir"/>; the same texts every time.
    /// </summary>
    public static (string Train, string Test) ThreeTopicCorpus(string dir)
    {
        string train = Path.Combine(dir, "train.tsv"), test = Path.Combine(dir, "test.tsv");
        var topics = new[]
        {
            ("sport", new[] { "goal", "match", "team", "score", "coach", "league" }),
            ("tech", new[] { "code", "chip", "software", "phone", "data", "cloud" }),
            ("food", new[] { "bread", "cheese", "recipe", "oven", "salt", "soup" }),
        };
        var rng = new Random(5);
        string Doc(string[] words) => string.Join(' ', Enumerable.Range(0, 8).Select(_ => rng.NextDouble() < 0.8 ? words[rng.Next(words.Length)] : "the"));
        void Write(string path, int per) => File.WriteAllLines(path, new[] { "label\ttext" }.Concat(
            Enumerable.Range(0, per).SelectMany(_ => topics.Select(t => t.Item1 + "\t" + Doc(t.Item2)))));
        Write(train, 20);
        Write(test, 8);
        return (train, test);
    }

    /// <summary>A new empty folder under the system temp folder (the caller deletes it).</summary>
    public static string TempDir()
    {
        var d = Path.Combine(Path.GetTempPath(), "vt_cli_test_" + Guid.NewGuid().ToString("N"));
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

    /// <summary>Every <paramref name="step"/>-th document of a sample file (plus the header) written to <paramref name="path"/>.</summary>
    public static string SampleSubset(string name, string path, int step, Func<string, bool>? keep = null)
    {
        File.WriteAllLines(path, File.ReadLines(SampleFile(name)).Where((l, i) => i == 0 || (i % step == 0 && (keep?.Invoke(l) ?? true))));
        return path;
    }
}

/// <summary>Runs the CLI in process, or as a separate process, and captures its exit code, standard output and standard error.</summary>
internal static class CliRunner
{
    public static Task<(int Code, string Out, string Err)> Run(params string[] args) => Run(CancellationToken.None, args);

    public static async Task<(int Code, string Out, string Err)> Run(CancellationToken ct, params string[] args)
    {
        var o = new StringWriter();
        var e = new StringWriter();
        int code = await VaeText.Cli.Cli.RunAsync(args, o, e, ct);
        return (code, o.ToString(), e.ToString());
    }

    /// <summary>The CLI assembly copied beside the tests.</summary>
    public static string CliDll
    {
        get
        {
            string dll = Path.Combine(TestContext.CurrentContext.TestDirectory, "vaetext.dll");
            Assert.That(File.Exists(dll), "the CLI is copied beside the tests");
            return dll;
        }
    }

    /// <summary>Starts `dotnet vaetext.dll ARGS` with redirected output (read asynchronously into the returned builders).</summary>
    public static (Process Process, System.Text.StringBuilder Out, System.Text.StringBuilder Err) Start(params string[] args) => StartIn(null, args);

    /// <summary>As <see cref="Start"/>, with the child's temp folder (TMPDIR) set to <paramref name="tempDir"/> when given.</summary>
    public static (Process Process, System.Text.StringBuilder Out, System.Text.StringBuilder Err) StartIn(string? tempDir, params string[] args)
    {
        var psi = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        if (tempDir is not null) psi.Environment["TMPDIR"] = tempDir + "/";
        psi.ArgumentList.Add(CliDll);
        foreach (var a in args) psi.ArgumentList.Add(a);
        var p = Process.Start(psi)!;
        var o = new System.Text.StringBuilder();
        var e = new System.Text.StringBuilder();
        p.OutputDataReceived += (_, d) => { if (d.Data is not null) lock (o) o.AppendLine(d.Data); };
        p.ErrorDataReceived += (_, d) => { if (d.Data is not null) lock (e) e.AppendLine(d.Data); };
        p.BeginOutputReadLine();
        p.BeginErrorReadLine();
        return (p, o, e);
    }

    /// <summary>Asserts a failed run's standard error is one line starting with "vaetext:" and containing every part.</summary>
    public static void AssertOneLineError(string err, params string[] contains)
    {
        var lines = err.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.That(lines, Has.Length.EqualTo(1), "expected one error line, got: " + err);
        Assert.That(lines[0], Does.StartWith("vaetext: "));
        Assert.That(err, Does.Not.Contain("   at ").And.Not.Contain("internal error"), "no stack trace, no internal error");
        Assert.That(lines[0].Length, Is.LessThan(1000), "error lines stay short");
        foreach (var c in contains) Assert.That(lines[0], Does.Contain(c));
    }
}
