using VaeText.Models;

namespace VaeText.Training;

/// <summary>Settings of <see cref="VaeTrainer"/>.</summary>
public sealed class VaeTrainingOptions
{
    /// <summary>Default values.</summary>
    public static class Defaults
    {
        /// <summary>Default epochs.</summary>
        public const int Epochs = 20;
        /// <summary>Default batch size.</summary>
        public const int BatchSize = 256;
        /// <summary>Default learning rate.</summary>
        public const double LearningRate = 2e-3;
        /// <summary>Default Adam β1.</summary>
        public const double Beta1 = 0.9;
        /// <summary>Default Adam β2.</summary>
        public const double Beta2 = 0.999;
        /// <summary>Default Adam ε.</summary>
        public const double AdamEpsilon = 1e-8;
        /// <summary>Default KL annealing.</summary>
        public const KlAnnealing Annealing = KlAnnealing.Linear;
        /// <summary>Default warm-up steps of the KL weight.</summary>
        public const int AnnealingSteps = 1000;
        /// <summary>Default seed.</summary>
        public const int Seed = 1;
    }

    /// <summary>Passes over the training documents (&gt; 0).</summary>
    public int Epochs { get; set; } = Defaults.Epochs;
    /// <summary>Documents per optimisation step (&gt; 0).</summary>
    public int BatchSize { get; set; } = Defaults.BatchSize;
    /// <summary>Adam step size (positive, finite).</summary>
    public double LearningRate { get; set; } = Defaults.LearningRate;
    /// <summary>Adam β1 in [0, 1).</summary>
    public double Beta1 { get; set; } = Defaults.Beta1;
    /// <summary>Adam β2 in [0, 1).</summary>
    public double Beta2 { get; set; } = Defaults.Beta2;
    /// <summary>Adam ε (&gt; 0).</summary>
    public double AdamEpsilon { get; set; } = Defaults.AdamEpsilon;
    /// <summary>Decoupled (AdamW) weight decay; 0 = plain Adam.</summary>
    public double WeightDecay { get; set; }
    /// <summary>KL weight schedule.</summary>
    public KlAnnealing Annealing { get; set; } = Defaults.Annealing;
    /// <summary>Warm-up length of the KL weight in optimisation steps (&gt; 0 unless Annealing is Constant).</summary>
    public int AnnealingSteps { get; set; } = Defaults.AnnealingSteps;
    /// <summary>Free bits λ: per latent dimension the batch-mean KL is floored at λ nats (0 = off).</summary>
    public double FreeBits { get; set; }
    /// <summary>Fraction of documents held out (seeded) for the validation ELBO, in [0, 1); 0 = none.</summary>
    public double ValidationFraction { get; set; }
    /// <summary>Stop after this many epochs without a better validation ELBO and restore the best parameters (0 = off; needs validation).</summary>
    public int EarlyStoppingPatience { get; set; }
    /// <summary>Clip gradients to this global L2 norm (0 = off).</summary>
    public double GradientClipNorm { get; set; }
    /// <summary>Seed of the validation split, the shuffles, the noise ε and dropout.</summary>
    public int Seed { get; set; } = Defaults.Seed;
    /// <summary>Worker threads (0 = all cores). Same seed and thread count give bit-identical parameters.</summary>
    public int MaxThreads { get; set; }
    /// <summary>
    /// After each epoch, encode the training documents and report the number of active latent units
    /// (<see cref="VaeEpochReport.ActiveUnits"/>); costs one encoding pass per epoch. Off by default.
    /// </summary>
    public bool TrackActiveUnits { get; set; }
    /// <summary>A latent unit is active when the variance of its posterior mean across documents exceeds this (&gt; 0; default 0.01).</summary>
    public double ActiveUnitThreshold { get; set; } = 0.01;

    /// <summary>
    /// Folder for training checkpoints (null = none). The trainer writes <c>vae-checkpoint.bin</c> there atomically at
    /// the end of every epoch, every <see cref="CheckpointEveryBatches"/> steps, and when cancelled. It holds the
    /// parameters, Adam state, RNG states, position, annealing and early-stopping state, and a fingerprint of the
    /// settings, data and initial parameters.
    /// </summary>
    public string? CheckpointDirectory { get; set; }
    /// <summary>Also write a checkpoint after every this many optimisation steps (0 = only at epoch ends and on cancellation).</summary>
    public int CheckpointEveryBatches { get; set; }
    /// <summary>
    /// Write the epoch-end checkpoint only after the run's last epoch (still also on cancellation and every
    /// <see cref="CheckpointEveryBatches"/> steps): for a run whose checkpoint is kept only to be continued later with
    /// a larger <see cref="Epochs"/>. In the IMDB comparison the first 10 epochs of the 32-d VAE took 23 s instead of
    /// 32 s with it. Not part of the run's identity: a run may be resumed with either setting.
    /// </summary>
    public bool CheckpointLastEpochOnly { get; set; }
    /// <summary>
    /// Continue from the checkpoint in <see cref="CheckpointDirectory"/>. The result equals an uninterrupted run's
    /// bit for bit (same seed, settings, data and thread count). A missing, corrupt or foreign checkpoint is an error.
    /// <see cref="Epochs"/> may be larger than the checkpointed run's: a finished run of N epochs continues to M, and
    /// the result equals an M-epoch run from scratch bit for bit.
    /// </summary>
    public bool Resume { get; set; }

