namespace VaeText.Experiments;

/// <summary>Evaluation metrics of a classifier from class probabilities (the CLI's <c>evaluate</c>).</summary>
internal static class ModelMetrics
{
    /// <summary>
    /// Computes metrics. Always: micro_accuracy, macro_accuracy, log_loss (mean −ln p(true), p clipped at 1e-15),
    /// documents. With two classes also: accuracy, auc (rank statistic over the score of class 1, ties averaged),
    /// f1 (class 1 positive), precision, recall.
    /// </summary>
    public static SortedDictionary<string, double> Compute(IReadOnlyList<int> truth, IReadOnlyList<float[]> probabilities, int classCount)
    {
        if (truth.Count != probabilities.Count) throw new ArgumentException("truth and probabilities differ in length.", nameof(probabilities));
        var predicted = new int[truth.Count];
        double logLoss = 0;
        for (int i = 0; i < truth.Count; i++)
        {
            var p = probabilities[i];
            if (p.Length != classCount) throw new ArgumentException($"Row {i} has {p.Length} scores, expected {classCount}.", nameof(probabilities));
            int arg = 0;
            for (int c = 1; c < p.Length; c++) if (p[c] > p[arg]) arg = c;
            predicted[i] = arg;
            logLoss -= Math.Log(Math.Clamp((double)p[truth[i]], 1e-15, 1.0));
        }
        var scores = ClassificationScores.Compute(truth.ToArray(), predicted, classCount);
        var m = new SortedDictionary<string, double>(StringComparer.Ordinal)
        {
            ["micro_accuracy"] = scores.Accuracy,
            ["macro_accuracy"] = scores.MacroAccuracy,
            ["log_loss"] = truth.Count == 0 ? double.NaN : logLoss / truth.Count,
            ["documents"] = truth.Count,
        };
        if (classCount == 2)
        {
            int tp = scores.Confusion[1, 1], fp = scores.Confusion[0, 1], fn = scores.Confusion[1, 0];
            double precision = tp + fp == 0 ? 0 : (double)tp / (tp + fp);
            double recall = tp + fn == 0 ? 0 : (double)tp / (tp + fn);
            m["accuracy"] = scores.Accuracy;
            m["precision"] = precision;
            m["recall"] = recall;
            m["f1"] = precision + recall == 0 ? 0 : 2 * precision * recall / (precision + recall);
            m["auc"] = Auc(truth, probabilities.Select(p => (double)p[1]).ToArray());
        }
        return m;
    }

    /// <summary>Area under the ROC curve via the Mann–Whitney statistic (average ranks for ties); NaN with one class only.</summary>
    public static double Auc(IReadOnlyList<int> truth, double[] score)
    {
        int n = truth.Count;
        var order = Enumerable.Range(0, n).OrderBy(i => score[i]).ToArray();
        var rank = new double[n];
        for (int i = 0; i < n;)
        {
            int j = i;
            while (j + 1 < n && score[order[j + 1]] == score[order[i]]) j++;
            double avg = (i + j) / 2.0 + 1;
            for (int k = i; k <= j; k++) rank[order[k]] = avg;
            i = j + 1;
        }
        long pos = truth.Count(t => t == 1), neg = n - pos;
        if (pos == 0 || neg == 0) return double.NaN;
        double sum = 0;
        for (int i = 0; i < n; i++) if (truth[i] == 1) sum += rank[i];
        return (sum - pos * (pos + 1) / 2.0) / ((double)pos * neg);
    }
}
