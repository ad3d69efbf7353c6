using System.Buffers;
using System.Globalization;
using System.Runtime.CompilerServices;
using System.Text;

namespace VaeText.Text;

/// <summary>Receives the tokens of a text, one span at a time (valid only during the call).</summary>
internal interface ITokenSink
{
    /// <summary>One token.</summary>
    void Add(ReadOnlySpan<char> token);
}

/// <summary>
/// Splits text into word tokens. A token is a maximal run of Unicode letters (categories Lu, Ll, Lt, Lm, Lo) and
/// digits or other numbers (Nd, Nl, No), lower-cased as Python's <c>str.lower</c> does: for text without CJK
/// characters the tokens are exactly those of Python's <c>re.findall(r"[^\W_]+", text.lower())</c> (underscores,
/// apostrophes, punctuation, symbols, emoji and combining marks separate tokens). With
/// <see cref="TokenizerOptions.SplitCjk"/> (the default) every Han, Hiragana, Katakana or Hangul character is a
/// token of its own, and with <see cref="TokenizerOptions.CjkBigrams"/> every adjacent pair in a run of them too.
/// </summary>
/// <remarks>Instances are immutable and thread-safe.</remarks>
public sealed class Tokenizer
{
    // ASCII classes: 0 = separator, 1 = word character unchanged by lower-casing, 2 = upper-case letter.
    private static readonly byte[] AsciiClass = BuildAsciiClass();

    private readonly TokenizerOptions _options;
    private readonly bool _lower, _splitCjk, _bigrams, _marks, _nfkc;
    private readonly int _minLength;

    /// <summary>A tokenizer with the default settings (the benchmark rule).</summary>
    public Tokenizer() : this(new TokenizerOptions()) { }

    /// <summary>A tokenizer with the given settings (they are copied).</summary>
    /// <exception cref="ArgumentNullException"><paramref name="options"/> is null.</exception>
    /// <exception cref="ArgumentException">A setting is out of range.</exception>
    public Tokenizer(TokenizerOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        options.Validate();
        _options = options.Clone();
        _lower = options.LowerCase;
        _splitCjk = options.SplitCjk;
        _bigrams = options.CjkBigrams;
        _marks = options.KeepCombiningMarks;
        _nfkc = options.NormalizeNfkc;
        _minLength = options.MinTokenLength;
    }

    /// <summary>A copy of the settings.</summary>
    public TokenizerOptions Options => _options.Clone();

    /// <summary>A shared tokenizer with the default settings.</summary>
    public static Tokenizer Default { get; } = new();

    /// <summary>The tokens of <paramref name="text"/>, in order.</summary>
    /// <exception cref="ArgumentNullException"><paramref name="text"/> is null.</exception>
    public List<string> Tokenize(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        var list = new List<string>();
        Tokenize(text.AsSpan(), list);
        return list;
    }

    /// <summary>Appends the tokens of <paramref name="text"/> to <paramref name="output"/>, in order.</summary>
    /// <exception cref="ArgumentNullException"><paramref name="output"/> is null.</exception>
    public void Tokenize(ReadOnlySpan<char> text, List<string> output)
    {
        ArgumentNullException.ThrowIfNull(output);
        var sink = new ListSink(output);
        Scan(text, ref sink);
    }

    private struct ListSink(List<string> list) : ITokenSink
    {
        public readonly void Add(ReadOnlySpan<char> token) => list.Add(new string(token));
    }

    /// <summary>Feeds every token of <paramref name="text"/> to <paramref name="sink"/> without allocating strings.</summary>
    internal void Scan<TSink>(ReadOnlySpan<char> text, ref TSink sink) where TSink : struct, ITokenSink
    {
        if (_nfkc && !text.IsEmpty)
        {
            string normalized = TextNormalizer.NormalizeNfkc(text.ToString());
            ScanCore(normalized.AsSpan(), ref sink);
        }
        else
        {
            ScanCore(text, ref sink);
        }
    }

    private enum Kind : byte { None, Word, Cjk, Mark }

