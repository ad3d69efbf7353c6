using VaeText.Core;
using VaeText.Tensors;

namespace VaeText.Trainers.FastTree;

/// <summary>Result of <see cref="GbdtTrainer"/>: the model plus the loss trace.</summary>
public sealed class GbdtTrainingResult
{
    internal GbdtTrainingResult(GbdtModel model, double[] trainLoss, double[] validLoss, int bestRound)
    {
        Model = model; TrainingLoss = trainLoss; ValidationLoss = validLoss; BestRound = bestRound;
    }

    /// <summary>The trained ensemble (truncated to the best round when early stopping triggered).</summary>
    public GbdtModel Model { get; }
    /// <summary>Mean training loss after each round (entry 0 = after round 1).</summary>
    public IReadOnlyList<double> TrainingLoss { get; }
    /// <summary>Mean validation loss after each round (empty without a validation set).</summary>
    public IReadOnlyList<double> ValidationLoss { get; }
    /// <summary>Number of rounds kept in <see cref="Model"/>.</summary>
    public int BestRound { get; }
}

/// <summary>
/// Histogram gradient boosting on plain arrays (the algorithm behind the FastTree catalog trainers): features are
/// binned once, each round computes gradients/hessians from the objective and grows one leaf-wise tree per output.
/// </summary>
public static class GbdtTrainer
{
    /// <summary>Trains on a dense row-major matrix [rows, features].</summary>
    /// <param name="features">Row-major values, length rows × featureCount; NaN is rejected.</param>
    /// <param name="rows">Number of rows.</param>
    /// <param name="featureCount">Number of features per row.</param>
    /// <param name="labels">Binary: 0/1; multiclass: class ids 0..K−1; regression: any finite value.</param>
    /// <param name="task">Objective.</param>
    /// <param name="classes">Number of classes for multiclass (≥ 2); ignored otherwise.</param>
    /// <param name="options">Settings (validated).</param>
    /// <param name="validation">Optional validation set (dense row-major features and labels) for early stopping.</param>
    public static GbdtTrainingResult Train(float[] features, int rows, int featureCount, float[] labels, GbdtTask task, int classes,
        GbdtOptions options, (float[] Features, float[] Labels)? validation = null)
    {
        ArgumentNullException.ThrowIfNull(features);
        ArgumentNullException.ThrowIfNull(labels);
        ArgumentNullException.ThrowIfNull(options);
        options.Validate();
        if (rows < 1) throw new ArgumentException("training needs at least one row", nameof(rows));
        if ((long)rows * featureCount != features.Length) throw new ArgumentException($"features has {features.Length} values, expected {rows} x {featureCount}", nameof(features));
        BinnedData.CheckFinite(features, rows, featureCount, "Features");
        int threads = options.NumberOfThreads > 0 ? options.NumberOfThreads : Environment.ProcessorCount;
        var binned = BinnedData.FromDense(features, rows, featureCount, options.MaximumBinCountPerFeature, threads);
        return TrainBinned(binned, labels, task, classes, options, validation, threads);
    }

    /// <summary>Trains on a sparse matrix (implicit zeros are values 0, binned in their own bin).</summary>
    public static GbdtTrainingResult Train(CsrMatrix features, float[] labels, GbdtTask task, int classes, GbdtOptions options,
        (float[] Features, float[] Labels)? validation = null)
    {
        ArgumentNullException.ThrowIfNull(features);
        ArgumentNullException.ThrowIfNull(labels);
        ArgumentNullException.ThrowIfNull(options);
        options.Validate();
        if (features.Rows < 1) throw new ArgumentException("training needs at least one row", nameof(features));
        for (int r = 0; r < features.Rows; r++)
            for (int p = features.RowPtr[r]; p < features.RowPtr[r + 1]; p++)
                if (float.IsNaN(features.Values[p])) throw new ArgumentException($"Feature column 'Features' holds NaN at row {r}, slot {features.Indices[p]}; replace missing values first.", nameof(features));
        int threads = options.NumberOfThreads > 0 ? options.NumberOfThreads : Environment.ProcessorCount;
        var binned = BinnedData.FromCsr(features, options.MaximumBinCountPerFeature, threads);
        return TrainBinned(binned, labels, task, classes, options, validation, threads);
    }

