using VaeText.Tensors;
using VaeText.Training;

namespace VaeText.Models;

/// <summary>Training and diagnostics of <see cref="SeqVae"/> through the engine's <see cref="VaeTrainer"/> loop.</summary>
public static class SeqVaeTraining
{
    /// <summary>
    /// Trains <paramref name="model"/> in place with the trainer's settings (batching, Adam, KL annealing, free bits,
    /// early stopping). <paramref name="documents"/> are the token-id documents (ids in [1, V + 2)) and
    /// <paramref name="bagOfWords"/> their bag-of-words counts (same row order, V columns): the reconstruction targets.
    /// </summary>
    public static VaeTrainingResult Train(this VaeTrainer trainer, SeqVae model, IReadOnlyList<int[]> documents, CsrMatrix bagOfWords,
        IProgress<VaeEpochReport>? progress = null, Action<VaeBatchReport>? onBatch = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(trainer); ArgumentNullException.ThrowIfNull(model);
        ArgumentNullException.ThrowIfNull(documents); ArgumentNullException.ThrowIfNull(bagOfWords);
        if (bagOfWords.Columns != model.Options.VocabularySize)
            throw new ArgumentException($"bagOfWords has {bagOfWords.Columns} columns but the model's vocabulary has {model.Options.VocabularySize} words", nameof(bagOfWords));
        if (bagOfWords.Rows != documents.Count)
            throw new ArgumentException($"bagOfWords has {bagOfWords.Rows} rows but there are {documents.Count} documents", nameof(bagOfWords));
        if (documents.Count == 0) throw new ArgumentException("documents is empty: nothing to train on", nameof(documents));
        return trainer.TrainCore(model.Network, bagOfWords, rows => new TokenBatch(documents, rows), progress, onBatch, cancellationToken);
    }

    /// <summary>
    /// Active latent units (Burda et al.): dimensions whose posterior mean varies over the documents,
    /// Cov_x(E[z|x]) &gt; <paramref name="threshold"/>. <paramref name="means"/> is [count, latent] row-major.
    /// </summary>
    public static int ActiveUnits(ReadOnlySpan<float> means, int count, int latent, double threshold = 0.01)
    {
        if (count <= 0) throw new ArgumentOutOfRangeException(nameof(count), count, "must be positive");
        if (latent <= 0) throw new ArgumentOutOfRangeException(nameof(latent), latent, "must be positive");
        if (means.Length < (long)count * latent) throw new ArgumentException($"means holds {means.Length} values, fewer than {count}×{latent}", nameof(means));
        int active = 0;
        for (int j = 0; j < latent; j++)
        {
            double s = 0, s2 = 0;
            for (int i = 0; i < count; i++) { double v = means[i * latent + j]; s += v; s2 += v * v; }
            double var = s2 / count - (s / count) * (s / count);
            if (var > threshold) active++;
        }
        return active;
    }
}
