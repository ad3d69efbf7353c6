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
    /// <summary>Most folds of the cross-validation on the labelled rows that selects the pipeline.</summary>
    public int Folds { get; init; } = CrossValidationFolds.MaxFolds;
    /// <summary>Number of topics of the LDA candidate.</summary>
    public int LdaTopics { get; init; } = 20;
    /// <summary>
    /// Threads for the VAEs and for fits run side by side; 0 = all processors. With two or more, the VAEs train on half of
    /// them beside the candidates that need no VAE (the results do not change; with one, everything runs in line). Each
    /// classifier fit and the LDA fit use one thread (ML.NET's LDA on more threads gives different topics from run to run).
    /// </summary>
    public int Threads { get; init; }
    /// <summary>Explicit candidate list (null: the default set).</summary>
    public IReadOnlyList<CandidateSpec>? Candidates { get; init; }
    /// <summary>Most TF-IDF n-grams of the n-gram featurizer (the most frequent).</summary>
    public int MaxNgrams { get; init; } = CandidatePipelines.MaxNgrams;
    /// <summary>Maximum number of points on the latent map.</summary>
    public int MaxMapPoints { get; init; } = 1500;
    /// <summary>
    /// The sentence-embedding model of the embedding candidates (null: none; see <see cref="EmbeddingCandidates"/>).
    /// </summary>
    public SentenceEmbeddingModel? Embeddings { get; init; }
    /// <summary>
    /// Score every candidate on a seeded sample of this many test documents (the same rows for all; null: the whole test
    /// split). For slow featurizers on large test splits; the sample is drawn with seed 1 and kept in file order.
    /// </summary>
    public int? TestSample { get; init; }

    /// <summary>
    /// The candidates of a sentence-embedding model: embeddings + SDCA and embeddings ⊕ VAE latent (standardised, its
    /// weight chosen by cross-validation as for TF-IDF ⊕ VAE) + SDCA.
    /// </summary>
    public static List<CandidateSpec> EmbeddingCandidates(SentenceEmbeddingModel model, VaeSettings vae) =>
    [
        new(FeaturizerKind.Embeddings, TrainerKind.Sdca, null, Embedding: model.Name),
        new(FeaturizerKind.EmbeddingsAndVae, TrainerKind.Sdca, vae, Embedding: model.Name),
    ];

    /// <summary>
    /// The default candidate set for a base VAE configuration: FeaturizeText (defaults) + SDCA, TF-IDF 1–2-grams +
    /// SDCA, LDA + SDCA, VAE + SDCA / FastTree (/ LightGbm when its native library loads), TF-IDF ⊕ VAE + SDCA, and with
    /// <paramref name="variants"/> VAE + SDCA at half and twice the latent size and at half the epochs, the three sizes'
    /// latent means side by side + SDCA, and the same + a self-trained SDCA (<see cref="SelfTraining"/>).
    /// </summary>
    public static List<CandidateSpec> DefaultCandidates(VaeSettings vae, bool variants, int ldaTopics = 20)
    {
        var list = new List<CandidateSpec>
        {
            new(FeaturizerKind.FeaturizeText, TrainerKind.Sdca, null),
            new(FeaturizerKind.Ngrams, TrainerKind.Sdca, null),
            new(FeaturizerKind.Lda, TrainerKind.Sdca, null, ldaTopics),
            new(FeaturizerKind.Vae, TrainerKind.Sdca, vae),
            new(FeaturizerKind.Vae, TrainerKind.FastTree, vae),
        };
        if (CandidatePipelines.LightGbmAvailable()) list.Add(new(FeaturizerKind.Vae, TrainerKind.LightGbm, vae));
        // TF-IDF ⊕ the latent block: with the variants, the three sizes' block (the VAEs are trained anyway), else the base VAE's.
        if (!variants) list.Add(new(FeaturizerKind.Both, TrainerKind.Sdca, vae));
        if (variants)
        {
            list.Add(new(FeaturizerKind.Vae, TrainerKind.Sdca, vae with { Latent = Math.Max(2, vae.Latent / 2) }));
            list.Add(new(FeaturizerKind.Vae, TrainerKind.Sdca, vae with { Latent = vae.Latent * 2 }));
            // Half the epochs costs no training of its own: the base configuration continues its checkpoint.
            list.Add(new(FeaturizerKind.Vae, TrainerKind.Sdca, vae with { Epochs = Math.Max(1, vae.Epochs / 2) }));
            // The three sizes' latent means side by side: no training of its own. On IMDB (5 seeds, test split) 16+32+64
            // dimensions + SDCA reached 84.94 / 86.13 / 87.57 % at 200 / 500 / 2,500 labels, against 84.92 / 85.69 / 86.93 %
            // for the best single size (bench latent-sdca-l2 with LATENT 16+32+64).
            list.Add(new(FeaturizerKind.VaeEnsemble, TrainerKind.Sdca, vae));
            // The same features, the classifier self-trained on unlabelled training rows (see SelfTraining).
            list.Add(new(FeaturizerKind.VaeEnsemble, TrainerKind.Sdca, vae, SelfTrained: true));
            list.Add(new(FeaturizerKind.NgramsAndVaeEnsemble, TrainerKind.Sdca, vae));
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
    /// <summary>After each VAE optimisation step (on the training thread), with the number of batches per epoch.</summary>
    void VaeBatch(VaeSettings settings, Training.VaeBatchReport report, int batchesPerEpoch) { }
    /// <summary>One VAE epoch finished.</summary>
    void VaeEpoch(VaeSettings settings, VaeEpochPoint point);
    /// <summary>A candidate finished one labelled-subset size (all seeds).</summary>
    void CandidateDone(CandidateResult result);
}
