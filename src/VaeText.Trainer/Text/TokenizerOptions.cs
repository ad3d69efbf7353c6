namespace VaeText.Text;

/// <summary>Settings of <see cref="Tokenizer"/>. The defaults reproduce the benchmark rule (see <see cref="Tokenizer"/>).</summary>
public sealed class TokenizerOptions
{
    /// <summary>Whether tokens are lower-cased (invariant culture, as Python's <c>str.lower</c>). Default <c>true</c>.</summary>
    public bool LowerCase { get; set; } = true;

    /// <summary>Whether the text is first normalized to Unicode NFKC (see <see cref="TextNormalizer"/>). Default <c>false</c>.</summary>
    public bool NormalizeNfkc { get; set; }

    /// <summary>
    /// Whether Han, Hiragana, Katakana and Hangul characters each become a one-character token. Default <c>true</c>.
    /// When <c>false</c>, they are letters like any other and a run of them is one token (Python's rule exactly).
    /// </summary>
    public bool SplitCjk { get; set; } = true;

    /// <summary>
    /// Whether, in a run of adjacent CJK characters, every adjacent pair also becomes a token (after the first
    /// character's single token). Needs <see cref="SplitCjk"/>. Default <c>false</c>.
    /// </summary>
    public bool CjkBigrams { get; set; }

    /// <summary>
    /// Whether combining marks (Unicode categories Mn, Mc, Me) that follow a letter or digit stay inside the token.
    /// Default <c>false</c>, as in Python's <c>[^\W_]+</c>, where a mark ends the token (so decomposed accents
    /// split words unless the text is normalized first).
    /// </summary>
    public bool KeepCombiningMarks { get; set; }

    /// <summary>
    /// The shortest word token kept, in Unicode code points (at least 1). CJK single-character tokens and bigrams
    /// are always kept. Default 1.
    /// </summary>
    public int MinTokenLength { get; set; } = 1;

    /// <summary>A copy of these settings.</summary>
    public TokenizerOptions Clone() => (TokenizerOptions)MemberwiseClone();

    /// <summary>Throws when a setting is out of range.</summary>
    /// <exception cref="ArgumentOutOfRangeException"><see cref="MinTokenLength"/> is less than 1.</exception>
    /// <exception cref="ArgumentException"><see cref="CjkBigrams"/> is on while <see cref="SplitCjk"/> is off.</exception>
    public void Validate()
    {
        if (MinTokenLength < 1)
        {
            throw new ArgumentOutOfRangeException(nameof(MinTokenLength), MinTokenLength, "MinTokenLength must be at least 1");
        }
        if (CjkBigrams && !SplitCjk)
        {
            throw new ArgumentException("CjkBigrams needs SplitCjk = true", nameof(CjkBigrams));
        }
    }
}