    private void ScanCore<TSink>(ReadOnlySpan<char> text, ref TSink sink) where TSink : struct, ITokenSink
    {
        char[]? rented = null;
        Span<char> buf = stackalloc char[256];
        try
        {
            int n = text.Length;
            int i = 0;
            while (i < n)
            {
                char c = text[i];
                if (c < 128)
                {
                    if (AsciiClass[c] == 0) { i++; continue; }
                }
                else
                {
                    Kind k0 = Classify(text, i, out int l0, out _);
                    if (k0 != Kind.Word)
                    {
                        if (k0 == Kind.Cjk)
                        {
                            i = EmitCjkRun(text, i, ref sink);
                        }
                        else
                        {
                            i += l0;
                        }
                        continue;
                    }
                }

                // A word run starting at i.
                int len = 0;      // chars in buf
                int points = 0;   // code points in the token
                bool cut = false; // the token ends after the last char written (dotted capital I)
                while (i < n)
                {
                    c = text[i];
                    if (c < 128)
                    {
                        byte cls = AsciiClass[c];
                        if (cls == 0) break;
                        if (len == buf.Length) buf = Grow(buf, ref rented, n);
                        buf[len++] = cls == 2 && _lower ? (char)(c | 0x20) : c;
                        points++;
                        i++;
                        continue;
                    }
                    Kind k = Classify(text, i, out int l, out int cp);
                    if (k == Kind.Mark && _marks && points > 0)
                    {
                        // a combining mark continues the word
                    }
                    else if (k != Kind.Word)
                    {
                        break;
                    }
                    if (len + 2 > buf.Length) buf = Grow(buf, ref rented, n);
                    if (!_lower)
                    {
                        text.Slice(i, l).CopyTo(buf[len..]);
                        len += l;
                    }
                    else if (l == 1)
                    {
                        if (c == '\u0130')
                        {
                            // Python lower-cases U+0130 to "i" + U+0307 (a combining mark), which ends the token.
                            buf[len++] = 'i';
                            if (_marks) buf[len++] = '\u0307';
                            else cut = true;
                        }
                        else if (c == '\u03A3')
                        {
                            buf[len++] = IsFinalSigma(text, i) ? '\u03C2' : '\u03C3';
                        }
                        else
                        {
                            buf[len++] = char.ToLowerInvariant(c);
                        }
                    }
                    else
                    {
                        len += Rune.ToLowerInvariant(new Rune(cp)).EncodeToUtf16(buf[len..]);
                    }
                    points++;
                    i += l;
                    if (cut) break;
                }
                if (points >= _minLength) sink.Add(buf[..len]);
            }
        }
        finally
        {
            if (rented is not null) ArrayPool<char>.Shared.Return(rented);
        }
    }

    private static Span<char> Grow(Span<char> buf, ref char[]? rented, int textLength)
    {
        var bigger = ArrayPool<char>.Shared.Rent(Math.Max(buf.Length * 2, Math.Min(textLength + 4, buf.Length * 8)));
        buf.CopyTo(bigger);
        if (rented is not null) ArrayPool<char>.Shared.Return(rented);
        rented = bigger;
        return bigger;
    }

    /// <summary>Emits the tokens of the run of CJK characters starting at <paramref name="start"/>; returns the index after it.</summary>
    private int EmitCjkRun<TSink>(ReadOnlySpan<char> text, int start, ref TSink sink) where TSink : struct, ITokenSink
    {
        int i = start;
        int prev = -1; // start of the previous CJK character of this run
        while (i < text.Length)
        {
            Kind k = Classify(text, i, out int l, out _);
            if (k != Kind.Cjk) break;
            // CJK characters have no case: the text itself is the token.
            sink.Add(text.Slice(i, l));
            if (_bigrams && prev >= 0) sink.Add(text[prev..(i + l)]);
            prev = i;
            i += l;
        }
        return i;
    }

    /// <summary>The class of the (non-ASCII) code point at <paramref name="i"/>; <paramref name="length"/> is 1 or 2 chars.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private Kind Classify(ReadOnlySpan<char> text, int i, out int length, out int codePoint)
    {
        char c = text[i];
        if (char.IsHighSurrogate(c) && i + 1 < text.Length && char.IsLowSurrogate(text[i + 1]))
        {
            codePoint = char.ConvertToUtf32(c, text[i + 1]);
            length = 2;
        }
        else
        {
            codePoint = c;
            length = 1;
        }
        if (codePoint < 128) return AsciiClass[codePoint] != 0 ? Kind.Word : Kind.None;
        switch (CharUnicodeInfo.GetUnicodeCategory(codePoint))
        {
            case UnicodeCategory.UppercaseLetter:
            case UnicodeCategory.LowercaseLetter:
            case UnicodeCategory.TitlecaseLetter:
            case UnicodeCategory.ModifierLetter:
            case UnicodeCategory.OtherLetter:
            case UnicodeCategory.DecimalDigitNumber:
            case UnicodeCategory.LetterNumber:
            case UnicodeCategory.OtherNumber:
                return _splitCjk && IsCjk(codePoint) ? Kind.Cjk : Kind.Word;
            case UnicodeCategory.NonSpacingMark:
            case UnicodeCategory.SpacingCombiningMark:
            case UnicodeCategory.EnclosingMark:
                return Kind.Mark;
            default:
                return Kind.None;
        }
    }

