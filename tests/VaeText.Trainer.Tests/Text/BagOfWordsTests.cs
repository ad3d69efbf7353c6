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

    /// <summary>The cache returns what BagOfWords computes, and computes again when the texts or a setting differ.</summary>
    [Test]
    public void CacheReusesOnlyEqualTextsAndSettings()
    {
        var texts = RandomTexts(300, 4);
        var tokOpts = new TokenizerOptions();
        var vocabOpts = new VocabularyOptions { MaxSize = 6, StopWords = new HashSet<string> { "alpha" } };
        var cache = new BagOfWordsCache();
        cache.Fit(texts, tokOpts, vocabOpts, out var v1, out var m1, 2);
        BagOfWords.Fit(texts, tokOpts, vocabOpts, out var vRef, out var mRef, 1);
        Assert.That(v1.Terms, Is.EqualTo(vRef.Terms));
        Assert.That((m1.RowPtr, m1.Indices, m1.Values), Is.EqualTo((mRef.RowPtr, mRef.Indices, mRef.Values)));
        // Equal texts in another list, equal settings in other objects: the same result, not recomputed.
        cache.Fit(texts.ToList(), tokOpts.Clone(), vocabOpts.Clone(), out var v2, out var m2, 1);
        Assert.That(v2, Is.SameAs(v1));
        Assert.That(m2, Is.SameAs(m1));
        var tok = new Tokenizer(tokOpts);
        Assert.That(cache.Build(texts.ToArray(), tok, v1, 1), Is.SameAs(m1), "the fit's own matrix");
        Assert.That(cache.Computed, Is.EqualTo(1));
        // Other texts, another setting, another stop-word list, another tokenizer or vocabulary: computed afresh.
        var other = RandomTexts(200, 8);
        var built = cache.Build(other, tok, v1, 1);
        AssertEqualsNaive(built, other, tok, v1);
        Assert.That(cache.Build(other, tok, v1, 1), Is.SameAs(built));
        var edited = texts.ToArray(); edited[17] += " gamma";
        cache.Fit(edited, tokOpts, vocabOpts, out _, out var m3, 1);
        Assert.That(m3, Is.Not.SameAs(m1));
        cache.Fit(texts, tokOpts, new VocabularyOptions { MaxSize = 7, StopWords = vocabOpts.StopWords }, out var v4, out _, 1);
        Assert.That(v4.Count, Is.EqualTo(7));
        cache.Fit(texts, tokOpts, new VocabularyOptions { MaxSize = 6, StopWords = new HashSet<string> { "beta" } }, out var v5, out _, 1);
        Assert.That(v5.Terms, Does.Contain("alpha"));
        var upper = new TokenizerOptions { LowerCase = false };
        var m6 = cache.Build(texts, new Tokenizer(upper), v1, 1);
        AssertEqualsNaive(m6, texts, new Tokenizer(upper), v1);
        Assert.That(cache.Computed, Is.EqualTo(6));
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
