using NUnit.Framework;
using VaeText.Core;
using VaeText.Data;
using VaeText.Tests.Pipeline;
using VaeText.Transforms;

namespace VaeText.Tests.Trainers;

public class CatalogTests
{
    public sealed class Row
    {
        public bool Label { get; set; }
        public string Cls { get; set; } = "";
        public float Target { get; set; }
        [VectorType(4)] public float[] Features { get; set; } = new float[4];
    }

    private static Row[] Rows(int n, int seed)
    {
        var r = new Rng(seed);
        return Enumerable.Range(0, n).Select(_ =>
        {
            var f = Enumerable.Range(0, 4).Select(_ => (float)r.NextGaussian()).ToArray();
            double s = 1.5 * f[0] - f[1] + 0.3 * r.NextGaussian();
            return new Row { Features = f, Label = s > 0, Cls = s < -0.8 ? "low" : s < 0.8 ? "mid" : "high", Target = (float)s };
        }).ToArray();
    }

    [Test]
    public void BinaryTrainersWorkoutAndEvaluate()
    {
        var ctx = new VaeTextContext(1);
        var data = ctx.Data.LoadFromEnumerable(Rows(300, 1));
        foreach (var est in new IEstimator<BinaryPredictionTransformer>[]
                 {
                     ctx.BinaryClassification.Trainers.FastTree(numberOfTrees: 20, numberOfLeaves: 8),
                     ctx.BinaryClassification.Trainers.SdcaLogisticRegression(l2Regularization: 0.01f),
                 })
        {
            var model = Workout.Run(est, data);
            var m = ctx.BinaryClassification.Evaluate(model.Transform(data));
            Assert.That(m.Accuracy, Is.GreaterThan(0.85), est.GetType().Name);
            Assert.That(m.AreaUnderRocCurve, Is.GreaterThan(0.9), est.GetType().Name);
        }
    }

    [Test]
    public void MulticlassTrainersWorkoutEvaluateAndCrossValidate()
    {
        var ctx = new VaeTextContext(2);
        var raw = ctx.Data.LoadFromEnumerable(Rows(300, 2));
        var data = ctx.Transforms.Conversion.MapValueToKey("Label", "Cls").Fit(raw).Transform(raw);
        var ests = new IEstimator<MulticlassPredictionTransformer>[]
        {
            ctx.MulticlassClassification.Trainers.FastTree(numberOfTrees: 15, numberOfLeaves: 6),
            ctx.MulticlassClassification.Trainers.SdcaMaximumEntropy(l2Regularization: 0.01f),
            ctx.MulticlassClassification.Trainers.OneVersusAll(ctx.BinaryClassification.Trainers.FastTree(numberOfTrees: 10, numberOfLeaves: 4)),
        };
        foreach (var est in ests)
        {
            var model = Workout.Run(est, data);
            var m = ctx.MulticlassClassification.Evaluate(model.Transform(data), topKPredictionCount: 2);
            Assert.That(m.MicroAccuracy, Is.GreaterThan(0.75), est.GetType().Name);
            Assert.That(m.TopKAccuracy, Is.GreaterThanOrEqualTo(m.MicroAccuracy));
        }
        var cv = ctx.MulticlassClassification.CrossValidate(data, (IEstimator<ITransformer>)ests[1], numberOfFolds: 3, seed: 5);
        Assert.That(cv, Has.Count.EqualTo(3));
        Assert.That(cv.SelectMany(r => r.TestRows).OrderBy(i => i), Is.EqualTo(Enumerable.Range(0, 300)));
        Assert.That(cv.Select(r => r.Metrics.MicroAccuracy), Has.All.GreaterThan(0.7));
    }

    [Test]
    public void RegressionWorkoutAndOptionValidation()
    {
        var ctx = new VaeTextContext(3);
        var data = ctx.Data.LoadFromEnumerable(Rows(200, 3));
        Workout.Run(ctx.Regression.Trainers.FastTree(labelColumnName: "Target", numberOfTrees: 10), data);
        Assert.That(() => ctx.BinaryClassification.Trainers.FastTree(numberOfLeaves: 1), Throws.TypeOf<ArgumentOutOfRangeException>().With.Message.Contains("numberOfLeaves"));
        Assert.That(() => ctx.BinaryClassification.Trainers.FastTree(learningRate: -1), Throws.TypeOf<ArgumentOutOfRangeException>().With.Message.Contains("learningRate"));
        Assert.That(() => ctx.BinaryClassification.Trainers.FastTree(labelColumnName: "Cls").Fit(data), Throws.TypeOf<ArgumentOutOfRangeException>().With.Message.Contains("Cls"));
    }
}
