using System.Globalization;
using System.Text;

namespace VaeText.Text;

/// <summary>
/// Text clean-up before tokenization: Unicode NFKC, invariant lower-casing, optional removal of diacritics and
/// collapsing of white space. Works whether or not the process runs in globalization-invariant mode (where
/// <see cref="string.Normalize(NormalizationForm)"/> does nothing): VaeText carries its own Unicode
/// decomposition and composition data.
/// </summary>
public static class TextNormalizer
{
    /// <summary>Normalizes <paramref name="text"/> as <paramref name="options"/> say (the defaults when null).</summary>
    /// <exception cref="ArgumentNullException"><paramref name="text"/> is null.</exception>
    public static string Normalize(string text, TextNormalizerOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(text);
        options ??= new TextNormalizerOptions();
        string s = text;
        if (options.RemoveDiacritics)
        {
            s = RemoveDiacritics(s, options.Nfkc);
        }
        else if (options.Nfkc)
        {
            s = NormalizeNfkc(s);
        }
        if (options.LowerCase) s = s.ToLowerInvariant();
        if (options.CollapseWhitespace) s = CollapseWhitespace(s);
        return s;
    }

    /// <summary>The NFKC form of <paramref name="text"/>.</summary>
    public static string NormalizeNfkc(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        return UnicodeNormalization.Normalize(text, compatibility: true, compose: true);
    }

    /// <summary>The NFC form of <paramref name="text"/>.</summary>
    public static string NormalizeNfc(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        return UnicodeNormalization.Normalize(text, compatibility: false, compose: true);
    }

    /// <summary>
    /// Removes diacritics: decomposes (canonically, or with compatibility mappings when <paramref name="compatibility"/>),
    /// drops the non-spacing and enclosing marks, and recomposes.
    /// </summary>
    public static string RemoveDiacritics(string text, bool compatibility = false)
    {
        ArgumentNullException.ThrowIfNull(text);
        string d = UnicodeNormalization.Normalize(text, compatibility, compose: false);
        var sb = new StringBuilder(d.Length);
        foreach (Rune r in d.EnumerateRunes())
        {
            var cat = Rune.GetUnicodeCategory(r);
            if (cat is UnicodeCategory.NonSpacingMark or UnicodeCategory.EnclosingMark) continue;
            sb.Append(r);
        }
        return UnicodeNormalization.Normalize(sb.ToString(), compatibility, compose: true);
    }

    /// <summary>Replaces every run of white space with one space and trims both ends.</summary>
    public static string CollapseWhitespace(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        var sb = new StringBuilder(text.Length);
        bool pending = false;
        foreach (char c in text)
        {
            if (char.IsWhiteSpace(c))
            {
                pending = sb.Length > 0;
                continue;
            }
            if (pending) { sb.Append(' '); pending = false; }
            sb.Append(c);
        }
        return sb.ToString();
    }
}
