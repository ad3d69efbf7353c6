namespace VaeText.Experiments;

/// <summary>Which features a candidate pipeline feeds to its trainer.</summary>
internal enum FeaturizerKind
{
    /// <summary>Word 1–2-gram TF-IDF features (<see cref="Pipelines.TfIdfNgramEstimator"/>: sublinear TF, n-grams of two or more training documents).</summary>
    Ngrams,
    /// <summary>The VAE's latent mean (VaeLatent, standardised).</summary>
    Vae,
    /// <summary>N-grams concatenated with the VAE latent mean.</summary>
    Both,
    /// <summary>ML.NET FeaturizeText with its defaults (word 1–2-grams and character 3-grams, L2): what the ML.NET samples do.</summary>
    FeaturizeText,
    /// <summary>ML.NET LatentDirichletAllocation topic proportions over word bags.</summary>
    Lda,
    /// <summary>Pretrained sentence embeddings (<see cref="ComparisonOptions.Embeddings"/>, e.g. MiniLM from the CLI).</summary>
    Embeddings,
    /// <summary>Pretrained sentence embeddings concatenated with the VAE latent mean (standardised, times a weight).</summary>
    EmbeddingsAndVae,
    /// <summary>
    /// The standardised latent means of the VAEs at half, once and twice the base latent size, concatenated (the VAEs
    /// the size variants train anyway).
    /// </summary>
    VaeEnsemble,
    /// <summary>The TF-IDF n-grams concatenated with the <see cref="VaeEnsemble"/> block (times a weight).</summary>
    NgramsAndVaeEnsemble,
}

/// <summary>Which downstream trainer a candidate uses.</summary>
internal enum TrainerKind
{
    /// <summary>ML.NET SDCA with the logistic loss (SdcaLogisticRegression for two classes, SdcaMaximumEntropy for more).</summary>
    Sdca,
    /// <summary>ML.NET FastTree (binary for two classes, OneVersusAll over binary FastTree for more).</summary>
    FastTree,
    /// <summary>ML.NET LightGbm (binary or multiclass).</summary>
    LightGbm,
}

/// <summary>One VAE configuration; candidates sharing it share one trained VAE.</summary>
/// <param name="Latent">Latent size.</param>
/// <param name="Epochs">Training epochs.</param>
/// <param name="Encoder">"bow", "lstm" or "transformer".</param>
internal sealed record VaeSettings(int Latent, int Epochs, string Encoder = "bow")
{
    /// <summary>Short readable name, e.g. "VAE 32d/20ep" or "LSTM-VAE 32d/20ep".</summary>
    public string Name => (Encoder switch { "lstm" => "LSTM-VAE", "transformer" => "Transformer-VAE", _ => "VAE" }) + $" {Latent}d/{Epochs}ep"
        + (Decoder == "lstm" ? " +LSTM decoder" : "");
    /// <summary>"bow" (bag-of-words softmax) or "lstm" (autoregressive LSTM decoder; needs a sequence encoder).</summary>
    public string Decoder { get; init; } = "bow";
    /// <summary>Checkpoint folder of the VAE training (null = none).</summary>
    public string? CheckpointDirectory { get; init; }
    /// <summary>Also checkpoint every this many steps (0 = epoch ends and cancellation only).</summary>
    public int CheckpointEveryBatches { get; init; }
    /// <summary>Write the epoch-end checkpoint after the last epoch only (a checkpoint kept only to be continued).</summary>
    public bool CheckpointLastEpochOnly { get; init; }
    /// <summary>Resume from the checkpoint in <see cref="CheckpointDirectory"/>.</summary>
    public bool Resume { get; init; }
    /// <summary>On a NaN/∞ loss, roll back to the epoch start and retry with a lower learning rate this many times (0 = stop with an error).</summary>
    public int DivergenceRetries { get; init; }
}

