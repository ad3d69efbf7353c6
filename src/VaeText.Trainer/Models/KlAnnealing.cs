namespace VaeText.Models;

/// <summary>How the KL weight β grows over training steps (KL annealing, Bowman et al. 2016).</summary>
public enum KlAnnealing
{
    /// <summary>β = 1 from the first step.</summary>
    Constant = 0,
    /// <summary>β = min(1, step / steps).</summary>
    Linear = 1,
    /// <summary>β = 1 / (1 + exp(−10·(step / steps − 0.5))): slow start, steep middle, saturating at 1.</summary>
    Sigmoid = 2,
}

/// <summary>The β schedule of <see cref="KlAnnealing"/>.</summary>
public static class KlSchedule
{
    /// <summary>β at a zero-based optimisation step.</summary>
    /// <param name="kind">Schedule.</param>
    /// <param name="step">Steps taken before this one (0 for the first batch).</param>
    /// <param name="steps">Length of the warm-up (&gt; 0 for Linear and Sigmoid).</param>
    public static double Beta(KlAnnealing kind, long step, int steps) => kind switch
    {
        KlAnnealing.Constant => 1.0,
        KlAnnealing.Linear => steps <= 0 ? 1.0 : Math.Min(1.0, (double)step / steps),
        KlAnnealing.Sigmoid => steps <= 0 ? 1.0 : 1.0 / (1.0 + Math.Exp(-10.0 * ((double)step / steps - 0.5))),
        _ => throw new ArgumentOutOfRangeException(nameof(kind), kind, "unknown annealing schedule"),
    };
}
