using System.IO.Compression;
using System.Text;
using Microsoft.ML;
using NUnit.Framework;
using VaeText.Cli.Tests.Support;

namespace VaeText.Cli.Tests;

/// <summary>
/// Broken inputs to every command — data files (missing, wrong column, empty, header only, ragged rows, bad UTF-8,
/// unclosed quotes) and model files (not a zip, truncated, corrupt, foreign zip, an earlier VaeText format, an ML.NET
/// model that is not a text classifier) — end with exit code 1 and one line naming the problem, no stack trace, and
/// no output file.
/// </summary>
[NonParallelizable]
public class BadInputTests
{
    private string _dir = "", _good = "", _model = "";

    [OneTimeSetUp]
    public async Task TrainOneModel()
    {
        _dir = TestFiles.TempDir();
        _good = Write("good.tsv", "label\ttext\n" + Rows(12));
        _model = Path.Combine(_dir, "good.zip");
        var (code, _, err) = await CliRunner.Run("train", "--dataset", _good, "--model", _model, "--featurizer", "ngrams");
        Assert.That(code, Is.EqualTo(0), err);
    }

    [OneTimeTearDown]
    public void Clean() => Directory.Delete(_dir, true);

    private string Write(string name, string content) => WriteBytes(name, Encoding.UTF8.GetBytes(content));

    private string WriteBytes(string name, byte[] bytes)
    {
        var p = Path.Combine(_dir, name);
        File.WriteAllBytes(p, bytes);
        return p;
    }

    /// <summary>Good rows (two classes) as TSV lines.</summary>
    private static string Rows(int n) => string.Concat(Enumerable.Range(0, n).Select(i =>
        i % 2 == 0 ? $"sport\tthe team won the match with a late goal {i}\n" : $"tech\tthe new phone ships with a faster chip {i}\n"));

    /// <summary>Runs a command that should fail: exit 1, one line containing <paramref name="contains"/>, and no new files.</summary>
    private async Task Fails(string[] args, params string[] contains)
    {
        var before = Directory.GetFiles(_dir).Order().ToArray();
        var (code, output, err) = await CliRunner.Run(args);
        Assert.That(code, Is.EqualTo(1), string.Join(' ', args) + "\n" + err);
        CliRunner.AssertOneLineError(err, contains);
        Assert.That(Directory.GetFiles(_dir).Order().ToArray(), Is.EqualTo(before), "no output or temporary file: " + string.Join(' ', args));
        Assert.That(output, Does.Not.Contain("Saved"));
    }

    private string[] Train(string data, params string[] extra) =>
        ["train", "--dataset", data, "--model", Path.Combine(_dir, "out.zip"), "--featurizer", "ngrams", .. extra];

    private string[] Evaluate(string data, params string[] extra) => ["evaluate", "--model", _model, "--dataset", data, .. extra];

    private string[] Featurize(string data) => ["featurize", "--model", _model, "--dataset", data, "--out", Path.Combine(_dir, "z.tsv")];

    [Test]
    public async Task EmptyFilesAndHeaderOnly()
    {
        foreach (var bytes in new[] { Array.Empty<byte>(), new byte[] { 0xEF, 0xBB, 0xBF }, "\n\n\n"u8.ToArray() })
        {
            var p = WriteBytes("empty.tsv", bytes);
            await Fails(Train(p), "empty.tsv", "the file is empty");
            await Fails(Evaluate(p), "empty.tsv", "the file is empty");
        }
        var h = Write("header.tsv", "label\ttext\n");
        await Fails(Train(h), "header.tsv", "no documents");
        await Fails(Evaluate(h), "header.tsv", "no documents");
    }

    [Test]
    public async Task WrongColumnNamesTheColumnAndTheFilesColumns()
    {
        var p = Write("cols.tsv", "label\tbody\n" + Rows(6).Replace("\t", "\t"));
        await Fails(Train(p), "no column named 'text'", "'label', 'body'", "--text-col");
        await Fails(Train(_good, "--label-col", "category"), "no column named 'category'", "--label-col");
        await Fails(Evaluate(_good, "--text-col", "body"), "no column named 'body'");
        await Fails(Evaluate(p), "no column named 'text'");
        // A column found ignoring case is accepted.
        var q = Write("case.tsv", "Label\tTEXT\n" + Rows(6));
        var (code, output, err) = await CliRunner.Run(Evaluate(q, "--json"));
        Assert.That(code, Is.EqualTo(0), err);
        Assert.That(output, Does.Contain("\"documents\":6"));
        // A comma-separated file read as TSV: the message says so.
        var c = Write("wrongsep.tsv", "label,text\n" + Rows(6).Replace('\t', ','));
        await Fails(Train(c), "comma-separated");
    }

