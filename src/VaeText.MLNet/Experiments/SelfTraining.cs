using Microsoft.ML;
using Microsoft.ML.Data;
using VaeText.Core;

namespace VaeText.Experiments;

/// <summary>
/// Self-training of a candidate's classifier on the unlabelled training rows: fit on the labelled rows, give the most
/// confident unlabelled rows the class the classifier predicts, refit on both, and repeat, each round taking a larger
/// share of the pool, the last one all of it. Each class gets the share of pseudo-labels that it has among the labelled
/// rows, most confident first. The labels of unlabelled rows are never read; the rows a cross-validation fold holds out
/// are not in the pool. The fitted classifier is an ordinary ML.NET model over the same features.
/// <para>On IMDB (VAE 16d+32d+64d latent means, 5 seeds, test split) three rounds over 5,000 unlabelled reviews raised
/// 200 / 500 labels from 84.94 / 86.13 % to 85.54 / 86.35 % with SdcaMaximumEntropy, and left 2,500 labels where it was
/// (87.57 against 87.53 %); over all 24,800 unlabelled reviews 85.63 / 86.37 % for five times the fitting time (bench
/// self-train). In the comparison, with SdcaLogisticRegression: 85.50 → 86.05 % at 200 labels, 86.37 → 86.75 % at 500,
/// 87.55 → 87.49 % at 2,500, and cross-validation picked it at 200 and 500.</para>
/// </summary>
internal static class SelfTraining
{
    /// <summary>Rounds of pseudo-labelling.</summary>
    public const int Rounds = 3;
    /// <summary>Unlabelled rows drawn (seeded) for the pool at most.</summary>
    public const int MaxPool = 5000;

    /// <summary>
    /// The unlabelled pool of a fit: training rows in neither <paramref name="labelled"/> nor <paramref name="heldOut"/>,
    /// at most <paramref name="maxPool"/> of them drawn with <paramref name="seed"/>, in ascending order.
    /// </summary>
    public static int[] Pool(int trainRows, IReadOnlyCollection<int> labelled, IReadOnlyCollection<int>? heldOut, int seed, int maxPool = MaxPool)
    {
        var taken = new bool[trainRows];
        foreach (int r in labelled) taken[r] = true;
        if (heldOut is not null) foreach (int r in heldOut) taken[r] = true;
        var pool = Enumerable.Range(0, trainRows).Where(r => !taken[r]).ToArray();
        if (pool.Length > maxPool)
        {
            new Rng(unchecked(seed * 31337 + 5)).Shuffle<int>(pool);
            pool = pool[..maxPool];
            Array.Sort(pool);
        }
        return pool;
    }

    /// <summary>
    /// Fits <paramref name="spec"/>'s classifier on <paramref name="rows"/> (labelled) and then self-trains it on
    /// <paramref name="pool"/> for <paramref name="rounds"/> rounds; <paramref name="labels"/> is read for
    /// <paramref name="rows"/> only.
    /// </summary>
    public static ITransformer Fit(CandidateSpec spec, FeatureTable features, int[] rows, int[] pool, IReadOnlyList<string> labels,
        IReadOnlyList<string> classes, int seed, CancellationToken ct, int rounds = Rounds)
    {
        var plain = spec with { SelfTrained = false };
        var model = ComparisonRunner.FitClassifier(plain, features, rows, labels, classes, seed, ct);
        if (pool.Length == 0) return model;
        var pseudo = new string[labels.Count];
        Array.Fill(pseudo, "");
        foreach (int r in rows) pseudo[r] = labels[r];
        var share = classes.Select(c => rows.Count(r => labels[r] == c) / (double)rows.Length).ToArray();
        for (int round = 1; round <= rounds; round++)
        {
            ct.ThrowIfCancellationRequested();
            var scores = Score(model, features, pool, pseudo);
            int take = (int)((long)pool.Length * round / rounds);
            var picked = new List<int>(take);
            for (int c = 0; c < classes.Count; c++)
            {
                int quota = (int)Math.Round(take * share[c]);
                foreach (int i in Enumerable.Range(0, pool.Length).Where(i => Argmax(scores[i]) == c).OrderByDescending(i => scores[i][c]).ThenBy(i => i).Take(quota))
                {
                    picked.Add(pool[i]);
                    pseudo[pool[i]] = classes[c];
                }
            }
            model = ComparisonRunner.FitClassifier(plain, features, rows.Concat(picked).ToArray(), pseudo, classes, seed, ct);
        }
        return model;
    }

    private static int Argmax(float[] s)
    {
        int best = 0;
        for (int i = 1; i < s.Length; i++) if (s[i] > s[best]) best = i;
        return best;
    }

    /// <summary>The classifier's per-class scores of the pool rows.</summary>
    private static float[][] Score(ITransformer model, FeatureTable features, int[] pool, IReadOnlyList<string> labels)
    {
        var ml = new MLContext(1);
        var scored = model.Transform(features.View(ml, false, pool, labels));
        var result = new float[pool.Length][];
        int k = 0;
        if (scored.Schema.GetColumnOrNull("Probability") is { } probability)
        {
            // A binary classifier: the probability of the second class.
            using var cursor = scored.GetRowCursor(new[] { probability });
            var getter = cursor.GetGetter<float>(probability);
            float p = 0;
            while (cursor.MoveNext())
            {
                getter(ref p);
                result[k++] = [1 - p, p];
            }
        }
        else
        {
            var column = scored.Schema["Score"];
            using var cursor = scored.GetRowCursor(new[] { column });
            var getter = cursor.GetGetter<VBuffer<float>>(column);
            var buffer = default(VBuffer<float>);
            while (cursor.MoveNext())
            {
                getter(ref buffer);
                result[k++] = buffer.DenseValues().ToArray();
            }
        }
        return result;
    }
}
