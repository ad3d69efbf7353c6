namespace VaeText.Trainers.Sdca;

/// <summary>
/// Settings of the SDCA linear trainers. The problem solved is
/// min_w (1/n) Σ loss(w·x_i + b, y_i) + (λ/2)(‖w‖² + b²) + l1·‖w‖₁, with λ = <see cref="L2Regularization"/>.
/// </summary>
public sealed class SdcaOptions
{
    /// <summary>λ (L2). Null = data-dependent default <c>max(1e-6, 1 / rows)</c>. Must be &gt; 0.</summary>
    public float? L2Regularization { get; set; }
    /// <summary>L1 penalty (soft threshold l1/λ on the weights). Null = data-dependent default: 0 when features ≤ rows, otherwise a light 0.01·λ that prunes weights that stay near zero. Must be ≥ 0.</summary>
    public float? L1Regularization { get; set; }
    /// <summary>Maximum passes over the data. Null = data-dependent default: max(20, min(200, ⌈10⁸ / stored values⌉)). Must be ≥ 1.</summary>
    public int? MaximumNumberOfIterations { get; set; }
    /// <summary>Stop when (primal − dual) / primal falls below this (the duality-gap rule). Must be in (0, 1).</summary>
    public double ConvergenceTolerance { get; set; } = 0.01;
    /// <summary>Compute the duality gap every this many passes (each check costs one extra pass).</summary>
    public int ConvergenceCheckFrequency { get; set; } = 1;
    /// <summary>Shuffle the visiting order each pass (seeded).</summary>
    public bool Shuffle { get; set; } = true;
    /// <summary>Seed of the shuffling generator.</summary>
    public int Seed { get; set; } = 1;

    /// <summary>Throws <see cref="ArgumentOutOfRangeException"/> naming the first invalid setting.</summary>
    public void Validate()
    {
        if (L2Regularization is { } l2 && !(l2 > 0 && float.IsFinite(l2))) throw new ArgumentOutOfRangeException("l2Regularization", l2, $"l2Regularization = {l2} is invalid: must be finite and > 0");
        if (L1Regularization is { } l1 && !(l1 >= 0 && float.IsFinite(l1))) throw new ArgumentOutOfRangeException("l1Regularization", l1, $"l1Regularization = {l1} is invalid: must be finite and ≥ 0");
        if (MaximumNumberOfIterations is { } it && it < 1) throw new ArgumentOutOfRangeException("maximumNumberOfIterations", it, $"maximumNumberOfIterations = {it} is invalid: must be at least 1");
        if (!(ConvergenceTolerance > 0 && ConvergenceTolerance < 1)) throw new ArgumentOutOfRangeException("convergenceTolerance", ConvergenceTolerance, $"convergenceTolerance = {ConvergenceTolerance} is invalid: must be in (0, 1)");
        if (ConvergenceCheckFrequency < 1) throw new ArgumentOutOfRangeException("convergenceCheckFrequency", ConvergenceCheckFrequency, $"convergenceCheckFrequency = {ConvergenceCheckFrequency} is invalid: must be at least 1");
    }

    /// <summary>A copy of these settings.</summary>
    public SdcaOptions Clone() => (SdcaOptions)MemberwiseClone();

    internal (double L2, double L1, int MaxIter) Resolve(int rows, int features, long nonZeros)
    {
        double l2 = L2Regularization ?? Math.Max(1e-6, 1.0 / Math.Max(1, rows));
        double l1 = L1Regularization ?? (features <= rows ? 0 : 0.01 * l2);
        int it = MaximumNumberOfIterations ?? (int)Math.Max(20, Math.Min(200, Math.Ceiling(1e8 / Math.Max(1, nonZeros))));
        return (l2, l1, it);
    }
}