    [Test]
    public async Task RaggedRows()
    {
        var p = Write("ragged.tsv", "label\ttext\n" + Rows(4) + "sport\tone\textra field\n" + Rows(2));
        await Fails(Train(p), "ragged.tsv", "line 6 has 3 fields, the header has 2");
        await Fails(Evaluate(p), "ragged.tsv", "line 6");
        var q = Write("short.tsv", "label\ttext\n" + Rows(3) + "sport\n" + Rows(2));
        await Fails(Train(q), "line 5 has 1 field, the header has 2");
    }

    [Test]
    public async Task InvalidUtf8NamesLineAndColumn()
    {
        var bytes = Encoding.UTF8.GetBytes("label\ttext\n" + Rows(3)).Concat("tech\ta"u8.ToArray()).Concat(new byte[] { 0xC3, 0x28 }).Concat("b\n"u8.ToArray()).ToArray();
        var p = WriteBytes("latin.tsv", bytes);
        await Fails(Train(p), "latin.tsv", "line 5, column 2 ('text')", "UTF-8");
        await Fails(Evaluate(p), "line 5", "UTF-8");
    }

    [Test]
    public async Task CsvQuotingAndUnclosedQuotes()
    {
        // Quoted fields with separators, doubled quotes and a line break are one field each.
        var ok = Write("ok.csv", "label,text\nsport,\"the team, at last, won\"\ntech,\"a \"\"fast\"\" chip\nships\"\nsport,plain goal\ntech,phone chip\n");
        var (code, output, err) = await CliRunner.Run(Evaluate(ok, "--json"));
        Assert.That(code, Is.EqualTo(0), err);
        Assert.That(output, Does.Contain("\"documents\":4"));
        var open = Write("open.csv", "label,text\nsport,\"fine\"\ntech,plain\nsport,\"never closed\ntech,more\n");
        await Fails(Train(open), "open.csv", "line 4", "quote");
        // TSV has no quoting: a stray quote is text.
        var tsv = Write("quote.tsv", "label\ttext\n" + Rows(4) + "sport\t\"an unclosed quote in a tweet\n");
        (code, _, err) = await CliRunner.Run(Evaluate(tsv));
        Assert.That(code, Is.EqualTo(0), err);
    }

    [Test]
    public async Task LabelsTheModelDoesNotKnowAndSingleClassTraining()
    {
        var test = Write("test.tsv", "label\ttext\n" + Rows(2) + "politics\tthe vote was close\n");
        await Fails(Evaluate(test), "label 'politics'", "test.tsv", "not one of the model's classes");
        var one = Write("one.tsv", "label\ttext\n" + string.Concat(Enumerable.Range(0, 8).Select(i => $"sport\tthe team won match {i}\n")));
        await Fails(Train(one), "only one class");
        await Fails(Train(one, "--trainer", "fasttree"), "only one class");
        var blank = Write("blanklabel.tsv", "label\ttext\n" + Rows(4) + "\tno label here\n");
        await Fails(Train(blank), "document 5 has an empty label");
    }

    [Test]
    public async Task FiftyMegabyteSingleLineIsRefusedQuicklyWithAShortMessage()
    {
        var big = new byte[50 << 20];
        big.AsSpan().Fill((byte)'a');
        var p = WriteBytes("oneline.tsv", big);
        var sw = System.Diagnostics.Stopwatch.StartNew();
        await Fails(Train(p), "oneline.tsv", "no documents");
        Assert.That(sw.Elapsed.TotalSeconds, Is.LessThan(20));
        File.Delete(p);
    }

    /// <summary>Damaged, foreign and old model files, for every command that reads a model.</summary>
    private Dictionary<string, (string Path, string Message)> BadModels()
    {
        var good = File.ReadAllBytes(_model);
        var corrupt = (byte[])good.Clone();
        // Damage the middle of the compressed data (the zip directory at the end stays readable).
        for (int i = corrupt.Length / 3; i < corrupt.Length / 3 + 400; i++) corrupt[i] ^= 0x5A;
        string old = Path.Combine(_dir, "old.zip"), foreign = Path.Combine(_dir, "foreign.zip"), notClassifier = Path.Combine(_dir, "minmax.zip");
        if (!File.Exists(old))
        {
            using (var zip = ZipFile.Open(old, ZipArchiveMode.Create))
            using (var w = new StreamWriter(zip.CreateEntry("manifest.json").Open()))
                w.Write("{\"format\": \"VaeText.Model\", \"version\": 3, \"entries\": []}");
            using (var zip = ZipFile.Open(foreign, ZipArchiveMode.Create))
            using (var w = new StreamWriter(zip.CreateEntry("readme.txt").Open()))
                w.Write("hello");
            var ml = new MLContext(1);
            var data = ml.Data.LoadFromEnumerable(new[] { new Num { X = 1 }, new Num { X = 3 } });
            ml.Model.Save(ml.Transforms.NormalizeMinMax("X").Fit(data), data.Schema, notClassifier);
        }
        return new()
        {
            ["text"] = (Write("text.zip", "this is not a zip"), "is not a model zip"),
            ["truncated"] = (WriteBytes("truncated.zip", good[..(good.Length / 2)]), "is not a model zip"),
            ["corrupt"] = (WriteBytes("corrupt.zip", corrupt), "'corrupt.zip'"),
            ["empty"] = (WriteBytes("empty.zip", []), "is not a model zip"),
            ["foreign"] = (foreign, "is a zip file but not an ML.NET model"),
            ["old"] = (old, "earlier VaeText version"),
            ["not-classifier"] = (notClassifier, "not a vaetext text classifier"),
        };
    }

