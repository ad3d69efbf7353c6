using VaeText.Core;

namespace VaeText.Evaluation;

/// <summary>One fold of a cross-validation: its metrics, the model fitted without it, and its held-out rows.</summary>
public sealed class CrossValidationResult<TModel, TMetrics>
{
    internal CrossValidationResult(int fold, TModel model, TMetrics metrics, int[] testRows)
    {
        Fold = fold; Model = model; Metrics = metrics; TestRows = testRows;
    }
    /// <summary>Fold index, 0-based.</summary>
    public int Fold { get; }
    /// <summary>Model fitted on all other folds.</summary>
    public TModel Model { get; }
    /// <summary>Metrics on this fold's rows.</summary>
    public TMetrics Metrics { get; }
    /// <summary>Rows held out in this fold (ascending).</summary>
    public IReadOnlyList<int> TestRows { get; }
}

/// <summary>Stratified k-fold splitting and a generic cross-validation loop.</summary>
public static class CrossValidation
{
    /// <summary>
    /// Fold id of every row: rows of each class are shuffled (seeded) and dealt round-robin, so every fold gets
    /// ⌊c/k⌋ or ⌈c/k⌉ rows of a class with c rows. Classes are visited in id order, continuing the deal.
    /// </summary>
    public static int[] StratifiedFolds(ReadOnlySpan<int> strata, int folds, int seed)
    {
        if (folds < 2) throw new ArgumentOutOfRangeException(nameof(folds), folds, "numberOfFolds must be at least 2");
        if (strata.Length < folds) throw new ArgumentException($"{strata.Length} rows cannot be split into {folds} folds", nameof(strata));
        var rng = new Rng(seed);
        var byClass = new SortedDictionary<int, List<int>>();
        for (int i = 0; i < strata.Length; i++)
        {
            if (!byClass.TryGetValue(strata[i], out var l)) byClass[strata[i]] = l = new List<int>();
            l.Add(i);
        }
        var fold = new int[strata.Length];
        int next = 0;
        foreach (var rows in byClass.Values)
        {
            var arr = rows.ToArray();
            rng.Shuffle(arr.AsSpan());
            foreach (int r in arr) { fold[r] = next; next = (next + 1) % folds; }
        }
        return fold;
    }

    /// <summary>Runs <paramref name="fit"/> on each fold's training rows and <paramref name="evaluate"/> on its held-out rows.</summary>
    public static IReadOnlyList<CrossValidationResult<TModel, TMetrics>> Run<TModel, TMetrics>(ReadOnlySpan<int> strata, int folds, int seed,
        Func<int[], TModel> fit, Func<TModel, int[], TMetrics> evaluate)
    {
        ArgumentNullException.ThrowIfNull(fit);
        ArgumentNullException.ThrowIfNull(evaluate);
        var assign = StratifiedFolds(strata, folds, seed);
        var results = new List<CrossValidationResult<TModel, TMetrics>>();
        for (int f = 0; f < folds; f++)
        {
            var train = Enumerable.Range(0, assign.Length).Where(i => assign[i] != f).ToArray();
            var test = Enumerable.Range(0, assign.Length).Where(i => assign[i] == f).ToArray();
            var model = fit(train);
            results.Add(new CrossValidationResult<TModel, TMetrics>(f, model, evaluate(model, test), test));
        }
        return results;
    }
}
