using System.Globalization;
using System.Text;

namespace VaeText.Evaluation;

/// <summary>Binary classification metrics (ML.NET names). Positive class = label true.</summary>
public sealed class BinaryClassificationMetrics
{
    /// <summary>Fraction of correct predictions.</summary>
    public double Accuracy { get; init; }
    /// <summary>Area under the ROC curve (ties in score count half).</summary>
    public double AreaUnderRocCurve { get; init; }
    /// <summary>Area under the precision–recall curve (average precision, tied scores grouped).</summary>
    public double AreaUnderPrecisionRecallCurve { get; init; }
    /// <summary>F1 of the positive class.</summary>
    public double F1Score { get; init; }
    /// <summary>Mean negative log-likelihood (natural log) of the probabilities; probabilities clipped to [1e-15, 1 − 1e-15].</summary>
    public double LogLoss { get; init; }
    /// <summary>1 − LogLoss / (log-loss of always predicting the training-set prior, here the label frequency of this set).</summary>
    public double LogLossReduction { get; init; }
    /// <summary>Precision of the positive class.</summary>
    public double PositivePrecision { get; init; }
    /// <summary>Recall of the positive class.</summary>
    public double PositiveRecall { get; init; }
    /// <summary>Precision of the negative class.</summary>
    public double NegativePrecision { get; init; }
    /// <summary>Recall of the negative class.</summary>
    public double NegativeRecall { get; init; }
    /// <summary>Confusion matrix (class 0 = negative, 1 = positive).</summary>
    public ConfusionMatrix ConfusionMatrix { get; init; } = null!;

    /// <summary>The metrics as a readable table.</summary>
    public string ToTable()
    {
        var sb = new StringBuilder();
        void Row(string n, double v) => sb.Append(n.PadRight(34)).AppendLine(v.ToString("F4", CultureInfo.InvariantCulture));
        Row("Accuracy", Accuracy); Row("AUC", AreaUnderRocCurve); Row("Area under PR curve", AreaUnderPrecisionRecallCurve);
        Row("F1 score", F1Score); Row("Log-loss", LogLoss); Row("Log-loss reduction", LogLossReduction);
        Row("Positive precision", PositivePrecision); Row("Positive recall", PositiveRecall);
        Row("Negative precision", NegativePrecision); Row("Negative recall", NegativeRecall);
        return sb.AppendLine().Append(ConfusionMatrix.ToTable()).ToString();
    }

    /// <inheritdoc/>
    public override string ToString() => ToTable();
}

/// <summary>Multiclass classification metrics (ML.NET names).</summary>
public sealed class MulticlassClassificationMetrics
{
    /// <summary>Fraction of examples classified correctly.</summary>
    public double MicroAccuracy { get; init; }
    /// <summary>Mean over classes present in the labels of each class's recall.</summary>
    public double MacroAccuracy { get; init; }
    /// <summary>Mean negative log probability of the true class (clipped at 1e-15).</summary>
    public double LogLoss { get; init; }
    /// <summary>1 − LogLoss / (log-loss of predicting the label frequencies of this set).</summary>
    public double LogLossReduction { get; init; }
    /// <summary>K used for <see cref="TopKAccuracy"/>.</summary>
    public int TopKPredictionCount { get; init; }
    /// <summary>Fraction of examples whose true class is among the K highest-scored (ties broken by lower class id).</summary>
    public double TopKAccuracy { get; init; }
    /// <summary>Mean log-loss of the examples of each class.</summary>
    public IReadOnlyList<double> PerClassLogLoss { get; init; } = [];
    /// <summary>Precision per class.</summary>
    public IReadOnlyList<double> PerClassPrecision { get; init; } = [];
    /// <summary>Recall per class.</summary>
    public IReadOnlyList<double> PerClassRecall { get; init; } = [];
    /// <summary>F1 per class (0 when precision + recall = 0).</summary>
    public IReadOnlyList<double> PerClassF1 { get; init; } = [];
    /// <summary>Confusion matrix.</summary>
    public ConfusionMatrix ConfusionMatrix { get; init; } = null!;

