using System.Text;
using VaeText.Tests.Support;
using NUnit.Framework;
using VaeText.Data;
using VaeText.Trainers;
using VaeText.Transforms;

namespace VaeText.Tests.Reliability;

/// <summary>
/// The catalogue of broken inputs, through the library (LabeledTextCorpus, TextLoader, VaeLatent, trainers) : each gives a clear error naming file, line and column where it applies, or a
/// documented behaviour (docs/RELIABILITY.md).
/// </summary>
[NonParallelizable]
public class BadDataTests
{
    private string _dir = "";

    [SetUp] public void MakeDir() => _dir = TestFiles.TempDir();
    [TearDown] public void RemoveDir() { try { Directory.Delete(_dir, true); } catch (IOException) { } }

    private string Write(string name, string content) => WriteBytes(name, Encoding.UTF8.GetBytes(content));

    private string WriteBytes(string name, byte[] bytes)
    {
        var p = Path.Combine(_dir, name);
        File.WriteAllBytes(p, bytes);
        return p;
    }

    /// <summary>Ten good rows (two classes) as TSV lines.</summary>
    private static string Rows(int n = 10) => string.Concat(Enumerable.Range(0, n).Select(i =>
        i % 2 == 0 ? $"sport\tthe team won the match with a late goal {i}\n" : $"tech\tthe new phone ships with a faster chip {i}\n"));

    private static DataFormatException CorpusFails(string path) =>
        Assert.Throws<DataFormatException>(() => LabeledTextCorpus.Load(path))!;

    [Test]
    public void MissingFile()
    {
        var p = Path.Combine(_dir, "nope.tsv");
        var e = Assert.Throws<FileNotFoundException>(() => LabeledTextCorpus.Load(p))!;
        Assert.That(e.Message, Does.Contain(p));
    }

    [Test]
    public void EmptyFileAndBomOnly()
    {
        foreach (var bytes in new[] { Array.Empty<byte>(), new byte[] { 0xEF, 0xBB, 0xBF }, "\n\n\n"u8.ToArray() })
        {
            var p = WriteBytes("empty.tsv", bytes);
            var e = CorpusFails(p);
            Assert.That(e.Message, Does.Contain("empty.tsv").And.Contain("empty"));
        }
    }

    [Test]
    public void HeaderOnly()
    {
        var p = Write("header.tsv", "label\ttext\n");
        Assert.That(CorpusFails(p).Message, Does.Contain("no documents"));
    }

    [Test]
    public void MissingOrMisnamedColumn()
    {
        var p = Write("cols.tsv", "label\tbody\n" + Rows().Replace("\t", "\t"));
        var e = CorpusFails(p);
        Assert.That(e.Message, Does.Contain("no column named 'text'").And.Contain("'label', 'body'").And.Contain("line 1"));
        // A column found ignoring case is accepted.
        var q = Write("case.tsv", "Label\tTEXT\n" + Rows());
        Assert.That(LabeledTextCorpus.Load(q).Count, Is.EqualTo(10));
        // The library loader: a column the schema does not have fails at GetOutputSchema, naming it.
        var ctx = new VaeTextContext(1);
        var view = ctx.Data.LoadFromTextFile(p, [new TextLoader.Column("Label", DataKind.String, 0), new TextLoader.Column("Body", DataKind.String, 1)], hasHeader: true);
        var ex = Assert.Catch<ArgumentException>(() => ctx.Transforms.VaeLatent(new VaeLatentEstimator.Options { InputColumnName = "Text" }).GetOutputSchema(SchemaShape.Create(view.Schema)))!;
        Assert.That(ex.Message, Does.Contain("'Text'"));
    }

    [Test]
    public void WrongSeparator()
    {
        var p = Write("wrongsep.tsv", "label,text\n" + Rows().Replace('\t', ','));
        var e = CorpusFails(p);
        Assert.That(e.Message, Does.Contain("no column named 'label'").And.Contain("comma-separated"));
    }

    [Test]
    public void RaggedRows()
    {
        var p = Write("ragged.tsv", "label\ttext\n" + Rows(4) + "sport\tone\textra field\n" + Rows(2));
        var e = CorpusFails(p);
        Assert.That(e.Line, Is.EqualTo(6));
        Assert.That(e.Message, Does.Contain("ragged.tsv").And.Contain("line 6"));
        var q = Write("short.tsv", "label\ttext\n" + Rows(3) + "sport\n" + Rows(2));
        Assert.That(CorpusFails(q).Line, Is.EqualTo(5));
    }

