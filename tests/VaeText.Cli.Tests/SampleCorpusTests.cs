using System.Text.RegularExpressions;
using Microsoft.ML;
using Microsoft.ML.Data;
using NUnit.Framework;
using VaeText.Cli.Tests.Support;
using VaeText.Pipelines;
using VaeText.Text;

namespace VaeText.Cli.Tests;

/// <summary>datasets/sample (the demo's corpus) has the shape its README documents, read as vaetext reads it.</summary>
public class SampleCorpusTests
{
    private static (string[] Texts, string[] Labels) Read(string name)
    {
        var file = DelimitedTextFile.Open(TestFiles.SampleFile(name));
        var view = file.Load(new MLContext(1), ("label", file.ColumnIndex("label", "--label-col")), ("text", file.ColumnIndex("text", "--text-col")));
        return (view.GetColumn<string>("text").ToArray(), view.GetColumn<string>("label").ToArray());
    }

    [Test]
    public void SampleCorpusHasTheDocumentedShape()
    {
        var train = Read("train.tsv");
        var test = Read("test.tsv");
        Assert.That(train.Texts, Has.Length.GreaterThanOrEqualTo(400));
        Assert.That(test.Texts, Has.Length.GreaterThanOrEqualTo(100));
        var classes = train.Labels.Distinct().Order(StringComparer.Ordinal).ToArray();
        Assert.That(classes, Has.Length.GreaterThanOrEqualTo(4));
        Assert.That(test.Labels.Distinct().Order(StringComparer.Ordinal), Is.EqualTo(classes));
        var han = new Regex(@"\p{IsCJKUnifiedIdeographs}");
        Assert.That(train.Texts.Count(t => han.IsMatch(t)), Is.GreaterThanOrEqualTo(24));
        // Every class has at least 15% of the documents; every document has tokens.
        foreach (var g in train.Labels.GroupBy(l => l)) Assert.That(g.Count(), Is.GreaterThan(train.Texts.Length * 0.15), g.Key);
        Assert.That(train.Texts.All(t => Tokenizer.Default.Tokenize(t).Count > 0), Is.True);
        BagOfWords.Fit(train.Texts, null, new VocabularyOptions { MinDocumentFrequency = 2 }, out var v, out var m);
        Assert.That(v.Count, Is.GreaterThan(100));
        Assert.That(m.Rows, Is.EqualTo(train.Texts.Length));
    }
}