    /// <summary>The metrics as a readable table, with the per-class table and the confusion matrix.</summary>
    public string ToTable()
    {
        var sb = new StringBuilder();
        void Row(string n, double v) => sb.Append(n.PadRight(34)).AppendLine(v.ToString("F4", CultureInfo.InvariantCulture));
        Row("Micro accuracy", MicroAccuracy); Row("Macro accuracy", MacroAccuracy); Row("Log-loss", LogLoss);
        Row("Log-loss reduction", LogLossReduction); Row($"Top-{TopKPredictionCount} accuracy", TopKAccuracy);
        sb.AppendLine();
        var names = ConfusionMatrix.ClassNames;
        int w = Math.Max(8, names.Max(n => n.Length) + 1);
        sb.Append("class".PadRight(w)).Append("precision".PadLeft(11)).Append("recall".PadLeft(11)).Append("F1".PadLeft(11)).AppendLine("log-loss".PadLeft(11));
        for (int k = 0; k < names.Count; k++)
            sb.Append(names[k].PadRight(w))
              .Append(PerClassPrecision[k].ToString("F4", CultureInfo.InvariantCulture).PadLeft(11))
              .Append(PerClassRecall[k].ToString("F4", CultureInfo.InvariantCulture).PadLeft(11))
              .Append(PerClassF1[k].ToString("F4", CultureInfo.InvariantCulture).PadLeft(11))
              .AppendLine(PerClassLogLoss[k].ToString("F4", CultureInfo.InvariantCulture).PadLeft(11));
        return sb.AppendLine().Append(ConfusionMatrix.ToTable()).ToString();
    }

    /// <inheritdoc/>
    public override string ToString() => ToTable();
}

/// <summary>Computes classification metrics from labels, scores and probabilities held in arrays.</summary>
public static class ClassificationEvaluator
{
    private const double Eps = 1e-15;

    /// <summary>Binary metrics.</summary>
    /// <param name="labels">True labels (true = positive).</param>
    /// <param name="scores">Ranking scores (higher = more positive), used for AUC and area under PR.</param>
    /// <param name="probabilities">Probability of the positive class, used for log-loss.</param>
    /// <param name="predicted">Predicted labels; null = probability ≥ 0.5.</param>
    public static BinaryClassificationMetrics EvaluateBinary(ReadOnlySpan<bool> labels, ReadOnlySpan<double> scores, ReadOnlySpan<double> probabilities, ReadOnlySpan<bool> predicted = default)
    {
        int n = labels.Length;
        if (n == 0) throw new ArgumentException("cannot evaluate an empty set", nameof(labels));
        if (scores.Length != n) throw new ArgumentException($"scores has {scores.Length} entries for {n} labels", nameof(scores));
        if (probabilities.Length != n) throw new ArgumentException($"probabilities has {probabilities.Length} entries for {n} labels", nameof(probabilities));
        if (!predicted.IsEmpty && predicted.Length != n) throw new ArgumentException($"predicted has {predicted.Length} entries for {n} labels", nameof(predicted));
        for (int i = 0; i < n; i++)
        {
            if (double.IsNaN(scores[i])) throw new ArgumentException($"score at row {i} is NaN", nameof(scores));
            if (!(probabilities[i] >= 0 && probabilities[i] <= 1)) throw new ArgumentException($"probability at row {i} is {probabilities[i]}; must be in [0, 1]", nameof(probabilities));
        }
        long tp = 0, fp = 0, tn = 0, fn = 0; double ll = 0; long pos = 0;
        for (int i = 0; i < n; i++)
        {
            bool pred = predicted.IsEmpty ? probabilities[i] >= 0.5 : predicted[i];
            if (labels[i]) { pos++; if (pred) tp++; else fn++; } else { if (pred) fp++; else tn++; }
            double p = Math.Clamp(probabilities[i], Eps, 1 - Eps);
            ll -= labels[i] ? Math.Log(p) : Math.Log(1 - p);
        }
        ll /= n;
        double prior = (double)pos / n;
        double priorLl = prior is 0 or 1 ? 0 : -(prior * Math.Log(prior) + (1 - prior) * Math.Log(1 - prior));
        double Div(double a, double b) => b == 0 ? 0 : a / b;
        double pp = Div(tp, tp + fp), pr = Div(tp, tp + fn);
        var cm = new long[2, 2]; cm[0, 0] = tn; cm[0, 1] = fp; cm[1, 0] = fn; cm[1, 1] = tp;
        var (auc, aupr) = RankMetrics(labels, scores);
        return new BinaryClassificationMetrics
        {
            Accuracy = (double)(tp + tn) / n, AreaUnderRocCurve = auc, AreaUnderPrecisionRecallCurve = aupr,
            F1Score = Div(2 * pp * pr, pp + pr), LogLoss = ll, LogLossReduction = priorLl == 0 ? 0 : 1 - ll / priorLl,
            PositivePrecision = pp, PositiveRecall = pr, NegativePrecision = Div(tn, tn + fn), NegativeRecall = Div(tn, tn + fp),
            ConfusionMatrix = new ConfusionMatrix(cm, ["negative", "positive"]),
        };
    }

