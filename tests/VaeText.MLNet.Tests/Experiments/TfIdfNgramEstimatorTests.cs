using Microsoft.ML;
using Microsoft.ML.Data;
using NUnit.Framework;
using VaeText.Experiments;
using VaeText.Pipelines;
using VaeText.MLNet.Tests.Support;
using VaeText.Text;

namespace VaeText.MLNet.Tests.Experiments;

/// <summary>The TF-IDF n-gram featurizer built from ML.NET parts, against a twin computed here by hand.</summary>
public class TfIdfNgramEstimatorTests
{
    private sealed class TextOnly
    {
        public string Text { get; set; } = "";
    }

    private static VBuffer<float>[] Rows(IDataView view) => FeatureTable.Read(view, CandidatePipelines.NgramColumn, CancellationToken.None).Rows;

    private static readonly string[] s_texts =
    [
        "The film was good, good and GOOD.",
        "The film was bad; the acting was bad.",
        "A good cast, a bad script!",
        "Don't watch the film.",
        "",
    ];

    /// <summary>
    /// Every value equals (1 + ln count) · ln(N / df), L2-normalised per row, over the engine's tokens and their pairs,
    /// matched by slot name; n-grams of every document and the empty text give zeros.
    /// </summary>
    [Test]
    public void ValuesAreSublinearTfIdfOfTheEngineTokens()
    {
        var ml = new MLContext(1);
        var data = ml.Data.LoadFromEnumerable(s_texts.Select(t => new TextOnly { Text = t }));
        var fitted = CandidatePipelines.Ngrams(ml, nameof(TextOnly.Text)).Fit(data);
        var output = fitted.Transform(data);
        var column = output.Schema[CandidatePipelines.NgramColumn];
        VBuffer<ReadOnlyMemory<char>> names = default;
        column.GetSlotNames(ref names);
        var slots = names.DenseValues().Select(n => n.ToString()).ToArray();
        Assert.That(output.Schema.Any(c => c.Name.StartsWith("__VaeText", StringComparison.Ordinal)), Is.False, "token columns dropped");

        var tokenizer = new Tokenizer(new TokenizerOptions());
        var grams = s_texts.Select(t =>
        {
            var words = tokenizer.Tokenize(t).ToArray();
            return words.Concat(words.Zip(words.Skip(1), (a, b) => a + "|" + b)).GroupBy(g => g).ToDictionary(g => g.Key, g => g.Count());
        }).ToArray();
        var df = grams.SelectMany(g => g.Keys).GroupBy(k => k).ToDictionary(g => g.Key, g => g.Count());
        Assert.That(slots, Is.EquivalentTo(df.Keys), "below 2,000 documents every n-gram is kept");
        Assert.That(slots, Does.Contain("don|t").And.Contain("good|and").And.Contain("film"));

        var rows = Rows(output); // a copy of each row (GetColumn hands out one reused buffer)
        for (int r = 0; r < s_texts.Length; r++)
        {
            var expected = new double[slots.Length];
            foreach (var (gram, count) in grams[r])
                expected[Array.IndexOf(slots, gram)] = (1 + Math.Log(count)) * Math.Log((double)s_texts.Length / df[gram]);
            double norm = Math.Sqrt(expected.Sum(v => v * v));
            var actual = rows[r].DenseValues().ToArray();
            for (int j = 0; j < slots.Length; j++)
                Assert.That(actual[j], Is.EqualTo(norm > 0 ? expected[j] / norm : 0).Within(1e-5), $"row {r}, {slots[j]}");
        }
        Assert.That(rows[4].GetValues().ToArray(), Is.All.EqualTo(0f));
        Assert.That(rows[0].IsDense, Is.False, "rows stay sparse through the sublinear TF");
        Assert.That(rows[0].GetValues().Length, Is.EqualTo(grams[0].Count));
        Assert.That(Math.Sqrt(rows[1].DenseValues().Sum(v => (double)v * v)), Is.EqualTo(1).Within(1e-5));
    }

    /// <summary>Text written without spaces: each CJK character is a token, so the n-grams are characters and their pairs.</summary>
    [Test]
    public void TextWithoutSpacesGetsCharacterNgrams()
    {
        var ml = new MLContext(1);
        var data = ml.Data.LoadFromEnumerable(new[] { new TextOnly { Text = "股市大涨" }, new TextOnly { Text = "股市大跌" } });
        var estimator = CandidatePipelines.Ngrams(ml, nameof(TextOnly.Text));
        var column = estimator.Fit(data).Transform(data).Schema[CandidatePipelines.NgramColumn];
        VBuffer<ReadOnlyMemory<char>> names = default;
        column.GetSlotNames(ref names);
        Assert.That(names.DenseValues().Select(n => n.ToString()), Is.EquivalentTo(new[] { "股", "市", "大", "涨", "跌", "股|市", "市|大", "大|涨", "大|跌" }));
        var shape = estimator.GetOutputSchema(Shapes.Of(data.Schema));
        var declared = shape.Single(c => c.Name == CandidatePipelines.NgramColumn);
        Assert.That((declared.Kind, declared.ItemType), Is.EqualTo((SchemaShape.Column.VectorKind.Vector, (DataViewType)NumberDataViewType.Single)));
        Assert.That(shape.Any(c => c.Name.StartsWith("__VaeText", StringComparison.Ordinal)), Is.False);
    }