    private static void CheckLabels(float[] labels, int rows, GbdtTask task, int classes)
    {
        if (labels.Length != rows) throw new ArgumentException($"labels has {labels.Length} entries for {rows} rows", nameof(labels));
        for (int i = 0; i < labels.Length; i++)
        {
            float y = labels[i];
            bool ok = task switch
            {
                GbdtTask.BinaryClassification => y == 0 || y == 1,
                GbdtTask.MulticlassClassification => y >= 0 && y < classes && y == MathF.Floor(y),
                _ => float.IsFinite(y),
            };
            if (!ok) throw new ArgumentException($"label at row {i} is {y}; {task} needs " + task switch
            {
                GbdtTask.BinaryClassification => "0 or 1",
                GbdtTask.MulticlassClassification => $"an integer class id in [0, {classes})",
                _ => "a finite value",
            }, nameof(labels));
        }
    }

    internal static GbdtTrainingResult TrainBinned(BinnedData data, float[] labels, GbdtTask task, int classes, GbdtOptions o,
        (float[] Features, float[] Labels)? validation, int threads)
    {
        if (task == GbdtTask.MulticlassClassification && classes < 2) throw new ArgumentOutOfRangeException(nameof(classes), classes, "multiclass needs at least 2 classes");
        CheckLabels(labels, data.Rows, task, classes);
        var objective = GbdtObjective.Create(task, classes, o.SoftmaxHessianScale);
        int n = data.Rows, K = objective.Outputs, F = data.TotalFeatures;
        var init = new double[K];
        objective.InitialScores(labels, init);
        var scores = new double[(long)n * K];
        for (int i = 0; i < n; i++) init.CopyTo(scores, i * K);

        float[]? vx = null, vy = null; double[]? vscores = null; int vn = 0;
        if (validation is { } v)
        {
            vx = v.Features; vy = v.Labels;
            ArgumentNullException.ThrowIfNull(vx, "validation.Features");
            ArgumentNullException.ThrowIfNull(vy, "validation.Labels");
            vn = vy.Length;
            if ((long)vn * F != vx.Length) throw new ArgumentException($"validation features have {vx.Length} values, expected {vn} x {F}", nameof(validation));
            BinnedData.CheckFinite(vx, vn, F, "Features (validation)");
            CheckLabels(vy, vn, task, classes);
            vscores = new double[(long)vn * K];
            for (int i = 0; i < vn; i++) init.CopyTo(vscores, i * K);
        }
        if (o.EarlyStoppingRounds > 0 && vx == null) throw new ArgumentException("earlyStoppingRounds > 0 needs a validation set", nameof(o));

        var rng = new Rng(o.Seed);
        var grad = new double[(long)n * K];
        var hess = new double[(long)n * K];
        var trees = new List<GrownTree>();
        var trainLoss = new List<double>();
        var validLoss = new List<double>();
        int U = data.UsedFeatures;
        var masks = new bool[K][];
        for (int k = 0; k < K; k++) masks[k] = new bool[U];
        int[] bag = Enumerable.Range(0, n).ToArray();
        int bagCount = n;
        // With several outputs and enough of them, the K trees of a round grow side by side (one thread each);
        // otherwise one tree at a time with all threads inside it. Every tree is the same either way.
        bool byClass = K > 1 && threads > 1 && K >= threads;
        int workers = byClass ? Math.Min(threads, K) : 1;
        var settings = new TreeSettings(o.NumberOfLeaves, o.MinimumExampleCountPerLeaf, o.MinimumHessianPerLeaf, o.L2Regularization, o.MinimumSplitGain,
            byClass ? 1 : threads);
        var learners = new TreeLearner[workers];
        for (int w = 0; w < workers; w++) learners[w] = new TreeLearner(data);
        var po = new ParallelOptions { MaxDegreeOfParallelism = threads };
        double bestValid = double.PositiveInfinity; int bestRound = 0;
        var roundTrees = new GrownTree[K];

        for (int round = 0; round < o.NumberOfTrees; round++)
        {
            if (o.BaggingFraction < 1 && round % o.BaggingFrequency == 0)
            {
                bagCount = 0;
                for (int i = 0; i < n; i++) if (rng.NextDouble() < o.BaggingFraction) bag[bagCount++] = i;
                if (bagCount == 0) bag[bagCount++] = rng.NextInt(n);
            }
            // The mean loss at the current scores is the training loss after the previous round.
            double lossBefore = objective.Gradients(scores, labels, grad, hess, threads);
            if (round > 0) trainLoss.Add(lossBefore);
            for (int k = 0; k < K; k++) SampleFeatures(masks[k], o.FeatureFraction, rng);
            int bc = bagCount;
            void GrowOne(TreeLearner learner, int k)
            {
                var tree = learner.Grow(grad.AsSpan(k * n, n), hess.AsSpan(k * n, n), bag.AsSpan(0, bc), masks[k], settings, o.LearningRate);
                roundTrees[k] = tree;
                if (bc == n)
                {
                    // Every row is in the bag: the learner's leaf ranges give each row's leaf directly.
                    for (int l = 0; l < learner.LeafCount; l++)
                    {
                        double v = tree.LeafValue[l];
                        foreach (int i in learner.LeafRows(l)) scores[(long)i * K + k] += v;
                    }
                }
            }
            if (workers > 1)
            {
                // Workers take the next class as they finish (a learner is only scratch space, so which worker
                // grows a class does not change its tree).
                int next = -1;
                Parallel.For(0, workers, po, w => { int k; while ((k = Interlocked.Increment(ref next)) < K) GrowOne(learners[w], k); });
            }
            else for (int k = 0; k < K; k++) GrowOne(learners[0], k);
            for (int k = 0; k < K; k++)
            {
                var tree = roundTrees[k];
                trees.Add(tree);
                if (bc < n)
                {
                    // Update training scores through the binned rows (covers out-of-bag rows too).
                    Parallel.For(0, (n + 1023) / 1024, po, b =>
                    {
                        int r0 = b * 1024, r1 = Math.Min(n, r0 + 1024);
                        for (int i = r0; i < r1; i++)
                            scores[(long)i * K + k] += tree.LeafValue[tree.LeafOfBinned(data.Bins.AsSpan(i * U, U))];
                    });
                }
                if (vx != null)
                {
                    for (int i = 0; i < vn; i++) vscores![(long)i * K + k] += RawTreeOutput(tree, vx.AsSpan(i * F, F));
                }
            }
            if (vx != null)
            {
                double vl = objective.MeanLoss(vscores, vy);
                validLoss.Add(vl);
                if (vl < bestValid - 1e-12) { bestValid = vl; bestRound = round + 1; }
                else if (o.EarlyStoppingRounds > 0 && round + 1 - bestRound >= o.EarlyStoppingRounds) break;
            }
            else bestRound = round + 1;
        }
        trainLoss.Add(objective.MeanLoss(scores, labels));
        if (o.EarlyStoppingRounds == 0) bestRound = trainLoss.Count;
        var model = new GbdtModel(task, F, init, trees);
        if (bestRound * K < trees.Count) model = model.Truncate(bestRound * K);
        return new GbdtTrainingResult(model, trainLoss.ToArray(), validLoss.ToArray(), bestRound);
    }

    private static double RawTreeOutput(GrownTree t, ReadOnlySpan<float> x)
    {
        if (t.Slot.Count == 0) return t.LeafValue[0];
        int node = 0;
        while (true)
        {
            int next = x[t.Feature[node]] <= t.Threshold[node] ? t.Left[node] : t.Right[node];
            if (next < 0) return t.LeafValue[~next];
            node = next;
        }
    }

    private static void SampleFeatures(bool[] mask, double fraction, Rng rng)
    {
        if (fraction >= 1) { Array.Fill(mask, true); return; }
        int U = mask.Length;
        int take = Math.Max(1, (int)Math.Round(fraction * U));
        var order = Enumerable.Range(0, U).ToArray();
        rng.Shuffle(order.AsSpan());
        Array.Fill(mask, false);
        for (int i = 0; i < take; i++) mask[order[i]] = true;
    }
}