    /// <summary>AUC (Mann–Whitney with half credit for ties) and average precision, grouping tied scores.</summary>
    internal static (double Auc, double Aupr) RankMetrics(ReadOnlySpan<bool> labels, ReadOnlySpan<double> scores)
    {
        int n = labels.Length;
        var order = Enumerable.Range(0, n).ToArray();
        var s = scores.ToArray();
        Array.Sort(order, (a, b) => s[b].CompareTo(s[a])); // descending
        long totalPos = 0; foreach (var l in labels) if (l) totalPos++;
        long totalNeg = n - totalPos;
        double aucSum = 0, ap = 0; long tpSoFar = 0, fpSoFar = 0;
        for (int i = 0; i < n;)
        {
            int j = i; long gp = 0, gn = 0;
            while (j < n && s[order[j]] == s[order[i]]) { if (labels[order[j]]) gp++; else gn++; j++; }
            // Negatives of this group rank below all positives seen before it, tie with positives in the group.
            aucSum += gn * (tpSoFar + 0.5 * gp);
            tpSoFar += gp; fpSoFar += gn;
            if (gp > 0) ap += gp * ((double)tpSoFar / (tpSoFar + fpSoFar));
            i = j;
        }
        double auc = totalPos == 0 || totalNeg == 0 ? double.NaN : aucSum / ((double)totalPos * totalNeg);
        double aupr = totalPos == 0 ? double.NaN : ap / totalPos;
        return (auc, aupr);
    }

    /// <summary>Multiclass metrics from per-class probabilities.</summary>
    /// <param name="labels">True class ids 0..K−1.</param>
    /// <param name="probabilities">Row-major [rows, K] class probabilities (each row sums to ~1).</param>
    /// <param name="classes">Number of classes K (≥ 2).</param>
    /// <param name="classNames">Names of the K classes (null = "0", "1", …).</param>
    /// <param name="topK">K for top-K accuracy (≥ 1).</param>
    public static MulticlassClassificationMetrics EvaluateMulticlass(ReadOnlySpan<int> labels, ReadOnlySpan<double> probabilities, int classes,
        IReadOnlyList<string>? classNames = null, int topK = 1)
    {
        int n = labels.Length, K = classes;
        if (n == 0) throw new ArgumentException("cannot evaluate an empty set", nameof(labels));
        if (K < 2) throw new ArgumentOutOfRangeException(nameof(classes), classes, "need at least 2 classes");
        if (topK < 1) throw new ArgumentOutOfRangeException(nameof(topK), topK, "must be at least 1");
        if (probabilities.Length != (long)n * K) throw new ArgumentException($"probabilities has {probabilities.Length} entries, expected {n} x {K}", nameof(probabilities));
        if (classNames != null && classNames.Count != K) throw new ArgumentException($"{classNames.Count} class names for {K} classes", nameof(classNames));
        var cm = new long[K, K];
        var perLl = new double[K]; var perN = new long[K];
        double ll = 0; long correct = 0, topCorrect = 0;
        for (int i = 0; i < n; i++)
        {
            int y = labels[i];
            if (y < 0 || y >= K) throw new ArgumentException($"label at row {i} is {y}; expected a class id in [0, {K})", nameof(labels));
            var row = probabilities.Slice(i * K, K);
            int arg = 0;
            for (int k = 0; k < K; k++)
            {
                if (double.IsNaN(row[k])) throw new ArgumentException($"probability at row {i}, class {k} is NaN", nameof(probabilities));
                if (row[k] > row[arg]) arg = k;
            }
            cm[y, arg]++;
            if (arg == y) correct++;
            int rank = 0;
            for (int k = 0; k < K; k++) if (row[k] > row[y] || (row[k] == row[y] && k < y)) rank++;
            if (rank < topK) topCorrect++;
            double l = -Math.Log(Math.Clamp(row[y], Eps, 1));
            ll += l; perLl[y] += l; perN[y]++;
        }
        ll /= n;
        double priorLl = 0;
        for (int k = 0; k < K; k++) if (perN[k] > 0) { double f = (double)perN[k] / n; priorLl -= f * Math.Log(f); }
        var names = classNames ?? Enumerable.Range(0, K).Select(k => k.ToString(CultureInfo.InvariantCulture)).ToArray();
        var matrix = new ConfusionMatrix(cm, names);
        var prec = matrix.PerClassPrecision; var rec = matrix.PerClassRecall;
        var f1 = Enumerable.Range(0, K).Select(k => prec[k] + rec[k] == 0 ? 0 : 2 * prec[k] * rec[k] / (prec[k] + rec[k])).ToArray();
        double macro = 0; int present = 0;
        for (int k = 0; k < K; k++) if (perN[k] > 0) { macro += rec[k]; present++; }
        return new MulticlassClassificationMetrics
        {
            MicroAccuracy = (double)correct / n, MacroAccuracy = macro / present, LogLoss = ll,
            LogLossReduction = priorLl == 0 ? 0 : 1 - ll / priorLl, TopKPredictionCount = topK, TopKAccuracy = (double)topCorrect / n,
            PerClassLogLoss = Enumerable.Range(0, K).Select(k => perN[k] == 0 ? 0 : perLl[k] / perN[k]).ToArray(),
            PerClassPrecision = prec, PerClassRecall = rec, PerClassF1 = f1, ConfusionMatrix = matrix,
        };
    }
}