/// <summary>A candidate pipeline of a comparison run.</summary>
/// <param name="Featurizer">Its features.</param>
/// <param name="Trainer">Its trainer.</param>
/// <param name="Vae">The VAE configuration (VAE and n-grams ⊕ VAE candidates only).</param>
/// <param name="Topics">Number of LDA topics (LDA candidates only).</param>
/// <param name="Embedding">Name of the sentence-embedding model (embedding candidates only), e.g. "MiniLM".</param>
/// <param name="SelfTrained">The classifier is self-trained on the unlabelled training rows (<see cref="SelfTraining"/>; SDCA over latent means only).</param>
internal sealed record CandidateSpec(FeaturizerKind Featurizer, TrainerKind Trainer, VaeSettings? Vae, int Topics = 0, string? Embedding = null,
    bool SelfTrained = false)
{
    /// <summary>Readable pipeline name used on the leaderboard.</summary>
    public string Name
    {
        get
        {
            string f = Featurizer switch
            {
                FeaturizerKind.Ngrams => "TF-IDF 1–2-grams",
                FeaturizerKind.FeaturizeText => "FeaturizeText (defaults)",
                FeaturizerKind.Lda => $"LDA {Topics} topics",
                FeaturizerKind.Vae => Vae!.Name,
                FeaturizerKind.VaeEnsemble => EnsembleName(Vae!),
                FeaturizerKind.NgramsAndVaeEnsemble => "TF-IDF ⊕ " + EnsembleName(Vae!),
                FeaturizerKind.Embeddings => Embedding ?? "Sentence embeddings",
                FeaturizerKind.EmbeddingsAndVae => (Embedding ?? "Sentence embeddings") + " ⊕ " + Vae!.Name,
                _ => "TF-IDF ⊕ " + Vae!.Name,
            };
            return f + " + " + (SelfTrained ? "self-trained " : "") + TrainerName;
        }
    }

    private static string EnsembleName(VaeSettings vae) => "VAE " + string.Join("+", EnsembleMembers(vae).Select(m => m.Latent + "d")) + $"/{vae.Epochs}ep";

    /// <summary>"featurize_text", "ngrams", "lda", "vae", "vae_ensemble", "both", "both_ensemble", "embeddings" or "embeddings_vae".</summary>
    public string FeaturizerId => Featurizer switch
    {
        FeaturizerKind.VaeEnsemble => "vae_ensemble",
        FeaturizerKind.NgramsAndVaeEnsemble => "both_ensemble",
        FeaturizerKind.Ngrams => "ngrams",
        FeaturizerKind.Embeddings => "embeddings",
        FeaturizerKind.EmbeddingsAndVae => "embeddings_vae",
        FeaturizerKind.FeaturizeText => "featurize_text",
        FeaturizerKind.Lda => "lda",
        FeaturizerKind.Vae => "vae",
        _ => "both",
    };

    /// <summary>"sdca", "fasttree" or "lightgbm".</summary>
    public string TrainerId => Trainer switch { TrainerKind.Sdca => "sdca", TrainerKind.FastTree => "fasttree", _ => "lightgbm" };

    /// <summary>True when the candidate needs a VAE.</summary>
    public bool UsesVae => Featurizer is FeaturizerKind.Vae or FeaturizerKind.Both or FeaturizerKind.EmbeddingsAndVae or FeaturizerKind.VaeEnsemble
        or FeaturizerKind.NgramsAndVaeEnsemble;

    /// <summary>The VAE configurations of a <see cref="FeaturizerKind.VaeEnsemble"/> over <paramref name="vae"/>: half, once and twice its latent size.</summary>
    public static IReadOnlyList<VaeSettings> EnsembleMembers(VaeSettings vae) =>
        new[] { vae with { Latent = Math.Max(2, vae.Latent / 2) }, vae, vae with { Latent = vae.Latent * 2 } }.Distinct().ToArray();

    /// <summary>True when the candidate needs the run's sentence-embedding model.</summary>
    public bool UsesEmbeddings => Featurizer is FeaturizerKind.Embeddings or FeaturizerKind.EmbeddingsAndVae;

    private string TrainerName => Trainer switch { TrainerKind.Sdca => "SDCA", TrainerKind.FastTree => "FastTree", _ => "LightGbm" };
}

/// <summary>One epoch of VAE training as shown in the report's curves.</summary>
internal sealed record VaeEpochPoint(int Epoch, double Reconstruction, double Kl, double Seconds)
{
    /// <summary>Negative ELBO per document (reconstruction + KL).</summary>
    public double NegativeElbo => Reconstruction + Kl;
}

