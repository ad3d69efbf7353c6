using NUnit.Framework;
using VaeText.Data;
using VaeText.Transforms;

namespace VaeText.Tests.Pipeline;

public sealed class Review
{
    public string Label { get; set; } = "";
    public string Text { get; set; } = "";
}

public sealed class NumRow
{
    public string Label { get; set; } = "";
    public float A { get; set; }
    [VectorType(3)] public float[] V { get; set; } = new float[3];
}

internal static class Workout
{
    public static readonly Review[] Reviews =
    [
        new() { Label = "pos", Text = "A great movie, I loved it." },
        new() { Label = "neg", Text = "Terrible plot and bad acting." },
        new() { Label = "neu", Text = "It was fine, nothing special." },
        new() { Label = "pos", Text = "Wonderful acting and a great story!" },
        new() { Label = "neg", Text = "I hated it; the worst film." },
        new() { Label = "neu", Text = "An average film with some good parts." },
        new() { Label = "pos", Text = "Loved the music and the great cast." },
        new() { Label = "neg", Text = "Boring, slow and bad." },
    ];

    /// <summary>All rows of every visible column as boxed values (floats compared bit-exactly by the caller).</summary>
    public static List<object[]> ReadAll(IDataView view)
    {
        var cols = view.Schema.Where(c => !c.IsHidden).ToArray();
        var rows = new List<object[]>();
        using var cur = view.GetRowCursor(cols);
        var getters = cols.Select(c => DataDebuggerPreview.MakeBoxedGetter(cur, c)).ToArray();
        while (cur.MoveNext()) rows.Add(getters.Select(g => g()).ToArray());
        return rows;
    }

    public static void AssertIdentical(IDataView a, IDataView b)
    {
        var ra = ReadAll(a); var rb = ReadAll(b);
        Assert.That(rb.Count, Is.EqualTo(ra.Count));
        for (int i = 0; i < ra.Count; i++)
            for (int j = 0; j < ra[i].Length; j++)
            {
                object x = ra[i][j], y = rb[i][j];
                if (x is float[] fa) Assert.That(((float[])y).Select(BitConverter.SingleToInt32Bits), Is.EqualTo(fa.Select(BitConverter.SingleToInt32Bits)), $"row {i} col {j}");
                else if (x is float f) Assert.That(BitConverter.SingleToInt32Bits((float)y), Is.EqualTo(BitConverter.SingleToInt32Bits(f)), $"row {i} col {j}");
                else Assert.That(y, Is.EqualTo(x), $"row {i} col {j}");
            }
    }

    /// <summary>ML.NET's TestEstimatorCore: fit, promised == actual schema, save/load in a fresh context, identical outputs.</summary>
    public static ITransformer Run<T>(IEstimator<T> est, IDataView data) where T : ITransformer
    {
        var promised = est.GetOutputSchema(SchemaShape.Create(data.Schema));
        var model = est.Fit(data);
        var output = model.Transform(data);
        Assert.That(promised.FindMismatch(output.Schema), Is.Null);
        Assert.That(model.GetOutputSchema(data.Schema).Select(c => (c.Name, c.Type)), Is.EqualTo(output.Schema.Select(c => (c.Name, c.Type))));
        var ms = new MemoryStream();
        new VaeTextContext(1).Model.Save(model, data.Schema, ms);
        ms.Position = 0;
        var loaded = new VaeTextContext(2).Model.Load(ms, out var schema);
        Assert.That(schema.Select(c => (c.Name, c.Type)), Is.EqualTo(data.Schema.Select(c => (c.Name, c.Type))));
        AssertIdentical(output, loaded.Transform(data));
        return model;
    }
}