    /// <summary>At most the asked number of n-grams, those in most documents; ties at the cut all left out; a minimum count.</summary>
    [Test]
    public void ThresholdKeepsTheNgramsOfMostDocuments()
    {
        int[] df = [5, 3, 3, 1, 0, 2];
        Assert.That(TfIdfNgramEstimator.Threshold(df, 1, 10), Is.EqualTo(1));
        Assert.That(TfIdfNgramEstimator.Threshold(df, 2, 10), Is.EqualTo(2));
        Assert.That(TfIdfNgramEstimator.Threshold(df, 1, 3), Is.EqualTo(3), "5, 3, 3");
        Assert.That(TfIdfNgramEstimator.Threshold(df, 1, 2), Is.EqualTo(4), "5 alone: the two 3s tie at the cut");
        Assert.That(TfIdfNgramEstimator.Threshold(df, 1, 1), Is.EqualTo(4));
        Assert.That(TfIdfNgramEstimator.Threshold([2, 2, 2], 1, 1), Is.EqualTo(2), "tied at the top: those");
        Assert.That(() => TfIdfNgramEstimator.Threshold([0, 0], 1, 5), Throws.InvalidOperationException.With.Message.Contains("no words"));
        Assert.That(() => TfIdfNgramEstimator.Threshold([], 1, 5), Throws.InvalidOperationException);

        // Through ML.NET: 3 n-grams asked, the 3 in most documents come out (x: 3, y and x|y: 2, z: 1).
        var ml = new MLContext(1);
        var data = ml.Data.LoadFromEnumerable(new[] { "x y", "x y", "x", "z" }.Select(t => new TextOnly { Text = t }));
        var column = CandidatePipelines.Ngrams(ml, nameof(TextOnly.Text), maxNgrams: 3).Fit(data).Transform(data).Schema[CandidatePipelines.NgramColumn];
        VBuffer<ReadOnlyMemory<char>> names = default;
        column.GetSlotNames(ref names);
        Assert.That(names.DenseValues().Select(n => n.ToString()), Is.EquivalentTo(new[] { "x", "y", "x|y" }));
    }

    /// <summary>The fitted featurizer saved with <c>mlContext.Model.Save</c> loads and gives the same vectors.</summary>
    [Test]
    public void SavedFeaturizerLoadsAndGivesTheSameVectors()
    {
        var ml = new MLContext(1);
        var data = ml.Data.LoadFromEnumerable(s_texts.Select(t => new TextOnly { Text = t }));
        var fitted = CandidatePipelines.Ngrams(ml, nameof(TextOnly.Text)).Fit(data);
        var path = Path.Combine(Path.GetTempPath(), $"vaetext-tfidf-{Guid.NewGuid():N}.zip");
        try
        {
            ml.Model.Save(fitted, data.Schema, path);
            var loaded = new MLContext(2).Model.Load(path, out _);
            var before = Rows(fitted.Transform(data));
            var other = ml.Data.LoadFromEnumerable(new[] { new TextOnly { Text = "a good film, never seen before" } });
            var after = Rows(loaded.Transform(data));
            Assert.That(after.Select(v => v.DenseValues()), Is.EqualTo(before.Select(v => v.DenseValues())));
            Assert.That(before.Count(v => v.GetValues().Length > 0), Is.EqualTo(4));
            Assert.That(Rows(loaded.Transform(other))[0].DenseValues(), Is.EqualTo(Rows(fitted.Transform(other))[0].DenseValues()));
            Assert.That(Rows(loaded.Transform(other))[0].GetValues().Length, Is.GreaterThan(0), "good, film");
        }
        finally { File.Delete(path); }
    }

    /// <summary>Training texts without a single word: an error that says so.</summary>
    [Test]
    public void TextsWithoutWordsGiveAClearError()
    {
        var ml = new MLContext(1);
        var data = ml.Data.LoadFromEnumerable(new[] { "", "!!! ...", "" }.Select(t => new TextOnly { Text = t }));
        Assert.That(() => CandidatePipelines.Ngrams(ml, nameof(TextOnly.Text)).Fit(data),
            Throws.InvalidOperationException.With.Message.Contains("no words"));
    }
}
