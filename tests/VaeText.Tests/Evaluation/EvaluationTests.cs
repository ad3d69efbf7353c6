using NUnit.Framework;
using VaeText.Core;
using VaeText.Evaluation;

namespace VaeText.Tests.Evaluation;

public class EvaluationTests
{
    [Test]
    public void AucMatchesBruteForcePairCountWithTies()
    {
        var r = new Rng(5);
        int n = 300;
        var y = new bool[n]; var s = new double[n]; var p = new double[n];
        for (int i = 0; i < n; i++) { y[i] = r.NextDouble() < 0.4; s[i] = Math.Round(r.NextDouble() * 10 + (y[i] ? 2 : 0)); p[i] = 1 / (1 + Math.Exp(-(s[i] - 6))); }
        double pairs = 0, wins = 0;
        for (int i = 0; i < n; i++) for (int j = 0; j < n; j++)
            if (y[i] && !y[j]) { pairs++; wins += s[i] > s[j] ? 1 : s[i] == s[j] ? 0.5 : 0; }
        var m = ClassificationEvaluator.EvaluateBinary(y, s, p);
        Assert.That(m.AreaUnderRocCurve, Is.EqualTo(wins / pairs).Within(1e-12));
        double ll = 0; for (int i = 0; i < n; i++) ll -= y[i] ? Math.Log(p[i]) : Math.Log(1 - p[i]);
        Assert.That(m.LogLoss, Is.EqualTo(ll / n).Within(1e-12));
        long tp = 0, fp = 0, fn = 0, tn = 0;
        for (int i = 0; i < n; i++) { bool pr = p[i] >= 0.5; if (y[i] && pr) tp++; else if (y[i]) fn++; else if (pr) fp++; else tn++; }
        Assert.That(m.Accuracy, Is.EqualTo((double)(tp + tn) / n));
        Assert.That(m.ConfusionMatrix[1, 1], Is.EqualTo(tp)); Assert.That(m.ConfusionMatrix[0, 1], Is.EqualTo(fp));
        double prec = (double)tp / (tp + fp), rec = (double)tp / (tp + fn);
        Assert.That(m.F1Score, Is.EqualTo(2 * prec * rec / (prec + rec)).Within(1e-12));
        Assert.That(m.ToString(), Does.Contain("AUC").And.Contain("precision"));
    }

    [Test]
    public void AveragePrecisionOfAPerfectAndAKnownRanking()
    {
        var y = new[] { true, false, true, false };
        var m = ClassificationEvaluator.EvaluateBinary(y, new double[] { 4, 3, 2, 1 }, new double[] { .9, .8, .3, .2 });
        Assert.That(m.AreaUnderPrecisionRecallCurve, Is.EqualTo((1.0 + 2.0 / 3) / 2).Within(1e-12));
        Assert.That(m.AreaUnderRocCurve, Is.EqualTo(0.75).Within(1e-12));
    }

    [Test]
    public void MulticlassMetricsMatchDirectFormulas()
    {
        int[] y = [0, 1, 2, 2, 1, 0, 2];
        double[] p =
        [
            .7, .2, .1,  .1, .5, .4,  .2, .3, .5,  .4, .4, .2,  .3, .3, .4,  .2, .5, .3,  .1, .1, .8,
        ];
        var m = ClassificationEvaluator.EvaluateMulticlass(y, p, 3, ["a", "b", "c"], topK: 2);
        // argmax (ties -> lowest id): 0, 1, 2, 0, 2, 1, 2
        Assert.That(m.MicroAccuracy, Is.EqualTo(4.0 / 7).Within(1e-12));
        Assert.That(m.MacroAccuracy, Is.EqualTo((0.5 + 0.5 + 2.0 / 3) / 3).Within(1e-12));
        double ll = -(Math.Log(.7) + Math.Log(.5) + Math.Log(.5) + Math.Log(.2) + Math.Log(.3) + Math.Log(.2) + Math.Log(.8)) / 7;
        Assert.That(m.LogLoss, Is.EqualTo(ll).Within(1e-12));
        double prior = -(2.0 / 7 * Math.Log(2.0 / 7) * 2 + 3.0 / 7 * Math.Log(3.0 / 7));
        Assert.That(m.LogLossReduction, Is.EqualTo(1 - ll / prior).Within(1e-12));
        // top-2 misses: row 3 (label 2 lowest), row 4 (label 1 ties class 0 at .3; the tie goes to the lower id), row 5 (label 0 lowest)
        Assert.That(m.TopKAccuracy, Is.EqualTo(4.0 / 7).Within(1e-12));
        Assert.That(m.PerClassPrecision[2], Is.EqualTo(2.0 / 3).Within(1e-12));
        Assert.That(m.ConfusionMatrix[2, 0], Is.EqualTo(1));
        Assert.That(m.ToTable(), Does.Contain("Micro accuracy"));
    }

    [Test]
    public void StratifiedFoldsAreDisjointBalancedAndSeeded()
    {
        var strata = Enumerable.Range(0, 103).Select(i => i % 7 == 0 ? 2 : i % 3 == 0 ? 1 : 0).ToArray();
        var folds = CrossValidation.StratifiedFolds(strata, 5, 3);
        Assert.That(CrossValidation.StratifiedFolds(strata, 5, 3), Is.EqualTo(folds));
        foreach (var c in strata.Distinct())
        {
            var per = Enumerable.Range(0, 5).Select(f => Enumerable.Range(0, 103).Count(i => strata[i] == c && folds[i] == f)).ToArray();
            Assert.That(per.Max() - per.Min(), Is.LessThanOrEqualTo(1), $"class {c}");
        }
        var res = CrossValidation.Run(strata, 5, 3, train => train, (model, test) => (model, test));
        var all = res.SelectMany(r => r.TestRows).OrderBy(i => i).ToArray();
        Assert.That(all, Is.EqualTo(Enumerable.Range(0, 103).ToArray()));
        foreach (var r in res) Assert.That(r.Model.Intersect(r.TestRows), Is.Empty);
        Assert.That(() => CrossValidation.StratifiedFolds(strata, 1, 0), Throws.TypeOf<ArgumentOutOfRangeException>());
    }
}