    /// <summary>Whether a code point belongs to the Han, Hiragana, Katakana or Hangul scripts (by block ranges).</summary>
    internal static bool IsCjk(int cp) =>
        (cp >= 0x4E00 && cp <= 0x9FFF)      // CJK Unified Ideographs
        || (cp >= 0x3400 && cp <= 0x4DBF)   // Extension A
        || (cp >= 0xAC00 && cp <= 0xD7AF)   // Hangul syllables
        || (cp >= 0x3040 && cp <= 0x30FF)   // Hiragana, Katakana
        || (cp >= 0x31F0 && cp <= 0x31FF)   // Katakana phonetic extensions
        || (cp >= 0xFF66 && cp <= 0xFF9F)   // half-width Katakana
        || (cp >= 0x1100 && cp <= 0x11FF)   // Hangul Jamo
        || (cp >= 0x3130 && cp <= 0x318F)   // Hangul compatibility Jamo
        || (cp >= 0xA960 && cp <= 0xA97F)   // Hangul Jamo extended A
        || (cp >= 0xD7B0 && cp <= 0xD7FF)   // Hangul Jamo extended B
        || (cp >= 0xFFA0 && cp <= 0xFFDC)   // half-width Hangul
        || (cp >= 0xF900 && cp <= 0xFAFF)   // compatibility ideographs
        || (cp >= 0x3005 && cp <= 0x3007)   // 々 〆 〇
        || (cp >= 0x3021 && cp <= 0x3029)   // Hangzhou numerals
        || (cp >= 0x3038 && cp <= 0x303B)
        || (cp >= 0x1B000 && cp <= 0x1B16F) // Kana supplement, extended A, small Kana extension
        || (cp >= 0x20000 && cp <= 0x323AF); // Extensions B..H, compatibility supplement

    /// <summary>
    /// Python's (Unicode's) Final_Sigma condition for the capital sigma at <paramref name="i"/>: preceded by a
    /// cased letter and not followed by one, case-ignorable characters skipped on both sides.
    /// </summary>
    private static bool IsFinalSigma(ReadOnlySpan<char> text, int i)
    {
        int j = i - 1;
        int cp = -1;
        while (j >= 0)
        {
            cp = text[j];
            if (char.IsLowSurrogate(text[j]) && j > 0 && char.IsHighSurrogate(text[j - 1]))
            {
                cp = char.ConvertToUtf32(text[j - 1], text[j]);
                j--;
            }
            if (!IsCaseIgnorable(cp)) break;
            j--;
        }
        if (j < 0 || !IsCased(cp)) return false;
        j = i + 1;
        while (j < text.Length)
        {
            cp = text[j];
            int l = 1;
            if (char.IsHighSurrogate(text[j]) && j + 1 < text.Length && char.IsLowSurrogate(text[j + 1]))
            {
                cp = char.ConvertToUtf32(text[j], text[j + 1]);
                l = 2;
            }
            if (!IsCaseIgnorable(cp)) return !IsCased(cp);
            j += l;
        }
        return true;
    }

    private static bool IsCased(int cp)
    {
        var cat = CharUnicodeInfo.GetUnicodeCategory(cp);
        if (cat is UnicodeCategory.UppercaseLetter or UnicodeCategory.LowercaseLetter or UnicodeCategory.TitlecaseLetter) return true;
        // Other_Uppercase / Other_Lowercase characters without a case mapping (modifier letters, squared letters).
        if (cp is 0xAA or 0xBA or (>= 0x2B0 and <= 0x2B8) or 0x2C0 or 0x2C1 or (>= 0x2E0 and <= 0x2E4) or 0x345 or 0x37A
            or (>= 0x1D2C and <= 0x1D6A) or 0x1D78 or (>= 0x1D9B and <= 0x1DBF) or 0x2071 or 0x207F or (>= 0x2090 and <= 0x209C)
            or (>= 0x2C7C and <= 0x2C7D) or (>= 0xA69C and <= 0xA69D) or 0xA770 or (>= 0xA7F8 and <= 0xA7F9) or (>= 0xAB5C and <= 0xAB5F)
            or (>= 0x1F130 and <= 0x1F149) or (>= 0x1F150 and <= 0x1F169) or (>= 0x1F170 and <= 0x1F189)) return true;
        var r = new Rune(cp);
        return Rune.ToLowerInvariant(r) != r || Rune.ToUpperInvariant(r) != r;
    }

    private static bool IsCaseIgnorable(int cp)
    {
        switch (cp)
        {
            case 0x27: case 0x2E: case 0x3A: case 0x5E: case 0x60: case 0xA8: case 0xAD: case 0xAF: case 0xB4:
            case 0xB7: case 0xB8: case 0x387: case 0x55F: case 0x5F4: case 0x2018: case 0x2019: case 0x2024:
            case 0x2027: case 0xFE13: case 0xFE52: case 0xFE55: case 0xFF07: case 0xFF0E: case 0xFF1A:
                return true;
        }
        if (cp < 128) return false;
        var cat = CharUnicodeInfo.GetUnicodeCategory(cp);
        return cat is UnicodeCategory.NonSpacingMark or UnicodeCategory.EnclosingMark or UnicodeCategory.Format
            or UnicodeCategory.ModifierLetter or UnicodeCategory.ModifierSymbol;
    }

    private static byte[] BuildAsciiClass()
    {
        var t = new byte[128];
        for (int c = '0'; c <= '9'; c++) t[c] = 1;
        for (int c = 'a'; c <= 'z'; c++) t[c] = 1;
        for (int c = 'A'; c <= 'Z'; c++) t[c] = 2;
        return t;
    }
}
