namespace VaeText.Training;

/// <summary>Figures of one training epoch (means are per document).</summary>
/// <param name="Epoch">One-based epoch number.</param>
/// <param name="Steps">Optimisation steps taken so far.</param>
/// <param name="Documents">Training documents seen this epoch.</param>
/// <param name="Reconstruction">Mean reconstruction −Σ count·log p.</param>
/// <param name="Kl">Mean KL(q ‖ prior).</param>
/// <param name="Elbo">Mean ELBO = −(reconstruction + KL) (higher is better).</param>
/// <param name="Perplexity">exp(Σ reconstruction / Σ tokens) (a bound on the word perplexity).</param>
/// <param name="Beta">KL weight at the epoch's last step.</param>
/// <param name="Seconds">Wall time of the epoch's training pass.</param>
/// <param name="ValidationReconstruction">Mean validation reconstruction at z = μ (null without validation).</param>
/// <param name="ValidationKl">Mean validation KL (null without validation).</param>
/// <param name="ValidationElbo">Mean validation ELBO (null without validation).</param>
/// <param name="ValidationPerplexity">Validation perplexity (null without validation).</param>
public sealed record VaeEpochReport(
    int Epoch, long Steps, int Documents, double Reconstruction, double Kl, double Elbo, double Perplexity, double Beta, double Seconds,
    double? ValidationReconstruction, double? ValidationKl, double? ValidationElbo, double? ValidationPerplexity)
{
    /// <summary>
    /// Latent units whose posterior mean varies across the training documents by more than
    /// <see cref="VaeTrainingOptions.ActiveUnitThreshold"/> (Burda et al. 2016); null unless
    /// <see cref="VaeTrainingOptions.TrackActiveUnits"/> is set. Few active units signal posterior collapse.
    /// </summary>
    public int? ActiveUnits { get; init; }
}

/// <summary>Figures of one optimisation step.</summary>
/// <param name="Epoch">One-based epoch.</param>
/// <param name="Batch">Zero-based batch within the epoch.</param>
/// <param name="Step">One-based global step.</param>
/// <param name="Documents">Documents in the batch.</param>
/// <param name="Reconstruction">Batch mean reconstruction.</param>
/// <param name="Kl">Batch mean KL.</param>
/// <param name="Beta">KL weight used.</param>
/// <param name="Loss">The optimised loss (batch mean recon + β·KL, with free bits).</param>
public readonly record struct VaeBatchReport(int Epoch, int Batch, long Step, int Documents, double Reconstruction, double Kl, double Beta, double Loss);

/// <summary>Outcome of <see cref="VaeTrainer.Train"/>.</summary>
/// <param name="Epochs">One report per completed epoch.</param>
/// <param name="BestEpoch">Epoch whose parameters the model holds (the best validation ELBO with early stopping, else the last).</param>
/// <param name="StoppedEarly">True when early stopping ended training before the last epoch.</param>
/// <param name="Steps">Optimisation steps taken.</param>
public sealed record VaeTrainingResult(IReadOnlyList<VaeEpochReport> Epochs, int BestEpoch, bool StoppedEarly, long Steps);