    /// <summary>
    /// Recovery from divergence: when a batch gives a NaN or infinite loss or gradient, roll back to the start of the
    /// epoch, multiply the learning rate by <see cref="DivergenceLearningRateFactor"/> and retry, at most this many
    /// times in the run (0 = stop at once with an error naming the epoch and batch).
    /// </summary>
    public int DivergenceRetries { get; set; }
    /// <summary>Learning-rate factor of each divergence retry, in (0, 1) (default 0.5).</summary>
    public double DivergenceLearningRateFactor { get; set; } = 0.5;

    /// <summary>Checks every field.</summary>
    /// <exception cref="ArgumentOutOfRangeException">A field is out of range (the message names it and its value).</exception>
    public void Validate()
    {
        if (Epochs < 1) throw new ArgumentOutOfRangeException(nameof(Epochs), Epochs, "Epochs must be at least 1");
        if (BatchSize < 1) throw new ArgumentOutOfRangeException(nameof(BatchSize), BatchSize, "BatchSize must be at least 1");
        if (!(LearningRate > 0) || !double.IsFinite(LearningRate)) throw new ArgumentOutOfRangeException(nameof(LearningRate), LearningRate, "LearningRate must be a positive finite number");
        if (!(Beta1 >= 0 && Beta1 < 1)) throw new ArgumentOutOfRangeException(nameof(Beta1), Beta1, "Beta1 must be in [0, 1)");
        if (!(Beta2 >= 0 && Beta2 < 1)) throw new ArgumentOutOfRangeException(nameof(Beta2), Beta2, "Beta2 must be in [0, 1)");
        if (!(AdamEpsilon > 0) || !double.IsFinite(AdamEpsilon)) throw new ArgumentOutOfRangeException(nameof(AdamEpsilon), AdamEpsilon, "AdamEpsilon must be a positive finite number");
        if (!(WeightDecay >= 0) || !double.IsFinite(WeightDecay)) throw new ArgumentOutOfRangeException(nameof(WeightDecay), WeightDecay, "WeightDecay must be a non-negative finite number");
        if (!Enum.IsDefined(Annealing)) throw new ArgumentOutOfRangeException(nameof(Annealing), Annealing, "unknown Annealing");
        if (Annealing != KlAnnealing.Constant && AnnealingSteps < 1) throw new ArgumentOutOfRangeException(nameof(AnnealingSteps), AnnealingSteps, "AnnealingSteps must be at least 1 unless Annealing is Constant");
        if (!(FreeBits >= 0) || !double.IsFinite(FreeBits)) throw new ArgumentOutOfRangeException(nameof(FreeBits), FreeBits, "FreeBits must be a non-negative finite number");
        if (!(ValidationFraction >= 0 && ValidationFraction < 1)) throw new ArgumentOutOfRangeException(nameof(ValidationFraction), ValidationFraction, "ValidationFraction must be in [0, 1)");
        if (EarlyStoppingPatience < 0) throw new ArgumentOutOfRangeException(nameof(EarlyStoppingPatience), EarlyStoppingPatience, "EarlyStoppingPatience must be non-negative");
        if (!(GradientClipNorm >= 0) || !double.IsFinite(GradientClipNorm)) throw new ArgumentOutOfRangeException(nameof(GradientClipNorm), GradientClipNorm, "GradientClipNorm must be a non-negative finite number (0 = off)");
        if (DivergenceRetries < 0) throw new ArgumentOutOfRangeException(nameof(DivergenceRetries), DivergenceRetries, "DivergenceRetries must be non-negative (0 = stop on divergence)");
        if (!(DivergenceLearningRateFactor > 0 && DivergenceLearningRateFactor < 1)) throw new ArgumentOutOfRangeException(nameof(DivergenceLearningRateFactor), DivergenceLearningRateFactor, "DivergenceLearningRateFactor must be in (0, 1)");
        if (CheckpointEveryBatches < 0) throw new ArgumentOutOfRangeException(nameof(CheckpointEveryBatches), CheckpointEveryBatches, "CheckpointEveryBatches must be non-negative (0 = each epoch only)");
        if (CheckpointDirectory is not null && string.IsNullOrWhiteSpace(CheckpointDirectory)) throw new ArgumentException("CheckpointDirectory must be null or a folder path", nameof(CheckpointDirectory));
        if (Resume && CheckpointDirectory is null) throw new ArgumentException("Resume needs a CheckpointDirectory to resume from", nameof(Resume));
        if (!(ActiveUnitThreshold > 0) || !double.IsFinite(ActiveUnitThreshold)) throw new ArgumentOutOfRangeException(nameof(ActiveUnitThreshold), ActiveUnitThreshold, "ActiveUnitThreshold must be a positive finite number");
        if (MaxThreads < 0) throw new ArgumentOutOfRangeException(nameof(MaxThreads), MaxThreads, "MaxThreads must be non-negative (0 = all cores)");
    }

    /// <summary>A copy.</summary>
    public VaeTrainingOptions Clone() => (VaeTrainingOptions)MemberwiseClone();
}
