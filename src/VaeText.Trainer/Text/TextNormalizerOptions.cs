namespace VaeText.Text;

/// <summary>Settings of <see cref="TextNormalizer"/>.</summary>
public sealed class TextNormalizerOptions
{
    /// <summary>Whether the text is normalized to Unicode NFKC (compatibility composition: full-width letters, ligatures and the like become their plain forms). Default <c>true</c>.</summary>
    public bool Nfkc { get; set; } = true;

    /// <summary>Whether the text is lower-cased with the invariant culture. Default <c>true</c>.</summary>
    public bool LowerCase { get; set; } = true;

    /// <summary>Whether diacritics (combining marks after canonical decomposition) are removed: "café" becomes "cafe". Default <c>false</c>.</summary>
    public bool RemoveDiacritics { get; set; }

    /// <summary>Whether every run of white space becomes one space and the ends are trimmed. Default <c>true</c>.</summary>
    public bool CollapseWhitespace { get; set; } = true;
}