    [Test]
    public void UnclosedQuotes()
    {
        // CSV (quoting on): the quote opened on line 4 is never closed.
        var p = Write("open.csv", "label,text\nsport,\"fine\"\ntech,plain\nsport,\"never closed\ntech,more\n");
        var e = CorpusFails(p);
        Assert.That(e.Line, Is.EqualTo(4));
        Assert.That(e.Message, Does.Contain("open.csv").And.Contain("quote"));
        // TSV (quoting off): a stray quote is just text.
        var q = Write("quote.tsv", "label\ttext\n" + Rows(4) + "sport\t\"an unclosed quote in a tweet\n");
        Assert.That(LabeledTextCorpus.Load(q).Texts[^1], Is.EqualTo("\"an unclosed quote in a tweet"));
    }

    [Test]
    public void InvalidUtf8()
    {
        var good = Encoding.UTF8.GetBytes("label\ttext\n" + Rows(3));
        var bad = good.Concat(new byte[] { (byte)'t', (byte)'e', (byte)'c', (byte)'h', 9, (byte)'a', 0xC3, 0x28, (byte)'b', 10 }).ToArray();
        var p = WriteBytes("latin.tsv", bad);
        var e = CorpusFails(p);
        Assert.That(e.Line, Is.EqualTo(5));
        Assert.That(e.ColumnNumber, Is.EqualTo(2));
        Assert.That(e.Message, Does.Contain("UTF-8").And.Contain("latin.tsv").And.Contain("text"));
    }

    [Test]
    public void FiftyMegabyteSingleLine()
    {
        // One 50 MB line without a newline or a tab: the "header" is one enormous column name.
        var big = new byte[50 << 20];
        big.AsSpan().Fill((byte)'a');
        var p = WriteBytes("oneline.tsv", big);
        var sw = System.Diagnostics.Stopwatch.StartNew();
        var e = CorpusFails(p);
        Assert.That(e.Message.Length, Is.LessThan(1000), "the message quotes a shortened header");
        Assert.That(e.Message, Does.Contain("no column named 'label'"));
        Assert.That(sw.Elapsed.TotalSeconds, Is.LessThan(20));
    }

    [Test]
    public void FiftyMegabyteDocumentIsReadWhole()
    {
        // A header and one 50 MB document: read whole (no silent truncation), then tokenized.
        var sb = new StringBuilder("label\ttext\nsport\ta few short words\ntech\t", 50 << 20);
        while (sb.Length < 50 << 20) sb.Append("word ");
        sb.Append('\n');
        var p = Write("big.tsv", sb.ToString());
        var corpus = LabeledTextCorpus.Load(p);
        Assert.That(corpus.Count, Is.EqualTo(2));
        Assert.That(corpus.Texts[1].Length, Is.GreaterThan(50 << 20 - 20));
        Assert.That(corpus.Texts[1], Does.StartWith("word word"));
    }

    [Test]
    public void EmptyAndWhitespaceTextsEncodeToTheEmptyBag()
    {
        var p = Write("blank.tsv", "label\ttext\n" + Rows(10) + "sport\t\ntech\t   \t\n".Replace("   \t", "   "));
        var corpus = LabeledTextCorpus.Load(p);
        Assert.That(corpus.Texts[^2..], Is.EqualTo(new[] { "", "   " }));
        // Library: the VAE step maps every text without a known word to the same vector (the encoder's output for
        // the empty bag, documented), never NaN.
        var ctx = new VaeTextContext(1);
        var data = ctx.Data.LoadFromEnumerable(corpus.Texts.Select((t, i) => new Pipeline.Review { Label = corpus.Labels[i], Text = t }).ToArray());
        var vae = ctx.Transforms.VaeLatent(new VaeLatentEstimator.Options { InputColumnName = "Text", LatentSize = 3, EncoderHiddenSizes = [8], Epochs = 2 }).Fit(data);
        var means = vae.EncodeMeans(["", "   ", "zzzz unknown qqqq", "the team won"]);
        Assert.That(means.All(float.IsFinite));
        Assert.That(means[0..3], Is.EqualTo(means[3..6]));
        Assert.That(means[0..3], Is.EqualTo(means[6..9]));
        Assert.That(means[0..3], Is.Not.EqualTo(means[9..12]));
    }

