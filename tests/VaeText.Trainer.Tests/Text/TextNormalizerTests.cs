using NUnit.Framework;
using VaeText.Text;

namespace VaeText.Tests.Text;

public class TextNormalizerTests
{
    // Expected values from Python's unicodedata.normalize (Unicode 14).
    [TestCase("ＡＢＣ１２３", "ABC123")]
    [TestCase("ﬁne ﬀ", "fine ff")]
    [TestCase("cafe\u0301", "café")]
    [TestCase("\u1100\u1161\u11A8", "각")]
    [TestCase("x\u0323\u0307", "\u1E8B\u0323")]
    [TestCase("q\u0307\u0323", "q\u0323\u0307")]
    [TestCase("Ⅻ ① ㎏ ½", "XII 1 kg 1⁄2")]
    [TestCase("ｶﾞ", "ガ")]
    [TestCase("Å", "Å")]
    [TestCase("plain ascii", "plain ascii")]
    public void NfkcMatchesPython(string input, string expected)
    {
        Assert.That(TextNormalizer.NormalizeNfkc(input), Is.EqualTo(expected));
    }

    [Test]
    public void NfcKeepsCompatibilityCharacters()
    {
        Assert.That(TextNormalizer.NormalizeNfc("ﬁ cafe\u0301 Å"), Is.EqualTo("ﬁ café Å"));
    }

    [Test]
    public void FullPipeline()
    {
        var o = new TextNormalizerOptions { RemoveDiacritics = true };
        Assert.That(TextNormalizer.Normalize("  Crème\tBRÛLÉE \n ﬁne  ", o), Is.EqualTo("creme brulee fine"));
        Assert.That(TextNormalizer.Normalize("  Crème\tBRÛLÉE  "), Is.EqualTo("crème brûlée"));
        Assert.That(TextNormalizer.Normalize(" A  B ", new TextNormalizerOptions { LowerCase = false, CollapseWhitespace = false }), Is.EqualTo(" A  B "));
        Assert.That(TextNormalizer.RemoveDiacritics("Ångström naïve"), Is.EqualTo("Angstrom naive"));
    }
}
