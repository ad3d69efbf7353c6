using System.Diagnostics;
using System.Globalization;
using VaeText.Core;
using VaeText.Reliability;

namespace VaeText.Bench;

/// <summary>
/// Long fuzz runs: <c>fuzz --kind tsv|zip --count N --seed S [--out DIR] [--train-every K]</c>. Prints the count
/// of every outcome, the run time and one JSON line; every crash, hang or memory blow-up is saved under DIR
/// (default fuzz-failures/) so that it can become a regression case in tests/VaeText.MLNet.Tests/Reliability/Regressions.
/// </summary>
public static class FuzzBench
{
    public static int Run(string[] args)
    {
        string kind = "tsv", outDir = "fuzz-failures";
        int count = 10_000, seed = 1, trainEvery = 20;
        for (int i = 0; i + 1 < args.Length; i += 2)
        {
            switch (args[i])
            {
                case "--kind": kind = args[i + 1]; break;
                case "--count": count = int.Parse(args[i + 1], CultureInfo.InvariantCulture); break;
                case "--seed": seed = int.Parse(args[i + 1], CultureInfo.InvariantCulture); break;
                case "--out": outDir = args[i + 1]; break;
                case "--train-every": trainEvery = int.Parse(args[i + 1], CultureInfo.InvariantCulture); break;
                default: Console.Error.WriteLine($"unknown option {args[i]}"); return 2;
            }
        }
        if (kind is not ("tsv" or "zip") || count < 1 || trainEvery < 1)
        {
            Console.Error.WriteLine("usage: fuzz --kind tsv|zip --count N --seed S [--out DIR] [--train-every K]");
            return 2;
        }
        var outcomes = new SortedDictionary<string, int>(StringComparer.Ordinal);
        var examples = new Dictionary<string, string>(StringComparer.Ordinal);
        int failures = 0;
        var sw = Stopwatch.StartNew();
        var rng = new Rng(seed);
        var scratch = Path.Combine(Path.GetTempPath(), $"vt_fuzz_{Environment.ProcessId}");
        Directory.CreateDirectory(scratch);
        try
        {
            var pool = kind == "tsv" ? TsvSeeds() : Fuzzer.ModelSeeds().Select(s => s.Bytes).ToList();
        Console.Error.WriteLine($"fuzz {kind}: {pool.Count} seed inputs");
            for (int i = 0; i < count; i++)
            {
                byte[] input;
                Fuzzer.Result r;
                if (kind == "tsv")
                {
                    input = rng.NextInt(3) == 0 ? Fuzzer.RandomTsv(rng) : Fuzzer.MutateBytes(pool[rng.NextInt(pool.Count)], rng, pool[rng.NextInt(pool.Count)]);
                    string path = Path.Combine(scratch, rng.NextInt(5) == 0 ? "input.csv" : "input.tsv");
                    bool train = i % trainEvery == 0;
                    r = Fuzzer.RunOne(() => Fuzzer.RunTsv(path, input, train), Fuzzer.IsDocumentedTsvError);
                }
                else
                {
                    input = Fuzzer.MutateModel(pool[rng.NextInt(pool.Count)], rng);
                    r = Fuzzer.RunOne(() => Fuzzer.RunModel(input), Fuzzer.IsDocumentedModelError);
                }
                outcomes[r.Outcome] = outcomes.GetValueOrDefault(r.Outcome) + 1;
                if (r.Detail is not null) examples.TryAdd(r.Outcome, r.Detail.Split('\n')[0]);
                if (r.IsFailure)
                {
                    failures++;
                    Directory.CreateDirectory(outDir);
                    string name = Path.Combine(outDir, $"{kind}-seed{seed}-{i}");
                    File.WriteAllBytes(name + (kind == "tsv" ? ".tsv" : ".bin"), input);
                    File.WriteAllText(name + ".txt", r.Outcome + Environment.NewLine + r.Detail);
                    Console.Error.WriteLine($"input {i}: {r.Outcome} (saved {name})");
                }
                if ((i + 1) % 10_000 == 0) Console.Error.WriteLine($"{i + 1} inputs, {sw.Elapsed.TotalSeconds:F0} s, {failures} failures");
            }
        }
        finally { Directory.Delete(scratch, true); }
        double seconds = sw.Elapsed.TotalSeconds;
        Console.WriteLine($"fuzz {kind}: {count} inputs in {seconds:F1} s ({count / seconds:F0}/s), seed {seed}, {failures} failures");
        foreach (var (k, v) in outcomes)
            Console.WriteLine($"  {v,8}  {k}" + (examples.TryGetValue(k, out var ex) ? $"   e.g. {(ex.Length > 160 ? ex[..160] + "…" : ex)}" : ""));
        Console.WriteLine("{" + string.Join(", ",
            new[] { $"\"bench\": \"fuzz\"", $"\"kind\": \"{kind}\"", $"\"inputs\": {count}", $"\"seed\": {seed}", $"\"seconds\": {seconds.ToString("F1", CultureInfo.InvariantCulture)}", $"\"failures\": {failures}" }
            .Concat(outcomes.Select(kv => $"\"{kv.Key}\": {kv.Value}"))) + "}");
        return failures == 0 ? 0 : 1;
    }

    /// <summary>The first rows of the repository's sample corpus (when found) and a few hand-made files.</summary>
    private static List<byte[]> TsvSeeds()
    {
        var seeds = new List<byte[]>
        {
            "label\ttext\nsport\tthe team won\ntech\tnew phone chip\n"u8.ToArray(),
            "label,text\nsport,\"the team, won\"\ntech,\"a \"\"quoted\"\" chip\"\n"u8.ToArray(),
        };
        foreach (var start in new[] { Environment.CurrentDirectory, AppContext.BaseDirectory })
        {
            for (var d = new DirectoryInfo(start); d is not null; d = d.Parent)
            {
                var p = Path.Combine(d.FullName, "datasets", "sample", "train.tsv");
                if (!File.Exists(p)) continue;
                seeds.Add(System.Text.Encoding.UTF8.GetBytes(string.Join('\n', File.ReadLines(p).Take(40)) + "\n"));
                return seeds;
            }
        }
        return seeds;
    }
}