    [Test]
    public void AllTextsEmptyOrUnknownGiveAnEmptyVocabularyError()
    {
        var p = Write("novocab.tsv", "label\ttext\nsport\t\ntech\t  \nsport\t!!!\ntech\t...\n");
        var ctx = new VaeTextContext(1);
        var corpus = LabeledTextCorpus.Load(p);
        var data = ctx.Data.LoadFromEnumerable(corpus.Texts.Select((t, i) => new Pipeline.Review { Label = corpus.Labels[i], Text = t }).ToArray());
        var ex = Assert.Catch(() => ctx.Transforms.VaeLatent(new VaeLatentEstimator.Options { InputColumnName = "Text", LatentSize = 2, Epochs = 1 }).Fit(data))!;
        Assert.That(ex, Is.InstanceOf<InvalidOperationException>().Or.InstanceOf<ArgumentException>());
        Assert.That(ex.Message, Does.Contain("vocabulary").And.Contain("empty"));
        // Stop words only / a document-frequency filter that removes every word.
        var q = Write("filtered.tsv", "label\ttext\n" + Rows(10));
        corpus = LabeledTextCorpus.Load(q);
        data = ctx.Data.LoadFromEnumerable(corpus.Texts.Select((t, i) => new Pipeline.Review { Label = corpus.Labels[i], Text = t }).ToArray());
        ex = Assert.Catch(() => ctx.Transforms.VaeLatent(new VaeLatentEstimator.Options { InputColumnName = "Text", LatentSize = 2, Epochs = 1, MinDocumentFrequency = 100 }).Fit(data))!;
        Assert.That(ex.Message, Does.Contain("vocabulary").And.Contain("empty"));
    }

    [Test]
    public void SingleClass()
    {
        var p = Write("one.tsv", "label\ttext\n" + string.Concat(Enumerable.Range(0, 8).Select(i => $"sport\tthe team won match {i}\n")));
    }
}

public class UnseenLabelTests
{
    [Test]
    public void LibraryEvaluationLeavesOutRowsWhoseLabelTheModelNeverSaw()
    {
        // ML.NET's rule: MapValueToKey maps an unseen label to the missing key, and Evaluate skips missing labels.
        var ctx = new VaeTextContext(1);
        var train = ctx.Data.LoadFromEnumerable(Pipeline.Workout.Reviews);
        var model = ctx.Transforms.Conversion.MapValueToKey("Label")
            .Append(ctx.Transforms.Text.FeaturizeText("Features", "Text"))
            .Append(ctx.MulticlassClassification.Trainers.SdcaMaximumEntropy("Label", "Features")).Fit(train);
        var known = Pipeline.Workout.Reviews.Take(5).ToArray();
        var withUnseen = known.Append(new Pipeline.Review { Label = "politics", Text = "the vote was close" }).ToArray();
        var a = ctx.MulticlassClassification.Evaluate(model.Transform(ctx.Data.LoadFromEnumerable(withUnseen)));
        var b = ctx.MulticlassClassification.Evaluate(model.Transform(ctx.Data.LoadFromEnumerable(known)));
        Assert.That(a.MacroAccuracy, Is.EqualTo(b.MacroAccuracy));
        Assert.That(a.LogLoss, Is.EqualTo(b.LogLoss));
    }
}

public class NonFiniteFeatureTests
{
    private static Pipeline.NumRow[] Rows(float bad, int badRow)
    {
        var rows = new Pipeline.NumRow[40];
        var r = new VaeText.Core.Rng(4);
        for (int i = 0; i < rows.Length; i++)
        {
            float x = (float)r.NextDouble();
            rows[i] = new Pipeline.NumRow { Label = x > 0.5f ? "hi" : "lo", A = x, V = [x * 2, 1 - x, (float)r.NextDouble()] };
        }
        rows[badRow].V[1] = bad;
        return rows;
    }

