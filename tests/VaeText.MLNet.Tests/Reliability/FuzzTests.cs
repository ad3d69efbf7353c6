using NUnit.Framework;
using VaeText.Core;
using VaeText.Reliability;

namespace VaeText.MLNet.Tests.Reliability;

/// <summary>
/// Bounded fuzzing in the suite (a few seconds): random and mutated TSV files through the data-file check, ML.NET's
/// TextLoader and a tiny VAE ⊕ n-grams + SDCA fit; mutated ML.NET model zips, TextVae files and checkpoints through
/// the loaders (and a prediction when a damaged zip still loads). Only documented exceptions are allowed; every
/// input has a time and an allocation limit. Longer runs: <c>dotnet run -c Release --project bench/VaeText.Bench -- fuzz</c>.
/// </summary>
[NonParallelizable]
public class FuzzTests
{
    private static string RegressionsDir()
    {
        for (var d = new DirectoryInfo(TestContext.CurrentContext.TestDirectory); d is not null; d = d.Parent)
        {
            var p = Path.Combine(d.FullName, "tests", "VaeText.MLNet.Tests", "Reliability", "Regressions");
            if (Directory.Exists(p)) return p;
        }
        Assert.Ignore("Regressions folder not found");
        return "";
    }

    private static string TempDir()
    {
        var d = Path.Combine(Path.GetTempPath(), "vt_fuzz_test_" + Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(d);
        return d;
    }

    private static void AssertNoFailures(IEnumerable<(string Input, Fuzzer.Result Result)> results, string kind)
    {
        var counts = new SortedDictionary<string, int>();
        var failures = new List<string>();
        foreach (var (input, r) in results)
        {
            counts[r.Outcome] = counts.GetValueOrDefault(r.Outcome) + 1;
            if (r.IsFailure) failures.Add($"{input}: {r.Outcome}: {r.Detail}");
        }
        TestContext.Out.WriteLine($"{kind}: " + string.Join(", ", counts.Select(kv => $"{kv.Key} {kv.Value}")));
        Assert.That(failures, Is.Empty);
    }

    [Test]
    public void EveryCrashFoundSoFarStaysFixed()
    {
        var dir = RegressionsDir();
        var scratch = TempDir();
        try
        {
            var files = Directory.GetFiles(dir).Where(f => !f.EndsWith(".txt")).OrderBy(f => f).ToArray();
            Assert.That(files, Is.Not.Empty);
            AssertNoFailures(files.Select(f =>
            {
                var bytes = File.ReadAllBytes(f);
                var r = f.EndsWith(".bin")
                    ? Fuzzer.RunOne(() => Fuzzer.RunModel(bytes), Fuzzer.IsDocumentedModelError)
                    : Fuzzer.RunOne(() => Fuzzer.RunTsv(Path.Combine(scratch, Path.GetFileName(f)), bytes, train: true), Fuzzer.IsDocumentedTsvError);
                return (Path.GetFileName(f), r);
            }), "regressions");
        }
        finally { Directory.Delete(scratch, true); }
    }

    [Test]
    public void RandomAndMutatedTsvFiles()
    {
        var scratch = TempDir();
        try
        {
            var rng = new Rng(11);
            var pool = new List<byte[]> { "label\ttext\nsport\tthe team won\ntech\tnew phone chip\n"u8.ToArray(), "label,text\nsport,\"a, b\"\ntech,\"\"\"q\"\"\"\n"u8.ToArray() };
                var results = new List<(string, Fuzzer.Result)>();
            int trained = 0;
            for (int i = 0; i < 300; i++)
            {
                var input = rng.NextInt(3) == 0 ? Fuzzer.RandomTsv(rng) : Fuzzer.MutateBytes(pool[rng.NextInt(pool.Count)], rng, pool[rng.NextInt(pool.Count)]);
                if (rng.NextInt(4) == 0) pool.Add(input);
                string path = Path.Combine(scratch, rng.NextInt(5) == 0 ? "in.csv" : "in.tsv");
                bool train = i % 10 == 0;
                var r = Fuzzer.RunOne(() => Fuzzer.RunTsv(path, input, train), Fuzzer.IsDocumentedTsvError);
                if (train && r.Outcome == "ok") trained++;
                results.Add(($"tsv #{i}", r));
            }
            AssertNoFailures(results, $"tsv ({results.Count} inputs, {trained} trained)");
            Assert.That(results.Count(r => r.Item2.Outcome == "ok"), Is.GreaterThan(0), "some inputs load");
            Assert.That(results.Count(r => r.Item2.Outcome == nameof(InvalidDataException)), Is.GreaterThan(0), "some inputs are refused");
        }
        finally { Directory.Delete(scratch, true); }
    }

    [Test]
    public void MutatedModelFiles()
    {
        var seeds = Fuzzer.ModelSeeds();
        var rng = new Rng(12);
        var results = new List<(string, Fuzzer.Result)>();
        foreach (var (name, bytes) in seeds) results.Add((name, Fuzzer.RunOne(() => Fuzzer.RunModel(bytes), Fuzzer.IsDocumentedModelError)));
        Assert.That(results.Select(r => r.Item2.Outcome), Is.All.EqualTo("ok"), "the unmutated seeds load and run: " + string.Join("; ", results.Select(r => r.Item2.Detail)));
        for (int i = 0; i < 100; i++)
        {
            var (name, bytes) = seeds[rng.NextInt(seeds.Count)];
            var input = Fuzzer.MutateModel(bytes, rng);
            results.Add(($"{name} #{i}", Fuzzer.RunOne(() => Fuzzer.RunModel(input), Fuzzer.IsDocumentedModelError)));
        }
        AssertNoFailures(results, $"zip ({results.Count} inputs)");
    }
}
