using NUnit.Framework;
using VaeText.Data;
using VaeText.Tests.Pipeline;

namespace VaeText.Tests.Data;

public class DataViewTests
{
    [Test]
    public void EnumerableRoundTripsThroughCreateEnumerable()
    {
        var ctx = new VaeTextContext(1);
        var rows = new[] { new NumRow { Label = "a", A = 1.5f, V = [1, 2, 3] }, new NumRow { Label = "b", A = -2, V = [0, 0, 7] } };
        var view = ctx.Data.LoadFromEnumerable(rows);
        Assert.That(view.Schema["Label"].Type, Is.EqualTo(TextDataViewType.Instance));
        Assert.That(view.Schema["V"].Type, Is.EqualTo(new VectorDataViewType(NumberDataViewType.Single, 3)));
        Assert.That(view.GetRowCount(), Is.EqualTo(2));
        var back = ctx.Data.CreateEnumerable<NumRow>(view, reuseRowObject: false).ToList();
        Assert.That(back.Select(r => r.Label), Is.EqualTo(new[] { "a", "b" }));
        Assert.That(back[1].A, Is.EqualTo(-2f));
        Assert.That(back[1].V, Is.EqualTo(new float[] { 0, 0, 7 }));
    }

    [Test]
    public void WrongVectorSizeIsRejectedNamingRowAndColumn()
    {
        var ctx = new VaeTextContext(1);
        var view = ctx.Data.LoadFromEnumerable(new[] { new NumRow { V = [1, 2] } });
        var ex = Assert.Throws<InvalidOperationException>(() => ctx.Data.CreateEnumerable<NumRow>(view, false).ToList());
        Assert.That(ex!.Message, Does.Contain("'V'").And.Contain("row 0"));
    }

    [Test]
    public void GetterOfWrongTypeIsRejected()
    {
        var view = new VaeTextContext(1).Data.LoadFromEnumerable(Workout.Reviews);
        using var cur = view.GetRowCursor(view.Schema);
        var ex = Assert.Throws<InvalidOperationException>(() => cur.GetGetter<float>(view.Schema["Text"]));
        Assert.That(ex!.Message, Does.Contain("Text"));
    }

    [Test]
    public void TextFileLoadsByIndexAndByNameAndStreams()
    {
        var path = Path.Combine(Path.GetTempPath(), $"vt_{Guid.NewGuid():N}.tsv");
        File.WriteAllText(path, "label\ttext\tscore\npos\tgood film\t1.5\nneg\tbad film\t-2\n");
        try
        {
            var ctx = new VaeTextContext(1);
            var byName = ctx.Data.LoadFromTextFile(path, [new TextLoader.Column("Label", DataKind.String, "label"), new TextLoader.Column("Score", DataKind.Single, "score")], hasHeader: true);
            var rows = Workout.ReadAll(byName);
            Assert.That(rows.Select(r => r[0]), Is.EqualTo(new[] { "pos", "neg" }));
            Assert.That(rows.Select(r => r[1]), Is.EqualTo(new object[] { 1.5f, -2f }));
            var byIndex = ctx.Data.LoadFromTextFile(path, [new TextLoader.Column("Text", DataKind.String, 1)], hasHeader: true);
            Assert.That(Workout.ReadAll(byIndex).Select(r => r[0]), Is.EqualTo(new[] { "good film", "bad film" }));
            var noHeader = ctx.Data.LoadFromTextFile(path, [new TextLoader.Column("Text", DataKind.String, 1)], hasHeader: false);
            Assert.That(Workout.ReadAll(noHeader), Has.Count.EqualTo(3));
            var bad = ctx.Data.LoadFromTextFile(path, [new TextLoader.Column("X", DataKind.Single, 1)], hasHeader: true);
            var ex = Assert.Throws<DataFormatException>(() => Workout.ReadAll(bad));
            Assert.That(ex!.Message, Does.Contain("line 2").And.Contain("field 2"));
            Assert.Throws<ArgumentException>(() => ctx.Data.LoadFromTextFile(path, [new TextLoader.Column("X", DataKind.String, "nope")], hasHeader: true));
        }
        finally { File.Delete(path); }
    }

    [Test]
    public void TrainTestSplitIsComplementaryAndReproducible()
    {
        var ctx = new VaeTextContext(1);
        var data = ctx.Data.LoadFromEnumerable(Enumerable.Range(0, 200).Select(i => new Review { Label = "x", Text = i.ToString() }).ToArray());
        var s1 = ctx.Data.TrainTestSplit(data, 0.25, seed: 5);
        var s2 = ctx.Data.TrainTestSplit(data, 0.25, seed: 5);
        var train = Workout.ReadAll(s1.TrainSet).Select(r => (string)r[1]).ToList();
        var test = Workout.ReadAll(s1.TestSet).Select(r => (string)r[1]).ToList();
        Assert.That(train.Count + test.Count, Is.EqualTo(200));
        Assert.That(train.Intersect(test), Is.Empty);
        Assert.That(test.Count, Is.InRange(30, 70));
        Assert.That(Workout.ReadAll(s2.TestSet).Select(r => (string)r[1]), Is.EqualTo(test));
        var preview = ctx.Data.Preview(data, 3);
        Assert.That(preview.RowView, Has.Count.EqualTo(3));
    }
}
