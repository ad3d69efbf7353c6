using System.Text.RegularExpressions;
using NUnit.Framework;
using VaeText.Data;
using VaeText.Text;

namespace VaeText.Tests.Text;

public class SampleCorpusTests
{
    internal static string SampleDir() => Support.TestFiles.SampleFolder()
        ?? throw new DirectoryNotFoundException("datasets/sample not found above " + TestContext.CurrentContext.TestDirectory);

    [Test]
    public void SampleCorpusHasTheDocumentedShape()
    {
        var train = LabeledTextCorpus.Load(Path.Combine(SampleDir(), "train.tsv"));
        var test = LabeledTextCorpus.Load(Path.Combine(SampleDir(), "test.tsv"));
        Assert.That(train.Count, Is.GreaterThanOrEqualTo(400));
        Assert.That(test.Count, Is.GreaterThanOrEqualTo(100));
        Assert.That(train.ClassNames(), Has.Length.GreaterThanOrEqualTo(4));
        Assert.That(test.ClassNames(), Is.EqualTo(train.ClassNames()));
        var han = new Regex(@"\p{IsCJKUnifiedIdeographs}");
        Assert.That(train.Texts.Count(t => han.IsMatch(t)), Is.GreaterThanOrEqualTo(24));
        // Every class has at least 15% of the documents; every document has tokens.
        foreach (var g in train.Labels.GroupBy(l => l)) Assert.That(g.Count(), Is.GreaterThan(train.Count * 0.15), g.Key);
        Assert.That(train.Texts.All(t => Tokenizer.Default.Tokenize(t).Count > 0), Is.True);
        BagOfWords.Fit(train.Texts, null, new VocabularyOptions { MinDocumentFrequency = 2 }, out var v, out var m);
        Assert.That(v.Count, Is.GreaterThan(100));
        Assert.That(m.Rows, Is.EqualTo(train.Count));
    }
}
