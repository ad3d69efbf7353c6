namespace VaeText.Experiments;

/// <summary>Settings of a comparison run (the CLI's <c>compare</c> and <c>demo</c>).</summary>
internal sealed class ComparisonOptions
{
    /// <summary>Training TSV.</summary>
    public required string TrainPath { get; init; }
    /// <summary>Test TSV; null: k-fold cross-validation on the training data.</summary>
    public string? TestPath { get; init; }
    /// <summary>Label column name.</summary>
    public string LabelColumn { get; init; } = "label";
    /// <summary>Text column name.</summary>
    public string TextColumn { get; init; } = "text";
    /// <summary>Wall-clock budget in seconds (null: none). Checked between units of work; VAE training is cut off by it.</summary>
    public double? TimeBudgetSeconds { get; init; }
    /// <summary>Labelled-subset sizes; null entries mean "all labels".</summary>
    public IReadOnlyList<int?> Labeled { get; init; } = new int?[] { null };
    /// <summary>Seeds per labelled-subset size (seeds 1..K).</summary>
    public int Seeds { get; init; } = 1;
    /// <summary>Draw labelled subsets stratified by class.</summary>
    public bool Stratified { get; init; }
    /// <summary>Base VAE configuration.</summary>
    public VaeSettings Vae { get; init; } = new(32, 20);
    /// <summary>Include latent-size / epoch variants of the VAE + SDCA candidate.</summary>
    public bool Variants { get; init; } = true;
    /// <summary>Seed of VAE training.</summary>
    public int VaeSeed { get; init; } = 1;
    /// <summary>Folds for cross-validation when there is no test set.</summary>
    public int Folds { get; init; } = 5;
    /// <summary>Explicit candidate list (null: the default set).</summary>
    public IReadOnlyList<CandidateSpec>? Candidates { get; init; }
    /// <summary>Maximum number of points on the latent map.</summary>
    public int MaxMapPoints { get; init; } = 1500;

    /// <summary>The default candidate set for a base VAE configuration.</summary>
    public static List<CandidateSpec> DefaultCandidates(VaeSettings vae, bool variants)
    {
        var list = new List<CandidateSpec>
        {
            new(FeaturizerKind.Ngrams, TrainerKind.Sdca, null),
            new(FeaturizerKind.Vae, TrainerKind.Sdca, vae),
            new(FeaturizerKind.Both, TrainerKind.Sdca, vae),
            new(FeaturizerKind.Ngrams, TrainerKind.FastTree, null),
            new(FeaturizerKind.Vae, TrainerKind.FastTree, vae),
        };
        if (variants)
        {
            list.Add(new(FeaturizerKind.Vae, TrainerKind.Sdca, vae with { Latent = Math.Max(2, vae.Latent / 2) }));
            list.Add(new(FeaturizerKind.Vae, TrainerKind.Sdca, vae with { Latent = vae.Latent * 2 }));
            list.Add(new(FeaturizerKind.Vae, TrainerKind.Sdca, vae with { Epochs = vae.Epochs * 2 }));
        }
        return list.Distinct().ToList();
    }
}

/// <summary>Receives progress of a comparison run (the CLI shows it).</summary>
internal interface IComparisonProgress
{
    /// <summary>A stage begins (loading, featurizing, training a VAE...).</summary>
    void Stage(string message);
    /// <summary>A VAE training starts.</summary>
    void VaeStarted(VaeSettings settings) { }
    /// <summary>One VAE epoch finished.</summary>
    void VaeEpoch(VaeSettings settings, VaeEpochPoint point);
    /// <summary>A candidate finished one labelled-subset size (all seeds).</summary>
    void CandidateDone(CandidateResult result);
}
