using NUnit.Framework;
using VaeText.Text;

namespace VaeText.Tests.Text;

public class BagOfWordsTests
{
    private static string[] RandomTexts(int n, int seed)
    {
        var rng = new VaeText.Core.Rng(seed);
        string[] words = ["alpha", "Beta", "gamma", "delta", "ε", "中", "文", "x1", "y_2", "don't", "Zeta"];
        var texts = new string[n];
        for (int i = 0; i < n; i++)
        {
            int len = rng.NextInt(30);
            texts[i] = string.Join(i % 3 == 0 ? " " : ", ", Enumerable.Range(0, len).Select(_ => words[rng.NextInt(words.Length)]));
        }
        return texts;
    }

    private static void AssertEqualsNaive(VaeText.Tensors.CsrMatrix m, string[] texts, Tokenizer tok, Vocabulary v)
    {
        Assert.That(m.Rows, Is.EqualTo(texts.Length));
        Assert.That(m.Columns, Is.EqualTo(v.Count));
        for (int r = 0; r < texts.Length; r++)
        {
            var expected = new SortedDictionary<int, float>();
            foreach (var t in tok.Tokenize(texts[r]))
                if (v.TryGetId(t, out int id)) expected[id] = expected.GetValueOrDefault(id) + 1;
            var cols = m.Indices[m.RowPtr[r]..m.RowPtr[r + 1]];
            var vals = m.Values[m.RowPtr[r]..m.RowPtr[r + 1]];
            Assert.That(cols, Is.EqualTo(expected.Keys.ToArray()), $"row {r}");
            Assert.That(vals, Is.EqualTo(expected.Values.ToArray()), $"row {r}");
        }
    }

    [Test]
    public void BuildEqualsNaiveCounts()
    {
        var texts = RandomTexts(700, 5);
        var tok = Tokenizer.Default;
        var v = Vocabulary.Build(texts.Select(t => (IReadOnlyList<string>)tok.Tokenize(t)), new VocabularyOptions { MaxSize = 8 });
        AssertEqualsNaive(BagOfWords.Build(texts, tok, v, maxThreads: 3), texts, tok, v);
        var pre = BagOfWords.Build(texts.Select(t => (IReadOnlyList<string>)tok.Tokenize(t)).ToArray(), v, maxThreads: 2);
        AssertEqualsNaive(pre, texts, tok, v);
    }

    [Test]
    public void FitMatchesSeparateStepsForAnyThreadCount()
    {
        var texts = RandomTexts(900, 9);
        var tokOpts = new TokenizerOptions { CjkBigrams = true };
        var tok = new Tokenizer(tokOpts);
        var vocabOpts = new VocabularyOptions { MaxSize = 10, MaxDocumentFrequency = 0.9 };
        var expectedVocab = Vocabulary.Build(texts.Select(t => (IReadOnlyList<string>)tok.Tokenize(t)), vocabOpts);
        foreach (int threads in new[] { 1, 2, 5 })
        {
            BagOfWords.Fit(texts, tokOpts, vocabOpts, out var v, out var m, threads);
            Assert.That(v.Terms, Is.EqualTo(expectedVocab.Terms));
            Assert.That(v.DocumentFrequencies, Is.EqualTo(expectedVocab.DocumentFrequencies));
            AssertEqualsNaive(m, texts, tok, v);
        }
    }

    [Test]
    public void EmptyInputsAndErrors()
    {
        var v = new Vocabulary(new[] { "a" });
        var m = BagOfWords.Build(Array.Empty<string>(), Tokenizer.Default, v);
        Assert.That(m.Rows, Is.EqualTo(0));
        Assert.Throws<ArgumentException>(() => BagOfWords.Build(new string[] { "a", null! }, Tokenizer.Default, v));
        Assert.Throws<ArgumentException>(() => BagOfWords.Fit(new[] { "...", "!!" }, null, null, out _, out _));
    }
}
