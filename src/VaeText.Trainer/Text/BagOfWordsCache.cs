using System.Globalization;
using VaeText.Tensors;

namespace VaeText.Text;

/// <summary>
/// Remembers the vocabularies and count matrices built from the same texts, so that several VAEs trained on one
/// corpus (a comparison run trains three or four, with the same tokenizer and vocabulary settings) tokenize it once.
/// A result is reused only for texts equal string by string, the same tokenizer settings and the same vocabulary
/// settings (a fit) or the same vocabulary object (a matrix); what it returns is exactly what
/// <see cref="BagOfWords"/> would build. Safe for use from several threads; results are computed under a lock.
/// </summary>
internal sealed class BagOfWordsCache
{
    private readonly object _gate = new();
    private readonly List<(IReadOnlyList<string> Texts, string Settings, Vocabulary Vocabulary, CsrMatrix Counts)> _fits = new();
    private readonly List<(IReadOnlyList<string> Texts, string Tokenizer, Vocabulary Vocabulary, CsrMatrix Counts)> _matrices = new();

    /// <summary>Fits and counts computed so far (for tests).</summary>
    internal int Computed { get; private set; }

    /// <summary><see cref="BagOfWords.Fit"/>, or its earlier result for the same texts and settings.</summary>
    public void Fit(IReadOnlyList<string> texts, TokenizerOptions tokenizer, VocabularyOptions? vocabulary, out Vocabulary words, out CsrMatrix counts, int maxThreads)
    {
        string settings = Signature(tokenizer) + "|" + Signature(vocabulary ?? new VocabularyOptions());
        lock (_gate)
        {
            foreach (var f in _fits)
                if (f.Settings == settings && SameTexts(f.Texts, texts)) { words = f.Vocabulary; counts = f.Counts; return; }
            BagOfWords.Fit(texts, tokenizer, vocabulary, out words, out counts, maxThreads);
            Computed++;
            _fits.Add((texts, settings, words, counts));
            _matrices.Add((texts, Signature(tokenizer), words, counts));
        }
    }

    /// <summary><see cref="BagOfWords.Build(IReadOnlyList{string}, Tokenizer, Vocabulary, int)"/>, or its earlier result.</summary>
    public CsrMatrix Build(IReadOnlyList<string> texts, Tokenizer tokenizer, Vocabulary vocabulary, int maxThreads)
    {
        string tok = Signature(tokenizer.Options);
        lock (_gate)
        {
            foreach (var m in _matrices)
                if (ReferenceEquals(m.Vocabulary, vocabulary) && m.Tokenizer == tok && SameTexts(m.Texts, texts)) return m.Counts;
            var counts = BagOfWords.Build(texts, tokenizer, vocabulary, maxThreads);
            Computed++;
            _matrices.Add((texts, tok, vocabulary, counts));
            return counts;
        }
    }

    private static bool SameTexts(IReadOnlyList<string> a, IReadOnlyList<string> b)
    {
        if (ReferenceEquals(a, b)) return true;
        if (a.Count != b.Count) return false;
        for (int i = 0; i < a.Count; i++)
            if (!string.Equals(a[i], b[i], StringComparison.Ordinal)) return false;
        return true;
    }

    private static string Signature(TokenizerOptions t) => string.Join(",", t.LowerCase, t.NormalizeNfkc, t.SplitCjk, t.CjkBigrams, t.KeepCombiningMarks,
        t.MinTokenLength.ToString(CultureInfo.InvariantCulture));

    private static string Signature(VocabularyOptions v) => string.Join(",",
        v.MinDocumentFrequency.ToString(CultureInfo.InvariantCulture), v.MaxDocumentFrequency.ToString("R", CultureInfo.InvariantCulture),
        v.MaxSize.ToString(CultureInfo.InvariantCulture),
        v.StopWords is null ? "-" : string.Join(" ", v.StopWords.Order(StringComparer.Ordinal)));
}
