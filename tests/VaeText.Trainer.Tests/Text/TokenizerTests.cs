using NUnit.Framework;
using VaeText.Text;

namespace VaeText.Tests.Text;

public class TokenizerTests
{
    private static readonly Tokenizer Py = new(new TokenizerOptions { SplitCjk = false });

    // Expected values are Python 3.11's re.findall(r"[^\W_]+", text.lower()).
    [TestCase("Hello, World!", new[] { "hello", "world" })]
    [TestCase("don't stop", new[] { "don", "t", "stop" })]
    [TestCase("it’s snake_case and CamelCase", new[] { "it", "s", "snake", "case", "and", "camelcase" })]
    [TestCase("3.14 is pi; 2nd place, 1,000", new[] { "3", "14", "is", "pi", "2nd", "place", "1", "000" })]
    [TestCase("Café NAÏVE façade", new[] { "café", "naïve", "façade" })]
    [TestCase("cafe\u0301 x", new[] { "cafe", "x" })]
    [TestCase("I ❤️ emoji 😀ok", new[] { "i", "emoji", "ok" })]
    [TestCase("½ ² Ⅻ ٣", new[] { "½", "²", "ⅻ", "٣" })]
    [TestCase("ΟΔΟΣ ΣΑΣ.", new[] { "οδος", "σας" })]
    [TestCase("İstanbul", new[] { "i", "stanbul" })]
    [TestCase("__init__ a-b", new[] { "init", "a", "b" })]
    [TestCase("", new string[0])]
    [TestCase("  ...  ", new string[0])]
    public void MatchesPythonRule(string text, string[] expected)
    {
        Assert.That(Py.Tokenize(text), Is.EqualTo(expected));
        // The default (CJK splitting on) agrees on text without CJK characters.
        Assert.That(Tokenizer.Default.Tokenize(text), Is.EqualTo(expected));
    }

    [Test]
    public void CjkCharactersBecomeSingleTokens()
    {
        Assert.That(Tokenizer.Default.Tokenize("我爱北京 ok"), Is.EqualTo(new[] { "我", "爱", "北", "京", "ok" }));
        Assert.That(Tokenizer.Default.Tokenize("abc中文def"), Is.EqualTo(new[] { "abc", "中", "文", "def" }));
        Assert.That(Tokenizer.Default.Tokenize("ひらがなカタカナ"), Is.EqualTo(new[] { "ひ", "ら", "が", "な", "カ", "タ", "カ", "ナ" }));
        Assert.That(Tokenizer.Default.Tokenize("한국어 텍스트"), Is.EqualTo(new[] { "한", "국", "어", "텍", "스", "트" }));
        Assert.That(Py.Tokenize("我爱北京 ok"), Is.EqualTo(new[] { "我爱北京", "ok" }));
    }

    [Test]
    public void CjkBigramsFollowEachCharacter()
    {
        var tok = new Tokenizer(new TokenizerOptions { CjkBigrams = true });
        Assert.That(tok.Tokenize("北京大学。好"), Is.EqualTo(new[] { "北", "京", "北京", "大", "京大", "学", "大学", "好" }));
        // A supplementary-plane ideograph (U+20BB7) is one character.
        Assert.That(tok.Tokenize("\U00020BB7野"), Is.EqualTo(new[] { "\U00020BB7", "野", "\U00020BB7野" }));
    }

    [Test]
    public void OptionsApply()
    {
        var keepCase = new Tokenizer(new TokenizerOptions { LowerCase = false });
        Assert.That(keepCase.Tokenize("Hello World"), Is.EqualTo(new[] { "Hello", "World" }));
        var min3 = new Tokenizer(new TokenizerOptions { MinTokenLength = 3 });
        Assert.That(min3.Tokenize("a an the 中"), Is.EqualTo(new[] { "the", "中" }));
        var marks = new Tokenizer(new TokenizerOptions { KeepCombiningMarks = true });
        Assert.That(marks.Tokenize("cafe\u0301 x"), Is.EqualTo(new[] { "cafe\u0301", "x" }));
        var nfkc = new Tokenizer(new TokenizerOptions { NormalizeNfkc = true });
        Assert.That(nfkc.Tokenize("ＡＢＣ ﬁne cafe\u0301"), Is.EqualTo(new[] { "abc", "fine", "café" }));
        Assert.Throws<ArgumentOutOfRangeException>(() => new Tokenizer(new TokenizerOptions { MinTokenLength = 0 }));
        Assert.Throws<ArgumentException>(() => new Tokenizer(new TokenizerOptions { SplitCjk = false, CjkBigrams = true }));
    }

    [Test]
    public void LongTokensAndSpanOverload()
    {
        string longWord = new string('X', 1000);
        var list = new List<string>();
        Tokenizer.Default.Tokenize(("a " + longWord + " b").AsSpan(), list);
        Assert.That(list, Is.EqualTo(new[] { "a", new string('x', 1000), "b" }));
    }

    [Test]
    public void ThreadSafe()
    {
        var texts = Enumerable.Range(0, 200).Select(i => $"Doc {i} Über straße 中文 {i * 7}").ToArray();
        var expected = texts.Select(t => Tokenizer.Default.Tokenize(t)).ToArray();
        var got = new List<string>[texts.Length];
        Parallel.For(0, texts.Length, i => got[i] = Tokenizer.Default.Tokenize(texts[i]));
        for (int i = 0; i < texts.Length; i++) Assert.That(got[i], Is.EqualTo(expected[i]));
    }
}

public class TokenizerPythonFixtureTests
{
    [Test]
    public void MatchesPythonOnRandomMixedScriptText()
    {
        string? path = null;
        for (var d = new DirectoryInfo(TestContext.CurrentContext.TestDirectory); d is not null && path is null; d = d.Parent)
        {
            string p = Path.Combine(d.FullName, "tests", "VaeText.Trainer.Tests", "Text", "Fixtures", "python_tokens.tsv");
            if (File.Exists(p)) path = p;
        }
        Assert.That(path, Is.Not.Null, "fixture python_tokens.tsv not found");
        var tok = new Tokenizer(new TokenizerOptions { SplitCjk = false });
        int n = 0;
        foreach (var line in File.ReadLines(path!))
        {
            int tab = line.IndexOf('\t');
            string text = line[..tab];
            string[] expected = line[(tab + 1)..].Length == 0 ? [] : line[(tab + 1)..].Split('\u0001');
            Assert.That(tok.Tokenize(text), Is.EqualTo(expected), $"line {n + 1}: {text}");
            n++;
        }
        Assert.That(n, Is.GreaterThan(500));
    }
}
