using NUnit.Framework;
using VaeText.Data;
using VaeText.Tests.Pipeline;
using VaeText.Transforms;

namespace VaeText.Tests.Transforms;

public class TransformWorkoutTests
{
    private static IDataView Nums(VaeTextContext ctx) => ctx.Data.LoadFromEnumerable(new[]
    {
        new NumRow { Label = "a", A = 1, V = [1, 0, 4] },
        new NumRow { Label = "b", A = 3, V = [-2, 0, 0] },
        new NumRow { Label = "a", A = 5, V = [3, 0, 2] },
    });

    [Test]
    public void ConcatenateWorkoutAndValues()
    {
        var ctx = new VaeTextContext(1);
        var data = Nums(ctx);
        var m = Workout.Run(ctx.Transforms.Concatenate("F", "A", "V"), data);
        var out0 = Workout.ReadAll(m.Transform(data))[1].Last();
        Assert.That(out0, Is.EqualTo(new float[] { 3, -2, 0, 0 }));
        var slots = m.GetOutputSchema(data.Schema)["F"].GetSlotNamesOrNull()!.Value.DenseValues().Select(x => x.ToString());
        Assert.That(slots, Is.EqualTo(new[] { "A", "V.0", "V.1", "V.2" }));
        var ex = Assert.Throws<ArgumentOutOfRangeException>(() => ctx.Transforms.Concatenate("F", "A", "Label").GetOutputSchema(SchemaShape.Create(data.Schema)));
        Assert.That(ex!.Message, Does.Contain("'Label'").And.Contain("Single"));
    }

    [Test]
    public void NormalizersMatchClosedForms()
    {
        var ctx = new VaeTextContext(1);
        var data = Nums(ctx);
        var mv = (NormalizingTransformer)Workout.Run(ctx.Transforms.NormalizeMeanVariance("A", "A", fixZero: false), data);
        // A = 1,3,5: mean 3, population std sqrt(8/3).
        Assert.That(mv.Offsets[0], Is.EqualTo(3f));
        Assert.That(mv.Scales[0], Is.EqualTo((float)(1 / Math.Sqrt(8.0 / 3))).Within(1e-6));
        var mm = (NormalizingTransformer)Workout.Run(ctx.Transforms.NormalizeMinMax("V"), data);
        Assert.That(mm.Scales, Is.EqualTo(new[] { 1 / 3f, 1f, 1 / 4f }));
        var rows = Workout.ReadAll(mm.Transform(data));
        Assert.That(rows[1].Last(), Is.EqualTo(new float[] { -2 / 3f, 0, 0 }));
        Assert.Throws<ArgumentOutOfRangeException>(() => ctx.Transforms.NormalizeMinMax("X", "Label").Fit(data));
    }

    [Test]
    public void FeaturizeTextWorkoutAndDefaults()
    {
        var ctx = new VaeTextContext(1);
        var data = ctx.Data.LoadFromEnumerable(new[] { new Review { Text = "The cat sat" }, new Review { Text = "the dog" } });
        var m = (TextFeaturizingTransformer)Workout.Run(ctx.Transforms.Text.FeaturizeText("F", "Text"), data);
        Assert.That(m.Vocabulary.Take(6), Is.EqualTo(new[] { "w:the", "w:the|cat", "w:cat", "w:cat|sat", "w:sat", "w:the|dog" }));
        Assert.That(m.Vocabulary, Does.Contain("c:\u0002th").And.Contain("c:at\u0003"));
        using var cur = m.Transform(data).GetRowCursor(m.Transform(data).Schema);
        var col = m.GetOutputSchema(data.Schema)["F"];
        var g = cur.GetGetter<VBuffer<float>>(col);
        cur.MoveNext();
        VBuffer<float> v = default; g(ref v);
        Assert.That(v.IsDense, Is.False);
        // "the cat sat": 5 word grams + 13 char 3-grams ("\u0002the cat sat\u0003" has 13 chars -> 11 grams), all counts 1.
        int nnz = v.GetValues().Length;
        Assert.That(nnz, Is.EqualTo(5 + 11));
        Assert.That(v.GetValues().ToArray().Sum(x => x * x), Is.EqualTo(1f).Within(1e-5));
        Assert.That(v.GetValues()[0], Is.EqualTo((float)(1 / Math.Sqrt(nnz))).Within(1e-6));
        var tfidf = ctx.Transforms.Text.FeaturizeText("F", "Text", new TextFeaturizingEstimator.Options { Weighting = TextFeaturizingEstimator.WeightingCriteria.TfIdf, Norm = TextFeaturizingEstimator.NormFunction.None }).Fit(data);
        var r2 = Workout.ReadAll(tfidf.Transform(data));
        Assert.That(((float[])r2[0].Last())[0], Is.EqualTo(0f)); // "the" occurs in both docs: idf = ln(2/2) = 0
        Assert.That(((float[])r2[0].Last())[1], Is.EqualTo((float)Math.Log(2)).Within(1e-6));
        Assert.Throws<ArgumentOutOfRangeException>(() => ctx.Transforms.Text.FeaturizeText("F", "Nope").GetOutputSchema(SchemaShape.Create(data.Schema)));
    }

    [Test]
    public void VaeLatentWorkoutWithExtraColumns()
    {
        var ctx = new VaeTextContext(3);
        var data = ctx.Data.LoadFromEnumerable(Workout.Reviews);
        var est = ctx.Transforms.VaeLatent(new VaeLatentEstimator.Options
        {
            OutputColumnName = "Latent", InputColumnName = "Text", LatentSize = 4, EncoderHiddenSizes = [8], Epochs = 3, BatchSize = 4,
            LogVarianceColumnName = "LogVar", ReconstructionErrorColumnName = "Recon",
        });
        var m = (VaeLatentTransformer)Workout.Run(est, data);
        var rows = Workout.ReadAll(m.Transform(data));
        var latent = (float[])rows[0][2];
        Assert.That(latent, Has.Length.EqualTo(4));
        Assert.That(latent.All(float.IsFinite));
        Assert.That((float)rows[0][4], Is.GreaterThan(0f));
        // Same as a batch encode through the engine.
        var batch = m.EncodeMeans(Workout.Reviews.Select(r => r.Text).ToArray());
        Assert.That(batch.AsSpan(0, 4).ToArray(), Is.EqualTo(latent));
        // Same seed, same model.
        var again = (VaeLatentTransformer)new VaeTextContext(3).Transforms.VaeLatent(new VaeLatentEstimator.Options
        {
            OutputColumnName = "Latent", InputColumnName = "Text", LatentSize = 4, EncoderHiddenSizes = [8], Epochs = 3, BatchSize = 4,
        }).Fit(data);
        Assert.That(again.EncodeMeans(["A great movie, I loved it."]), Is.EqualTo(batch.AsSpan(0, 4).ToArray()));
        var nums = ctx.Data.LoadFromEnumerable(new[] { new NumRow() });
        var ex = Assert.Throws<ArgumentOutOfRangeException>(() => ctx.Transforms.VaeLatent("Latent", "A").GetOutputSchema(SchemaShape.Create(nums.Schema)));
        Assert.That(ex!.Message, Does.Contain("'A'").And.Contain("Text"));
        Assert.Throws<ArgumentOutOfRangeException>(() => ctx.Transforms.VaeLatent("Latent", "A").Fit(nums));
        Assert.Throws<ArgumentOutOfRangeException>(() => m.Transform(nums));
    }
}
