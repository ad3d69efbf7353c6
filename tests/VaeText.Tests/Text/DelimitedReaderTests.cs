using System.Text;
using NUnit.Framework;
using VaeText.Data;

namespace VaeText.Tests.Text;

public class DelimitedReaderTests
{
    private string _dir = "";

    [SetUp]
    public void SetUp()
    {
        _dir = Path.Combine(Path.GetTempPath(), "vaetext-reader-" + Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(_dir);
    }

    [TearDown]
    public void TearDown() => Directory.Delete(_dir, recursive: true);

    private string Write(string name, string content) => WriteBytes(name, Encoding.UTF8.GetBytes(content));

    private string WriteBytes(string name, byte[] content)
    {
        string p = Path.Combine(_dir, name);
        File.WriteAllBytes(p, content);
        return p;
    }

    private static List<DelimitedRow> ReadAll(string path, DelimitedReaderOptions? o = null)
    {
        using var r = DelimitedReader.Open(path, o);
        return r.ReadRows().ToList();
    }

    [Test]
    public void ReadsTsvWithQuotesAsText()
    {
        string p = Write("a.tsv", "label\ttext\npos\tHe said \"hi\nneg\t\"quoted\" start\n\nneg\tlast");
        using var r = DelimitedReader.Open(p);
        Assert.That(r.Header, Is.EqualTo(new[] { "label", "text" }));
        Assert.That(r.Separator, Is.EqualTo('\t'));
        Assert.That(r.Quoting, Is.False);
        var rows = r.ReadRows().ToList();
        Assert.That(rows.Select(x => x.Line), Is.EqualTo(new long[] { 2, 3, 5 }));
        Assert.That(rows[0][1], Is.EqualTo("He said \"hi"));
        Assert.That(rows[1][1], Is.EqualTo("\"quoted\" start"));
        Assert.Throws<InvalidOperationException>(() => r.ReadRows());
    }

    [Test]
    public void ReadsCsvWithRfc4180Quotes()
    {
        string p = Write("a.csv", "\uFEFFid,text\r\n1,\"a, b\"\r\n2,\"multi\r\nline \"\"q\"\"\"\r\n3,plain\r\n");
        var rows = ReadAll(p);
        Assert.That(rows.Select(x => x[1]), Is.EqualTo(new[] { "a, b", "multi\r\nline \"q\"", "plain" }));
        Assert.That(rows.Select(x => x.Line), Is.EqualTo(new long[] { 2, 3, 5 }));
        using var r = DelimitedReader.Open(p);
        Assert.That(r.Header[0], Is.EqualTo("id"), "the BOM is not part of the first name");
    }

    [Test]
    public void ResolvesColumns()
    {
        string p = Write("c.tsv", "Label\ttext\tTEXT\nx\ty\tz\n");
        using var r = DelimitedReader.Open(p);
        Assert.That(r.GetColumnIndex("text"), Is.EqualTo(1));
        Assert.That(r.GetColumnIndex("TEXT"), Is.EqualTo(2));
        Assert.That(r.GetColumnIndex("label"), Is.EqualTo(0));
        Assert.That(r.GetColumnIndex(2), Is.EqualTo(2));
        var ex = Assert.Throws<DataFormatException>(() => r.GetColumnIndex("body"))!;
        Assert.That(ex.Message, Does.Contain("c.tsv").And.Contain("column 'body'").And.Contain("'Label', 'text', 'TEXT'"));
        Assert.That(ex.ColumnName, Is.EqualTo("body"));
        ex = Assert.Throws<DataFormatException>(() => r.GetColumnIndex("Text"))!;
        Assert.That(ex.Message, Does.Contain("several"));
        ex = Assert.Throws<DataFormatException>(() => r.GetColumnIndex(3))!;
        Assert.That(ex.Message, Does.Contain("column index 3").And.Contain("3 columns"));
    }

    [Test]
    public void NoHeaderByIndex()
    {
        string p = Write("n.txt", "a\t1\nb\t2\n");
        using var r = DelimitedReader.Open(p, new DelimitedReaderOptions { HasHeader = false });
        Assert.That(r.FieldCount, Is.EqualTo(2));
        Assert.That(r.Header, Is.Empty);
        Assert.That(r.ReadRows().Select(x => x[r.GetColumnIndex(1)]), Is.EqualTo(new[] { "1", "2" }));
        Assert.Throws<DataFormatException>(() => r.GetColumnIndex("a"));
    }

    [Test]
    public void MissingFileNamesThePath()
    {
        string p = Path.Combine(_dir, "nope.tsv");
        var ex = Assert.Throws<FileNotFoundException>(() => DelimitedReader.Open(p))!;
        Assert.That(ex.Message, Does.Contain("nope.tsv"));
    }

    [Test]
    public void EmptyFileIsAnErrorHeaderOnlyIsEmpty()
    {
        var ex = Assert.Throws<DataFormatException>(() => DelimitedReader.Open(Write("e.tsv", "")))!;
        Assert.That(ex.Message, Does.Contain("e.tsv").And.Contain("empty"));
        Assert.Throws<DataFormatException>(() => DelimitedReader.Open(WriteBytes("bom.tsv", [0xEF, 0xBB, 0xBF])));
        Assert.That(ReadAll(Write("h.tsv", "label\ttext\n")), Is.Empty);
        var ex2 = Assert.Throws<DataFormatException>(() => LabeledTextCorpus.Load(Path.Combine(_dir, "h.tsv")))!;
        Assert.That(ex2.Message, Does.Contain("no documents"));
    }

    [Test]
    public void RaggedRowNamesFileAndLine()
    {
        string p = Write("rag.tsv", "label\ttext\na\tok\n\nb\tx\ty\n");
        var ex = Assert.Throws<DataFormatException>(() => ReadAll(p))!;
        Assert.That(ex.FilePath, Is.EqualTo(p));
        Assert.That(ex.Line, Is.EqualTo(4));
        Assert.That(ex.Message, Does.Contain("rag.tsv, line 4").And.Contain("3 fields"));
    }

    [Test]
    public void UnterminatedQuoteInCsv()
    {
        string p = Write("q.csv", "a,b\n1,2\n3,\"open\n4,5\n");
        var ex = Assert.Throws<DataFormatException>(() => ReadAll(p))!;
        Assert.That(ex.Message, Does.Contain("q.csv, line 3").And.Contain("never closed"));
    }

    [Test]
    public void InvalidUtf8NamesLineAndColumn()
    {
        var bytes = Encoding.UTF8.GetBytes("label\ttext\npos\tfine\nneg\tbad ").Concat(new byte[] { 0xC3, 0x28 }).Concat(Encoding.UTF8.GetBytes(" x\n")).ToArray();
        string p = WriteBytes("u.tsv", bytes);
        var ex = Assert.Throws<DataFormatException>(() => ReadAll(p))!;
        Assert.That(ex.Line, Is.EqualTo(3));
        Assert.That(ex.ColumnName, Is.EqualTo("text"));
        Assert.That(ex.ColumnNumber, Is.EqualTo(2));
        Assert.That(ex.Message, Does.StartWith(p + ", line 3, column 'text' (field 2): ").And.Contain("UTF-8"));
    }

    [Test]
    public void SeparatorInference()
    {
        Assert.That(DelimitedReader.InferSeparator("x.TSV"), Is.EqualTo('\t'));
        Assert.That(DelimitedReader.InferSeparator("x.txt"), Is.EqualTo('\t'));
        Assert.That(DelimitedReader.InferSeparator("x.csv"), Is.EqualTo(','));
        var ex = Assert.Throws<ArgumentException>(() => DelimitedReader.InferSeparator("x.dat"))!;
        Assert.That(ex.Message, Does.Contain(".dat"));
        // Explicit separator and quoting for TSV.
        string p = Write("x.dat", "a\tb\n\"1\t2\"\t3\n");
        var rows = ReadAll(p, new DelimitedReaderOptions { Separator = '\t', Quoting = true });
        Assert.That(rows[0][0], Is.EqualTo("1\t2"));
    }

    [Test]
    public void LabeledCorpusLoads()
    {
        string p = Write("c.tsv", "text\tLABEL\nhello world\tpos\nbad \"film\"\tneg\n");
        var c = LabeledTextCorpus.Load(p);
        Assert.That(c.Labels, Is.EqualTo(new[] { "pos", "neg" }));
        Assert.That(c.Texts, Is.EqualTo(new[] { "hello world", "bad \"film\"" }));
        Assert.That(c.Path, Is.EqualTo(p));
        Assert.That(c.ClassNames(), Is.EqualTo(new[] { "neg", "pos" }));
        string q = Write("d.tsv", "label\ttext\npos\tok\n \tmissing\n");
        var ex = Assert.Throws<DataFormatException>(() => LabeledTextCorpus.Load(q))!;
        Assert.That(ex.Message, Does.Contain("d.tsv, line 3, column 'label' (field 1)").And.Contain("empty"));
    }
}