/// <summary>A trained VAE configuration, its curves and what it learned.</summary>
internal sealed class VaeRunRecord
{
    /// <summary>The configuration.</summary>
    public required VaeSettings Settings { get; init; }
    /// <summary>Wall time of the training, seconds.</summary>
    public double Seconds { get; set; }
    /// <summary>Per-epoch curves.</summary>
    public List<VaeEpochPoint> Epochs { get; } = new();
    /// <summary>Top words of each latent dimension.</summary>
    public IReadOnlyList<IReadOnlyList<string>> TopWords { get; set; } = Array.Empty<IReadOnlyList<string>>();
    /// <summary>NPMI of each dimension's top words over the training texts (null until measured).</summary>
    public TopicCoherence? Coherence { get; set; }
}

/// <summary>One leaderboard row: a candidate at one labelled-subset size, aggregated over seeds.</summary>
internal sealed class CandidateResult
{
    /// <summary>The candidate.</summary>
    public required CandidateSpec Spec { get; init; }
    /// <summary>Number of labelled training documents, or null for all.</summary>
    public int? Labels { get; init; }
    /// <summary>Seeds evaluated (labelled draws fitted and scored).</summary>
    public int Seeds => CvAccuracies.Count;
    /// <summary>Test accuracy per seed (empty without a test split).</summary>
    public List<double> Accuracies { get; } = new();
    /// <summary>Cross-validated accuracy on the labelled rows per seed (NaN where the labelled set is too small to cross-validate).</summary>
    public List<double> CvAccuracies { get; } = new();
    /// <summary>Latent-block weight chosen by cross-validation per seed (n-grams ⊕ VAE candidates only).</summary>
    public List<double> LatentWeights { get; } = new();
    /// <summary>True for the pipeline selected (by cross-validation on the labelled rows) at this labels setting.</summary>
    public bool Selected { get; set; }
    /// <summary>Macro accuracy per seed.</summary>
    public List<double> MacroAccuracies { get; } = new();
    /// <summary>Classifier fit seconds per seed.</summary>
    public List<double> ClassifierSeconds { get; } = new();
    /// <summary>Seconds spent fitting the featurizer (VAE training or n-gram vocabulary) that this candidate uses.</summary>
    public double FeaturizerSeconds { get; set; }
    /// <summary>
    /// Extra memory of this candidate, MB: the peak working set above the level just before the step, the larger of
    /// its featurizer's fit (shared between candidates; measured once, when it ran) and its classifier fits.
    /// </summary>
    public double PeakMemoryMb { get; set; }
    /// <summary>Rank within its labels group (1 = best), 0 when not ranked.</summary>
    public int Rank { get; set; }
    /// <summary>"ok", or why the candidate was not (fully) evaluated.</summary>
    public string Status { get; set; } = "ok";

    /// <summary>Mean test accuracy over seeds (NaN without a test split).</summary>
    public double AccuracyMean => Stats.Mean(Accuracies);
    /// <summary>Mean cross-validated accuracy over seeds (NaN when none could be computed): the selection score.</summary>
    public double CvMean => Stats.Mean(CvAccuracies.Where(double.IsFinite).ToList());
    /// <summary>True when the row has test accuracies.</summary>
    public bool HasTest => Accuracies.Count > 0;
    /// <summary>Sample standard deviation of accuracy over seeds.</summary>
    public double AccuracyStd => Stats.SampleStd(Accuracies);
    /// <summary>Mean macro accuracy over seeds.</summary>
    public double MacroAccuracyMean => Stats.Mean(MacroAccuracies);
    /// <summary>Featurizer fit time plus mean classifier fit time, seconds.</summary>
    public double FitSeconds => FeaturizerSeconds + (ClassifierSeconds.Count == 0 ? 0 : Stats.Mean(ClassifierSeconds));
    /// <summary>The leaderboard's readable labels column.</summary>
    public string LabelsText => Labels is int n ? n.ToString(System.Globalization.CultureInfo.InvariantCulture) : "all";
}

