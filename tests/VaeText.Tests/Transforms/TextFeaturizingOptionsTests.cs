using NUnit.Framework;
using VaeText.Data;
using VaeText.Transforms;

namespace VaeText.Tests.Transforms;

public class TextFeaturizingOptionsTests
{
    public sealed class Doc
    {
        [ColumnName("text")] public string Text { get; set; } = "";
    }

    private static readonly string[] Texts = ["Good good film, GOOD!", "bad film", "good plot; bad acting", "film film film"];

    private static TextFeaturizingEstimator.Options TfIdfOptions(int minDf = 1) => new()
    {
        WordTokenizer = TextFeaturizingEstimator.WordTokenizerKind.Unicode, WordNgramLength = 2, CharNgramLength = 0,
        Weighting = TextFeaturizingEstimator.WeightingCriteria.TfIdf, SublinearTf = true, SmoothIdf = true, MinimumDocumentFrequency = minDf,
    };

    [Test]
    public void SublinearTfSmoothIdfUnicodeWordsMatchClosedForm()
    {
        var ctx = new VaeTextContext(1);
        var data = ctx.Data.LoadFromEnumerable(Texts.Select(t => new Doc { Text = t }));
        var t = ctx.Transforms.Text.FeaturizeText("F", "text", TfIdfOptions()).Fit(data);
        var vocab = t.Vocabulary.ToList();
        Assert.That(vocab, Does.Contain("w:good").And.Contain("w:good|film").And.Not.Contain("w:good,"));
        // Document 0: good ×3 (df 2), film ×1 (df 3), good|good ×1 (df 1), good|film ×1 (df 1), film|good ×1 (df 1).
        double Idf(int df) => Math.Log(5.0 / (df + 1)) + 1;
        var raw = new Dictionary<string, double>
        {
            ["w:good"] = (1 + Math.Log(3)) * Idf(2), ["w:film"] = Idf(3), ["w:good|good"] = Idf(1),
            ["w:good|film"] = Idf(1), ["w:film|good"] = Idf(1),
        };
        double norm = Math.Sqrt(raw.Values.Sum(v => v * v));
        var m = t.Featurize(Texts);
        Assert.That(m.RowPtr[1] - m.RowPtr[0], Is.EqualTo(raw.Count));
        for (int p = m.RowPtr[0]; p < m.RowPtr[1]; p++)
            Assert.That(m.Values[p], Is.EqualTo(raw[vocab[m.Indices[p]]] / norm).Within(1e-6), vocab[m.Indices[p]]);

        // The bulk path equals the row-by-row transform, also after a save/load round trip.
        var path = Path.Combine(Path.GetTempPath(), "vaetext-tf-" + Guid.NewGuid().ToString("N")[..8] + ".zip");
        try
        {
            ctx.Model.Save(t, data.Schema, path);
            var loaded = new VaeTextContext().Model.Load(path, out _);
            var output = loaded.Transform(data);
            using var cur = output.GetRowCursor([output.Schema["F"]]);
            var g = cur.GetGetter<VBuffer<float>>(output.Schema["F"]);
            VBuffer<float> v = default;
            int row = 0;
            while (cur.MoveNext())
            {
                g(ref v);
                var dense = v.DenseValues();
                var expected = new float[vocab.Count];
                for (int p = m.RowPtr[row]; p < m.RowPtr[row + 1]; p++) expected[m.Indices[p]] = m.Values[p];
                Assert.That(dense, Is.EqualTo(expected), $"row {row}");
                row++;
            }
            Assert.That(row, Is.EqualTo(Texts.Length));
        }
        finally { File.Delete(path); }
    }

    [Test]
    public void MinimumDocumentFrequencyDropsRareNgrams()
    {
        var ctx = new VaeTextContext(1);
        var data = ctx.Data.LoadFromEnumerable(Texts.Select(t => new Doc { Text = t }));
        var t = ctx.Transforms.Text.FeaturizeText("F", "text", TfIdfOptions(minDf: 2)).Fit(data);
        Assert.That(t.Vocabulary, Is.EquivalentTo(new[] { "w:good", "w:film", "w:bad" }));
        Assert.Throws<ArgumentOutOfRangeException>(() => ctx.Transforms.Text.FeaturizeText("F", "text", TfIdfOptions(minDf: 0)));
    }
}