    private sealed class Num
    {
        public float X { get; set; }
    }

    [TestCase("evaluate")]
    [TestCase("predict")]
    [TestCase("featurize")]
    [TestCase("topics")]
    [TestCase("sample")]
    [TestCase("reconstruct")]
    public async Task DamagedForeignAndOldModelFiles(string command)
    {
        foreach (var (kind, (path, message)) in BadModels())
        {
            string[] args = command switch
            {
                "evaluate" => [command, "--model", path, "--dataset", _good],
                "featurize" => [command, "--model", path, "--dataset", _good, "--out", Path.Combine(_dir, "z.tsv")],
                "predict" or "reconstruct" => [command, "--model", path, "--text", "a goal"],
                _ => [command, "--model", path],
            };
            // ML.NET models that are not classifiers are fine for the VAE commands as long as they hold a VAE; this one has none.
            string expected = kind == "not-classifier" && command is "topics" or "sample" or "reconstruct" ? "no VAE" : message;
            await Fails(args, "--model", expected);
            if (kind is "old" or "foreign" or "text" or "truncated" or "corrupt" or "empty")
            {
                var (_, _, err) = await CliRunner.Run(args);
                Assert.That(err, Does.Contain("retrain"), kind);
            }
        }
    }

    [Test]
    public async Task ModelsWithoutAVae()
    {
        await Fails(Featurize(_good), "has no VAE");
        await Fails(["topics", "--model", _model], "has no VAE");
        await Fails(["sample", "--model", _model], "no VAE");
        await Fails(["reconstruct", "--model", _model, "--text", "x"], "no VAE");
    }

    [Test]
    public async Task FeaturizeOutputInAMissingFolder()
    {
        await Fails(["featurize", "--model", _model, "--dataset", _good, "--out", Path.Combine(_dir, "nope", "z.tsv")], "folder does not exist");
    }
}

/// <summary>Randomly damaged TSV files through `vaetext train`: exit 0 or a one-line error (never an internal error), a model exactly on success.</summary>
[NonParallelizable]
public class MutatedDataTests
{
    [Test]
    public async Task MutatedTsvFilesThroughTrain()
    {
        var scratch = TestFiles.TempDir();
        try
        {
            var rng = new Random(13);
            var seed = Encoding.UTF8.GetBytes("label\ttext\n" + string.Concat(Enumerable.Range(0, 12).Select(i => i % 2 == 0 ? $"sport\tthe team won match {i}\n" : $"tech\tthe phone chip {i}\n")));
            byte[] specials = [(byte)'\t', (byte)'\n', (byte)'\r', (byte)'"', 0, 0xC3, 0xFF, 0x80, (byte)','];
            int failures = 0;
            for (int i = 0; i < 24; i++)
            {
                var input = seed.ToList();
                for (int k = 0, n = i == 0 ? 0 : 1 + rng.Next(4); k < n; k++)
                {
                    int at = rng.Next(input.Count);
                    switch (rng.Next(3))
                    {
                        case 0: input[at] = specials[rng.Next(specials.Length)]; break;
                        case 1: input.Insert(at, specials[rng.Next(specials.Length)]); break;
                        default: input.RemoveRange(at, Math.Min(input.Count - at, 1 + rng.Next(8))); break;
                    }
                }
                string data = Path.Combine(scratch, "in.tsv"), model = Path.Combine(scratch, "m.zip");
                File.WriteAllBytes(data, [.. input]);
                if (File.Exists(model)) File.Delete(model);
                var (code, _, err) = await CliRunner.Run("train", "--dataset", data, "--model", model, "--featurizer", "ngrams");
                Assert.That(code, Is.EqualTo(0).Or.EqualTo(1), $"input {i}: {err}");
                if (code != 0) { failures++; CliRunner.AssertOneLineError(err); }
                Assert.That(File.Exists(model), Is.EqualTo(code == 0), $"input {i}");
                Assert.That(Directory.GetFiles(scratch).Length, Is.EqualTo(code == 0 ? 2 : 1), "no temporary file");
            }
            Assert.That(failures, Is.InRange(1, 23), "some inputs are refused, the unmutated one is not");
        }
        finally { Directory.Delete(scratch, true); }
    }
}