/// <summary>The 2-D latent map of the report: PCA of latent means coloured by class.</summary>
internal sealed record LatentMap(double[] X, double[] Y, int[] ClassIndex, double ExplainedFirst, double ExplainedSecond, string Source);

/// <summary>Everything a comparison run produced; the source of results.json, leaderboard.md and report.html.</summary>
internal sealed class ComparisonReport
{
    /// <summary>Training dataset path as given.</summary>
    public required string Dataset { get; init; }
    /// <summary>Test dataset path, or null when cross-validation was used.</summary>
    public string? TestDataset { get; init; }
    /// <summary>How candidates were evaluated ("test split" or "cross-validation only (no test split)").</summary>
    public required string Evaluation { get; init; }
    /// <summary>How the pipeline of each labels setting was selected (cross-validation on the labelled rows only).</summary>
    public string Selection { get; set; } = "";
    /// <summary>Class names in index order.</summary>
    public required IReadOnlyList<string> Classes { get; init; }
    /// <summary>Training and test document counts.</summary>
    public int TrainCount { get; init; }
    /// <summary>Test document counts (or the training count under cross-validation).</summary>
    public int TestCount { get; init; }
    /// <summary>All leaderboard rows.</summary>
    public List<CandidateResult> Candidates { get; } = new();
    /// <summary>All VAE configurations trained.</summary>
    public List<VaeRunRecord> VaeRuns { get; } = new();
    /// <summary>The topics of every LDA featurizer fitted, with their NPMI (null until measured) beside the VAEs'.</summary>
    public List<LdaTopicsRecord> LdaRuns { get; } = new();
    /// <summary>Sentence-embedding encodings of the run (at most one: the model encodes each needed document once).</summary>
    public List<EmbeddingRunRecord> EmbeddingRuns { get; } = new();
    /// <summary>The selected row at the largest labels setting (highest cross-validated accuracy), if any.</summary>
    public CandidateResult? Best { get; set; }
    /// <summary>Per labels setting: the pipeline each seed's own cross-validation picked (what one user with that draw would get).</summary>
    public List<SeedSelection> SeedSelections { get; } = new();
    /// <summary>Confusion matrix of the best model on the test split (seed 1), [truth, predicted]; null without a test split.</summary>
    public int[,]? BestConfusion { get; set; }
    /// <summary>PCA map of latent means, when a VAE was trained.</summary>
    public LatentMap? LatentMap { get; set; }
    /// <summary>Time budget in seconds (null: none).</summary>
    public double? TimeBudgetSeconds { get; init; }
    /// <summary>Total wall time of the run, seconds.</summary>
    public double TotalSeconds { get; set; }
    /// <summary>When the run finished (UTC).</summary>
    public DateTime FinishedUtc { get; set; } = DateTime.UtcNow;
}

/// <summary>The pipeline one labelled draw's cross-validation selected.</summary>
/// <param name="Labels">Labels setting (null = all).</param>
/// <param name="Seed">The draw's seed.</param>
/// <param name="Pipeline">The selected candidate's name.</param>
/// <param name="CvAccuracy">Its cross-validated accuracy on that draw.</param>
/// <param name="TestAccuracy">Its test accuracy on that draw (NaN without a test split).</param>
internal sealed record SeedSelection(int? Labels, int Seed, string Pipeline, double CvAccuracy, double TestAccuracy);

/// <summary>How a sentence-embedding model encoded the documents a run needed.</summary>
/// <param name="Model">The model's name (e.g. "MiniLM").</param>
/// <param name="Description">What the model is and how documents are cut (its window).</param>
/// <param name="TrainDocuments">Training documents encoded: only those some labelled draw uses (the model is pretrained).</param>
/// <param name="TestDocuments">Test documents encoded.</param>
/// <param name="Seconds">Encoding wall time, seconds.</param>
/// <param name="PeakMemoryMb">Peak working set above the level before the encoding (model load included), MB.</param>
internal sealed record EmbeddingRunRecord(string Model, string Description, int TrainDocuments, int TestDocuments, double Seconds, double PeakMemoryMb)
{
    /// <summary>Documents encoded per second.</summary>
    public double DocumentsPerSecond => Seconds > 0 ? (TrainDocuments + TestDocuments) / Seconds : double.NaN;
}
