using NUnit.Framework;
using VaeText.Text;

namespace VaeText.Tests.Text;

public class VocabularyTests
{
    private static IReadOnlyList<string>[] Docs(params string[] docs) =>
        docs.Select(d => (IReadOnlyList<string>)d.Split(' ', StringSplitOptions.RemoveEmptyEntries)).ToArray();

    [Test]
    public void RanksByDocumentFrequencyThenOrdinal()
    {
        var v = Vocabulary.Build(Docs("b a a c", "c b d", "b e", "z y"), new VocabularyOptions { MaxSize = 0 });
        // df: b=3, c=2, a=1, d=1, e=1, y=1, z=1 (a counted once in doc 0)
        Assert.That(v.Terms, Is.EqualTo(new[] { "b", "c", "a", "d", "e", "y", "z" }));
        Assert.That(v.DocumentFrequencies, Is.EqualTo(new[] { 3, 2, 1, 1, 1, 1, 1 }));
        Assert.That(v.DocumentCount, Is.EqualTo(4));
        Assert.That(v.TryGetId("c", out int id), Is.True);
        Assert.That(id, Is.EqualTo(1));
        Assert.That(v.TryGetId("c".AsSpan(), out id), Is.True);
        Assert.That(id, Is.EqualTo(1));
        Assert.That(v.TryGetId("q", out _), Is.False);
        Assert.That(v[6], Is.EqualTo("z"));
        Assert.Throws<ArgumentOutOfRangeException>(() => _ = v[7]);
    }

    [Test]
    public void TiesUseCodePointOrder()
    {
        // U+FF21 (BMP, above the surrogates) sorts before U+1F600 by code point, after it by UTF-16 units.
        var v = Vocabulary.Build(Docs("\U0001F600 \uFF21 B a"), new VocabularyOptions { MaxSize = 0 });
        Assert.That(v.Terms, Is.EqualTo(new[] { "B", "a", "\uFF21", "\U0001F600" }));
    }

    [Test]
    public void FiltersApply()
    {
        var docs = Docs("the cat sat", "the dog sat", "the cat ran", "a bird");
        var v = Vocabulary.Build(docs, new VocabularyOptions { MinDocumentFrequency = 2, MaxSize = 0 });
        Assert.That(v.Terms, Is.EqualTo(new[] { "the", "cat", "sat" }));
        v = Vocabulary.Build(docs, new VocabularyOptions { MaxDocumentFrequency = 0.5, MaxSize = 0 });
        Assert.That(v.Terms, Is.EqualTo(new[] { "cat", "sat", "a", "bird", "dog", "ran" }));
        v = Vocabulary.Build(docs, new VocabularyOptions { StopWords = StopWords.English, MaxSize = 0 });
        Assert.That(v.Terms, Is.EqualTo(new[] { "cat", "sat", "bird", "dog", "ran" }));
        v = Vocabulary.Build(docs, new VocabularyOptions { MaxSize = 2 });
        Assert.That(v.Terms, Is.EqualTo(new[] { "the", "cat" }));
    }

    [Test]
    public void EmptyAfterFilteringIsAClearError()
    {
        var ex = Assert.Throws<ArgumentException>(() => Vocabulary.Build(Docs("a b", "c"), new VocabularyOptions { MinDocumentFrequency = 5 }));
        Assert.That(ex!.Message, Does.Contain("vocabulary is empty after filtering").And.Contain("2 documents").And.Contain("min df=5"));
        Assert.Throws<ArgumentOutOfRangeException>(() => Vocabulary.Build(Docs("a"), new VocabularyOptions { MaxDocumentFrequency = 0 }));
        Assert.Throws<ArgumentOutOfRangeException>(() => Vocabulary.Build(Docs("a"), new VocabularyOptions { MaxSize = -1 }));
    }

    [Test]
    public void ConstructorValidates()
    {
        var v = new Vocabulary(new[] { "x", "y" });
        Assert.That(v.Count, Is.EqualTo(2));
        Assert.That(v.DocumentFrequencies, Is.EqualTo(new[] { 0, 0 }));
        Assert.Throws<ArgumentException>(() => new Vocabulary(new[] { "x", "x" }));
        Assert.Throws<ArgumentException>(() => new Vocabulary(new[] { "x", "" }));
        Assert.Throws<ArgumentException>(() => new Vocabulary(new[] { "x" }, new[] { 5 }, 3));
    }

    [Test]
    public void RoundTrips()
    {
        var v = Vocabulary.Build(Docs("über straße 中文", "straße \U00020BB7", "x"), new VocabularyOptions { MaxSize = 0 });
        var back = Vocabulary.ReadFrom(new BinaryReader(new MemoryStream(Serialize(v))));
        Assert.That(back.Terms, Is.EqualTo(v.Terms));
        Assert.That(back.DocumentFrequencies, Is.EqualTo(v.DocumentFrequencies));
        Assert.That(back.DocumentCount, Is.EqualTo(3));
    }

    private static byte[] Serialize(Vocabulary v)
    {
        var ms = new MemoryStream();
        using (var w = new BinaryWriter(ms, System.Text.Encoding.UTF8, leaveOpen: true)) v.WriteTo(w);
        return ms.ToArray();
    }

    [Test]
    public void CorruptInputIsRejected()
    {
        var bytes = Serialize(new Vocabulary(new[] { "ab", "cd" }, new[] { 1, 2 }, 2));
        InvalidDataException Read(byte[] b) => Assert.Throws<InvalidDataException>(() => Vocabulary.ReadFrom(new BinaryReader(new MemoryStream(b))))!;

        var bad = (byte[])bytes.Clone(); bad[0] = (byte)'X';
        Assert.That(Read(bad).Message, Does.Contain("signature"));
        Assert.That(Read(bytes[..^3]).Message, Does.Contain("truncated"));
        bad = (byte[])bytes.Clone(); BitConverter.GetBytes(-5).CopyTo(bad, 20);       // term count
        Assert.That(Read(bad).Message, Does.Contain("term count -5"));
        bad = (byte[])bytes.Clone(); BitConverter.GetBytes(1 << 30).CopyTo(bad, 24);  // first term length
        Assert.That(Read(bad).Message, Does.Contain("byte length"));
        bad = (byte[])bytes.Clone(); BitConverter.GetBytes(99).CopyTo(bad, 30);       // first df > doc count
        Assert.That(Read(bad).Message, Does.Contain("document frequency 99"));
        bad = (byte[])bytes.Clone(); bad[38] = (byte)'a'; bad[39] = (byte)'b';         // second term = first
        Assert.That(Read(bad).Message, Does.Contain("repeated"));
        bad = (byte[])bytes.Clone(); bad[28] = 0xFF;                                    // invalid UTF-8
        Assert.That(Read(bad).Message, Does.Contain("UTF-8"));
        bad = (byte[])bytes.Clone(); BitConverter.GetBytes(7).CopyTo(bad, 8); BitConverter.GetBytes(7).CopyTo(bad, 12);
        Assert.That(Read(bad).Message, Does.Contain("version"));
    }
}
