using VaeText.Core;

namespace VaeText.Experiments;

/// <summary>
/// The folds of the cross-validation that selects a pipeline from the labelled rows alone (the test split is never
/// read before the selection is made).
/// <para>k = <see cref="MaxFolds"/> folds, fewer when there are few labelled rows (k = rows / 2, at least 2); fewer than
/// <see cref="MinRows"/> labelled rows cannot be cross-validated and every candidate's score is then undefined (the
/// selection falls back to the first candidate in the default order). Folds are stratified: each class's rows are
/// shuffled with the draw's seed and dealt round-robin over the folds, continuing where the previous class stopped,
/// so every fold gets its share of every class that has at least k rows; a class with fewer than k rows (the
/// fallback for tiny classes) lands in as many folds as it has rows and is absent from the others. Above
/// <see cref="HoldoutFrom"/> labelled rows only the first fold is held out (one 80/20 split: 400 or more held-out rows
/// rank candidates well enough, and a 5-fold loop over every candidate × seed at 2,500 labels cost more than the rest
/// of an IMDB comparison).</para>
/// </summary>
internal sealed class CrossValidationFolds
{
    /// <summary>Folds at most.</summary>
    public const int MaxFolds = 5;
    /// <summary>Fewest labelled rows that can be cross-validated.</summary>
    public const int MinRows = 4;
    /// <summary>From this many labelled rows on, one held-out fold replaces the full k-fold loop.</summary>
    public const int HoldoutFrom = 2000;

    /// <summary>Number of folds.</summary>
    public int K { get; }
    /// <summary>Folds actually run (K, or 1 for a hold-out split).</summary>
    public int Run { get; }
    private readonly int[] _fold; // [labelled row position] fold index

    private CrossValidationFolds(int k, int run, int[] fold) { K = k; Run = run; _fold = fold; }

    /// <summary>
    /// Folds over <paramref name="rows"/> (positions in the training data) with class indices <paramref name="y"/>
    /// (indexed by training row); null when there are too few rows to cross-validate.
    /// </summary>
    public static CrossValidationFolds? Create(IReadOnlyList<int> rows, IReadOnlyList<int> y, int seed, int maxFolds = MaxFolds)
    {
        if (rows.Count < MinRows) return null;
        int k = Math.Clamp(rows.Count / 2, 2, Math.Max(2, maxFolds));
        var fold = new int[rows.Count];
        var rng = new Rng(unchecked(seed * 7919 + 17));
        int next = 0;
        foreach (var cls in Enumerable.Range(0, rows.Count).GroupBy(i => y[rows[i]]).OrderBy(g => g.Key))
        {
            var members = cls.ToArray();
            rng.Shuffle<int>(members);
            foreach (var m in members) fold[m] = next++ % k;
        }
        return new CrossValidationFolds(k, rows.Count >= HoldoutFrom ? 1 : k, fold);
    }

    /// <summary>The training and evaluation rows (training-data positions) of fold <paramref name="f"/>.</summary>
    public (int[] Train, int[] Eval) Split(IReadOnlyList<int> rows, int f)
    {
        var train = new List<int>(rows.Count);
        var eval = new List<int>(rows.Count / K + 1);
        for (int i = 0; i < rows.Count; i++) (_fold[i] == f ? eval : train).Add(rows[i]);
        return (train.ToArray(), eval.ToArray());
    }

    /// <summary>A readable description, e.g. "5-fold" or "hold-out (1 of 5 folds)".</summary>
    public string Describe() => Run == K ? $"{K}-fold" : $"hold-out (1 of {K} folds)";
}
