namespace VaeText.Trainers.FastTree;

/// <summary>Default values shared by the FastTree catalog overloads and <see cref="GbdtOptions"/> (ML.NET's defaults).</summary>
public static class FastTreeDefaults
{
    /// <summary>Number of boosting rounds (trees per output).</summary>
    public const int NumberOfTrees = 100;
    /// <summary>Maximum number of leaves per tree.</summary>
    public const int NumberOfLeaves = 20;
    /// <summary>Minimum number of training examples in a leaf.</summary>
    public const int MinimumExampleCountPerLeaf = 10;
    /// <summary>Shrinkage applied to every leaf value.</summary>
    public const double LearningRate = 0.2;
    /// <summary>Maximum number of bins per feature.</summary>
    public const int MaximumBinCountPerFeature = 255;
}

/// <summary>Settings of the gradient-boosted tree core (<see cref="GbdtTrainer"/>).</summary>
public sealed class GbdtOptions
{
    /// <summary>Boosting rounds; each round adds one tree per output. Must be ≥ 1.</summary>
    public int NumberOfTrees { get; set; } = FastTreeDefaults.NumberOfTrees;
    /// <summary>Maximum leaves per tree, grown leaf-wise (best gain first). Must be ≥ 2.</summary>
    public int NumberOfLeaves { get; set; } = FastTreeDefaults.NumberOfLeaves;
    /// <summary>Minimum training examples per leaf. Must be ≥ 1.</summary>
    public int MinimumExampleCountPerLeaf { get; set; } = FastTreeDefaults.MinimumExampleCountPerLeaf;
    /// <summary>Minimum sum of hessians per leaf (guards the Newton step). Must be ≥ 0.</summary>
    public double MinimumHessianPerLeaf { get; set; } = 1e-3;
    /// <summary>Learning rate (shrinkage) in (0, ∞).</summary>
    public double LearningRate { get; set; } = FastTreeDefaults.LearningRate;
    /// <summary>L2 penalty λ on leaf values: leaf = −G / (H + λ). Must be ≥ 0.</summary>
    public double L2Regularization { get; set; }
    /// <summary>
    /// Multiclass only: scale c of the diagonal softmax hessian, h_k = c·p_k(1 − p_k). 0 (the default) means
    /// K/(K − 1), the convention of LightGBM and ML.NET; XGBoost's <c>multi:softprob</c> uses 2. A larger c gives
    /// smaller, more conservative Newton steps (with λ = 0 it acts like dividing the learning rate by c·(K − 1)/K).
    /// Must be 0 or ≥ 1.
    /// </summary>
    public double SoftmaxHessianScale { get; set; }
    /// <summary>Minimum gain for a split to be made. Must be ≥ 0.</summary>
    public double MinimumSplitGain { get; set; }
    /// <summary>Maximum bins per feature, 2..255.</summary>
    public int MaximumBinCountPerFeature { get; set; } = FastTreeDefaults.MaximumBinCountPerFeature;
    /// <summary>Fraction of features considered by each tree, in (0, 1].</summary>
    public double FeatureFraction { get; set; } = 1.0;
    /// <summary>Fraction of rows drawn (without replacement) for the bag, in (0, 1]; 1 = no bagging.</summary>
    public double BaggingFraction { get; set; } = 1.0;
    /// <summary>Redraw the bag every this many rounds (≥ 1); only used when <see cref="BaggingFraction"/> &lt; 1.</summary>
    public int BaggingFrequency { get; set; } = 1;
    /// <summary>Stop when the validation loss has not improved for this many rounds (0 = off; needs a validation set).</summary>
    public int EarlyStoppingRounds { get; set; }
    /// <summary>Seed of the random generator used for bagging and feature sampling.</summary>
    public int Seed { get; set; } = 1;
    /// <summary>Worker threads (histograms, binning, prediction); 0 = all processors. Results do not depend on it.</summary>
    public int NumberOfThreads { get; set; }

    /// <summary>Throws <see cref="ArgumentOutOfRangeException"/> naming the first invalid setting.</summary>
    public void Validate()
    {
        static void Check(bool ok, string name, object value, string need)
        {
            if (!ok) throw new ArgumentOutOfRangeException(name, value, $"{name} = {value} is invalid: {need}");
        }
        Check(NumberOfTrees >= 1, "numberOfTrees", NumberOfTrees, "must be at least 1");
        Check(NumberOfLeaves >= 2, "numberOfLeaves", NumberOfLeaves, "must be at least 2");
        Check(MinimumExampleCountPerLeaf >= 1, "minimumExampleCountPerLeaf", MinimumExampleCountPerLeaf, "must be at least 1");
        Check(MinimumHessianPerLeaf >= 0 && double.IsFinite(MinimumHessianPerLeaf), "minimumHessianPerLeaf", MinimumHessianPerLeaf, "must be finite and ≥ 0");
        Check(LearningRate > 0 && double.IsFinite(LearningRate), "learningRate", LearningRate, "must be finite and > 0");
        Check(L2Regularization >= 0 && double.IsFinite(L2Regularization), "l2Regularization", L2Regularization, "must be finite and ≥ 0");
        Check(SoftmaxHessianScale == 0 || (SoftmaxHessianScale >= 1 && double.IsFinite(SoftmaxHessianScale)), "softmaxHessianScale", SoftmaxHessianScale, "must be 0 (= K/(K−1)) or finite and ≥ 1");
        Check(MinimumSplitGain >= 0 && double.IsFinite(MinimumSplitGain), "minimumSplitGain", MinimumSplitGain, "must be finite and ≥ 0");
        Check(MaximumBinCountPerFeature >= 2 && MaximumBinCountPerFeature <= 255, "maximumBinCountPerFeature", MaximumBinCountPerFeature, "must be in 2..255");
        Check(FeatureFraction > 0 && FeatureFraction <= 1, "featureFraction", FeatureFraction, "must be in (0, 1]");
        Check(BaggingFraction > 0 && BaggingFraction <= 1, "baggingFraction", BaggingFraction, "must be in (0, 1]");
        Check(BaggingFrequency >= 1, "baggingFrequency", BaggingFrequency, "must be at least 1");
        Check(EarlyStoppingRounds >= 0, "earlyStoppingRounds", EarlyStoppingRounds, "must be ≥ 0");
        Check(NumberOfThreads >= 0, "numberOfThreads", NumberOfThreads, "must be ≥ 0 (0 = all processors)");
    }

    /// <summary>A copy of these settings.</summary>
    public GbdtOptions Clone() => (GbdtOptions)MemberwiseClone();
}