    private static IEnumerable<(string Name, Func<VaeTextContext, IEstimator<ITransformer>> Make)> Trainers()
    {
        yield return ("sdca", c => c.MulticlassClassification.Trainers.SdcaMaximumEntropy("Key", "Features"));
        yield return ("fasttree", c => c.MulticlassClassification.Trainers.FastTree("Key", "Features", numberOfLeaves: 4, numberOfTrees: 3, minimumExampleCountPerLeaf: 2));
        yield return ("minmax", c => c.Transforms.NormalizeMinMax("N", "Features"));
        yield return ("meanvar", c => c.Transforms.NormalizeMeanVariance("N", "Features"));
    }

    private static IEstimator<ITransformer> Pipe(VaeTextContext c, Func<VaeTextContext, IEstimator<ITransformer>> make) =>
        c.Transforms.Conversion.MapValueToKey("Key", "Label").Append(c.Transforms.Concatenate("Features", "A", "V")).Append(make(c));

    [Test]
    public void InfinityIsRejectedBySdcaAndNormalizersNamingColumnRowAndSlot([Values(float.PositiveInfinity, float.NegativeInfinity)] float bad)
    {
        foreach (var (name, make) in Trainers().Where(t => t.Name != "fasttree"))
        {
            var ctx = new VaeTextContext(1);
            var data = ctx.Data.LoadFromEnumerable(Rows(bad, 17));
            Exception? ex = null;
            try { Pipe(ctx, make).Fit(data); } catch (Exception e) { ex = e; }
            Assert.That(ex, Is.InstanceOf<ArgumentException>().Or.InstanceOf<InvalidOperationException>(), name);
            Assert.That(ex!.Message, Does.Contain("'Features'").And.Contain("row 17").And.Contain("slot 2").And.Contain(bad.ToString()), name);
        }
    }

    [Test]
    public void InfinityIsAnExtremeValueForFastTree()
    {
        // Trees only compare feature values, so ±∞ sorts into the outermost bin: accepted, predictions finite.
        var ctx = new VaeTextContext(1);
        var rows = Rows(float.PositiveInfinity, 17);
        rows[3].V[1] = float.NegativeInfinity;
        var model = Pipe(ctx, Trainers().First(t => t.Name == "fasttree").Make).Fit(ctx.Data.LoadFromEnumerable(rows));
        var scores = Pipeline.Workout.ReadAll(model.Transform(ctx.Data.LoadFromEnumerable(rows)));
        int si = model.Transform(ctx.Data.LoadFromEnumerable(rows)).Schema.Where(c => !c.IsHidden).ToList().FindIndex(c => c.Name == "Score");
        Assert.That(scores.SelectMany(r => (float[])r[si]).All(float.IsFinite));
    }

    [Test]
    public void NaNFeatureRowsAreSkippedByTrainers()
    {
        // ML.NET's rule: a row with a missing (NaN) feature is left out of training. The model equals one trained without it.
        foreach (var (name, make) in Trainers().Where(t => t.Name is "sdca" or "fasttree"))
        {
            var ctx = new VaeTextContext(1);
            var withNaN = Rows(float.NaN, 17);
            var without = Rows(0, 17).Where((_, i) => i != 17).ToArray();
            var probe = ctx.Data.LoadFromEnumerable(without);
            var a = Pipe(ctx, make).Fit(ctx.Data.LoadFromEnumerable(withNaN)).Transform(probe);
            var b = Pipe(new VaeTextContext(1), make).Fit(ctx.Data.LoadFromEnumerable(without)).Transform(probe);
            Pipeline.Workout.AssertIdentical(a, b);
        }
    }

    [Test]
    public void NaNIsLeftOutOfNormalizerStatistics()
    {
        var ctx = new VaeTextContext(1);
        var rows = Rows(float.NaN, 17);
        var others = rows.Where((_, i) => i != 17).Select(r => (double)r.V[1]).ToArray();
        double mean = others.Average(), std = Math.Sqrt(others.Select(x => (x - mean) * (x - mean)).Sum() / others.Length);
        var data = ctx.Data.LoadFromEnumerable(rows);
        var n = ctx.Transforms.NormalizeMeanVariance("N", "V").Fit(data);
        var output = Pipeline.Workout.ReadAll(n.Transform(data));
        int ni = n.Transform(data).Schema.Where(c => !c.IsHidden).ToList().FindIndex(c => c.Name == "N");
        Assert.That(((float[])output[0][ni])[1], Is.EqualTo(rows[0].V[1] / std).Within(1e-5));
        Assert.That(float.IsNaN(((float[])output[17][ni])[1]), "a missing value stays missing");
    }
}
