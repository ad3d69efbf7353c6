using NUnit.Framework;
using VaeText.Data;
using VaeText.Tests.Pipeline;
using VaeText.Transforms;

namespace VaeText.Tests.Transforms;

public class KeyMappingTests
{
    [Test]
    public void ValueToKeyWorkoutAndOrder()
    {
        var ctx = new VaeTextContext(1);
        var data = ctx.Data.LoadFromEnumerable(Workout.Reviews);
        var est = ctx.Transforms.Conversion.MapValueToKey("Key", "Label").Append(ctx.Transforms.Conversion.MapKeyToValue("Back", "Key"));
        var model = Workout.Run(est, data);
        var rows = Workout.ReadAll(model.Transform(data));
        Assert.That(rows.Select(r => r[2]), Is.EqualTo(new object[] { 1u, 2u, 3u, 1u, 2u, 3u, 1u, 2u }));
        Assert.That(rows.Select(r => r[3]), Is.EqualTo(Workout.Reviews.Select(r => (object)r.Label)));
        var byValue = ctx.Transforms.Conversion.MapValueToKey("Key", "Label", keyOrdinality: ValueToKeyMappingEstimator.KeyOrdinality.ByValue).Fit(data);
        Assert.That(byValue.KeyValues, Is.EqualTo(new[] { "neg", "neu", "pos" }));
        // Unknown value -> key 0, which maps back to empty text.
        var unseen = ctx.Data.LoadFromEnumerable(new[] { new Review { Label = "zzz", Text = "" } });
        Assert.That(Workout.ReadAll(model.Transform(unseen))[0].Skip(2), Is.EqualTo(new object[] { 0u, "" }));
    }

    [Test]
    public void InvalidInputRejectedAtSchemaFitAndTransform()
    {
        var ctx = new VaeTextContext(1);
        var data = ctx.Data.LoadFromEnumerable(Workout.Reviews);
        var est = ctx.Transforms.Conversion.MapValueToKey("Key", "Missing");
        var ex = Assert.Throws<ArgumentOutOfRangeException>(() => est.GetOutputSchema(SchemaShape.Create(data.Schema)));
        Assert.That(ex!.Message, Does.Contain("'Missing'").And.Contain("Text or Single"));
        Assert.Throws<ArgumentOutOfRangeException>(() => est.Fit(data));
        var nums = ctx.Data.LoadFromEnumerable(new[] { new NumRow { V = [1, 2, 3] } });
        var ex2 = Assert.Throws<ArgumentOutOfRangeException>(() => ctx.Transforms.Conversion.MapValueToKey("K", "V").GetOutputSchema(SchemaShape.Create(nums.Schema)));
        Assert.That(ex2!.Message, Does.Contain("'V'"));
        var fitted = ctx.Transforms.Conversion.MapValueToKey("Key", "Text").Fit(data);
        var ex3 = Assert.Throws<ArgumentOutOfRangeException>(() => fitted.Transform(nums));
        Assert.That(ex3!.Message, Does.Contain("'Text'"));
        var k2v = ctx.Transforms.Conversion.MapKeyToValue("X", "Label");
        Assert.Throws<ArgumentOutOfRangeException>(() => k2v.GetOutputSchema(SchemaShape.Create(data.Schema)));
    }
}
