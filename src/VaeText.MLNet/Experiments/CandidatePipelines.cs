using Microsoft.ML;
using Microsoft.ML.Trainers;
using Microsoft.ML.Trainers.FastTree;
using Microsoft.ML.Trainers.LightGbm;
using Microsoft.ML.Transforms.Text;

using VaeText.Pipelines;

namespace VaeText.Experiments;

/// <summary>
/// The ML.NET estimator chains of the comparison's candidates. A candidate is a featurizer chain (text column →
/// <see cref="FeaturesColumn"/>) followed by a classifier (key label <see cref="LabelColumn"/> and
/// <see cref="FeaturesColumn"/> → Score / PredictedLabel) and the mapping of the predicted key back to the class name:
/// <list type="bullet">
/// <item><description><see cref="FeaturizerKind.FeaturizeText"/>: <c>FeaturizeText</c> with ML.NET's defaults (what the ML.NET samples do).</description></item>
/// <item><description><see cref="FeaturizerKind.Ngrams"/>: word 1–2-grams with sublinear TF-IDF, L2 rows (<see cref="TfIdfNgramEstimator"/>).</description></item>
/// <item><description><see cref="FeaturizerKind.Lda"/>: <c>NormalizeText</c> → <c>TokenizeIntoWords</c> → <c>RemoveDefaultStopWords</c> →
/// <c>MapValueToKey</c> → <c>ProduceNgrams</c> (unigram counts) → <c>LatentDirichletAllocation</c>.</description></item>
/// <item><description><see cref="FeaturizerKind.Vae"/>: <c>VaeLatent</c> → <c>NormalizeMeanVariance</c>.</description></item>
/// <item><description><see cref="FeaturizerKind.Both"/>: the TF-IDF n-grams and the standardised latent block (times a weight) concatenated.</description></item>
/// </list>
/// Every featurizer ends in <c>Concatenate</c> → <see cref="FeaturesColumn"/>. Trainers: SDCA (<c>SdcaLogisticRegression</c>
/// for two classes, <c>SdcaMaximumEntropy</c> for more);
/// FastTree (binary for two classes, <c>OneVersusAll</c> over binary FastTree for more); LightGbm (binary or
/// multiclass). Trainers run on one thread so that a fit is reproducible from its seed.
/// </summary>
internal static class CandidatePipelines
{
    /// <summary>The key (or, for two classes, Boolean) label the trainers read.</summary>
    public const string LabelColumn = TextClassifierPipeline.LabelColumn;
    /// <summary>TF-IDF n-gram vector.</summary>
    public const string NgramColumn = TextClassifierPipeline.NgramColumn;
    /// <summary>Raw latent means of the VAE.</summary>
    public const string LatentColumn = TextClassifierPipeline.LatentColumn;
    /// <summary>Standardised (and weighted) latent means.</summary>
    public const string LatentFeaturesColumn = TextClassifierPipeline.LatentFeaturesColumn;
    /// <summary>LDA topic proportions.</summary>
    public const string TopicColumn = "Topics";
    /// <summary>What the trainer reads.</summary>
    public const string FeaturesColumn = TextClassifierPipeline.FeaturesColumn;
    /// <summary>Intermediate token column of the LDA chain.</summary>
    public const string LdaTokensColumn = "LdaTokens";
    /// <summary>Largest TF-IDF n-gram vocabulary (the most frequent n-grams).</summary>
    public const int MaxNgrams = TextClassifierPipeline.MaxNgrams;
    /// <summary>
    /// LDA sampling iterations (ML.NET's default is 200). The cost is linear in tokens × iterations (about 11 ms per
    /// IMDB review at 100 iterations on two cores), so 50 keeps the topic baseline to about two minutes on 25,000 reviews.
    /// </summary>
    public const int LdaIterations = 50;
    /// <summary>
    /// How often LDA computes the corpus log-likelihood (ML.NET's default: every 5 iterations). It only reports
    /// progress, which the comparison does not show: on IMDB's 25,000 reviews the topics were identical with 1,000
    /// and the fit took 46 s instead of 52 s (bench lda-speed). The fit stays on one thread: with two, ML.NET's LDA gave
    /// different topic vectors from run to run.
    /// </summary>
    public const int LdaLikelihoodInterval = 1000;

    /// <summary>
    /// The TF-IDF n-gram featurizer: text → <see cref="NgramColumn"/>, word 1–2-grams of the engine's tokens (CJK
    /// characters count as words), at most <paramref name="maxNgrams"/> of them, those in most training documents
    /// (see <see cref="TfIdfNgramEstimator"/>).
    /// </summary>
    public static IEstimator<ITransformer> Ngrams(MLContext ml, string textColumn, int maxNgrams = MaxNgrams) =>
        new TfIdfNgramEstimator(ml, NgramColumn, textColumn, maxNgrams);

    /// <summary>ML.NET's FeaturizeText with its defaults: text → <see cref="FeaturesColumn"/>.</summary>
    public static IEstimator<ITransformer> FeaturizeTextDefaults(MLContext ml, string textColumn) =>
        ml.Transforms.Text.FeaturizeText(FeaturesColumn, textColumn);

    /// <summary>
    /// The LDA featurizer: text → word bags (lower case, no punctuation, default English stop words removed) →
    /// <c>LatentDirichletAllocation</c> with <paramref name="topics"/> topics → <see cref="FeaturesColumn"/>.
    /// </summary>
    public static IEstimator<ITransformer> Lda(MLContext ml, string textColumn, int topics, int threads, int likelihoodInterval = LdaLikelihoodInterval) =>
        ml.Transforms.Text.NormalizeText(LdaTokensColumn, textColumn, TextNormalizingEstimator.CaseMode.Lower, keepDiacritics: true, keepPunctuations: false, keepNumbers: true)
            .Append(ml.Transforms.Text.TokenizeIntoWords(LdaTokensColumn))
            .Append(ml.Transforms.Text.RemoveDefaultStopWords(LdaTokensColumn))
            .Append(ml.Transforms.Conversion.MapValueToKey(LdaTokensColumn))
            .Append(ml.Transforms.Text.ProduceNgrams(LdaTokensColumn, ngramLength: 1, useAllLengths: false))
            .Append(ml.Transforms.Text.LatentDirichletAllocation(FeaturesColumn, LdaTokensColumn, numberOfTopics: topics,
                maximumNumberOfIterations: LdaIterations, likelihoodInterval: likelihoodInterval, numberOfThreads: threads, resetRandomGenerator: true));

    /// <summary>Standardises the latent means: <see cref="LatentColumn"/> → <see cref="LatentFeaturesColumn"/> ((x − mean) / sd).</summary>
    public static IEstimator<ITransformer> LatentNormalizer(MLContext ml) =>
        ml.Transforms.NormalizeMeanVariance(LatentFeaturesColumn, LatentColumn, fixZero: false);

    /// <summary>
    /// Candidate weights of the latent block next to the unit-norm TF-IDF row: latent^(−1/4) and latent^(−1/2). Weight 1
    /// was dropped: on IMDB (5 seeds × 200, 500, 2,500 labels) cross-validation picked it for 4 of 15 draws, and on the
    /// test split TF-IDF ⊕ the 16+32+64-d latent block scored 82.8 / 84.1 / 86.7 % at weight 1 against 84.3 / 85.4 /
    /// 87.5 % at 0.1 (bench self-train); each weight is one more cross-validation per draw.
    /// </summary>
    public static double[] LatentWeights(int latent) => [Math.Pow(latent, -0.25), Math.Pow(latent, -0.5)];

    /// <summary>
    /// Candidate weights of the VAE ensemble's standardised block next to the unit-norm TF-IDF row: 0.5, 0.25 and 0.125
    /// divided by √latent (the block's norm is then about 0.5, 0.25 and 0.125). TF-IDF's SDCA L2 is tiny, so the weight
    /// decides how much the latent block is regularised against the n-grams, and the best one falls as labels grow. On
    /// IMDB (112 latent dimensions, 5 seeds, test split; bench self-train with tfidf:W, with the FeaturizeText TF-IDF of
    /// earlier versions, whose 200,000 n-grams per length were the first ones met):
    /// <code>
    /// weight    200     500     2,500   25,000 labels
    /// 0.1       84.49   85.70   87.73   89.86
    /// 0.05      85.42   86.56   88.22   89.90
    /// 0.025     85.42   86.92   88.56   90.04
    /// 0.0125    82.14   85.65   88.38   90.36
    /// 0.006     75.49   82.63   87.48   90.48
    /// </code>
    /// </summary>
    public static double[] EnsembleLatentWeights(int latent) => [0.5 / Math.Sqrt(latent), 0.25 / Math.Sqrt(latent), 0.125 / Math.Sqrt(latent)];

    /// <summary>
    /// True when the classifier is binary (two classes: Boolean label, scalar Score, Probability column): ML.NET's binary
    /// trainers (SdcaLogisticRegression, FastTree, LightGbm) fit one weight vector where the multiclass ones fit one per
    /// class, which halves SDCA's work on two classes.
    /// </summary>
    public static bool IsBinary(TrainerKind trainer, int classCount) => classCount == 2;

    /// <summary>
    /// The L2 regularisation of SDCA for a featurizer and <paramref name="rows"/> training rows: ML.NET's own choice (null)
    /// for the LDA baseline, as ML.NET users have it; 0.002 / rows for unit-norm n-gram rows — TF-IDF and FeaturizeText's
    /// defaults — whose entries are tiny (a stronger one collapses a few hundred labelled reviews to the majority class:
    /// 50 % on a 200-label IMDB slice, 66 % with this one); <see cref="LatentL2"/> / rows for standardised latent means;
    /// <see cref="EmbeddingsL2"/> / rows for sentence embeddings.
    /// <para>FeaturizeText's defaults keep their featurizer but not SDCA's defaults: on its 2-million-column IMDB
    /// vectors ML.NET's SDCA picks up to 3 × 500,000 / rows passes and a tiny L2, about 4 s of CPU per fit at 200 rows,
    /// and at 20,000 rows it stopped at 50.6 % (chance); with these settings it scores the same at 200 and 2,500 rows
    /// (71.1 % and 81.3 % against 71.1 % and 81.2 % on held-out training reviews) for a fraction of the time.</para>
    /// </summary>
    public static float? SdcaL2(FeaturizerKind featurizer, int rows) => featurizer switch
    {
        FeaturizerKind.Ngrams or FeaturizerKind.Both or FeaturizerKind.NgramsAndVaeEnsemble or FeaturizerKind.FeaturizeText => 0.002f / Math.Max(1, rows),
        FeaturizerKind.Vae or FeaturizerKind.VaeEnsemble => LatentL2 / Math.Max(1, rows),
        FeaturizerKind.Embeddings or FeaturizerKind.EmbeddingsAndVae => EmbeddingsL2 / Math.Max(1, rows),
        _ => null,
    };

    /// <summary>
    /// Most SDCA passes for a featurizer (null: ML.NET's choice, for the LDA baseline). With the tiny L2 of the unit-norm
    /// n-gram rows SDCA does not reach its tolerance and runs every pass it is allowed, so the cap is its cost: 50 for
    /// the n-gram featurizers alone, 100 for the rest. On IMDB (one fit, test split; bench sdca-speed with -it50) 50
    /// passes against 100 scored 81.25 / 88.61 % against 81.46 / 88.57 % for FeaturizeText's defaults at 2,500 / 25,000
    /// rows in 1.2 / 10.5 s instead of 1.7 / 18.9 s, and 86.69 / 90.31 % against 86.73 / 90.28 % for the FeaturizeText TF-IDF 1–2-grams of earlier versions in
    /// 0.4 / 3.0 s instead of 1.9 / 5.5 s. TF-IDF ⊕ a latent block needs the 100: with 50, TF-IDF ⊕ the VAE ensemble
    /// fell from 88.45 / 90.35 % to 88.18 / 90.04 % at 2,500 / all labels in a full comparison.
    /// </summary>
    public static int? SdcaPasses(FeaturizerKind featurizer) => featurizer switch
    {
        FeaturizerKind.Ngrams or FeaturizerKind.FeaturizeText => 50,
        FeaturizerKind.Lda => null,
        _ => 100,
    };

    /// <summary>
    /// SDCA's L2 times the row count for standardised latent means. Swept on IMDB (32-d VAE, 5 seeds, test split):
    /// 200 labels 82.8 % at 1, 84.5 % at 30 and 100, 83.9 % at 1,000; 500 labels 85.2 %, 85.7 %, 85.6 %, 85.2 %.
    /// </summary>
    public const float LatentL2 = 30f;

    /// <summary>
    /// SDCA's L2 regularisation times the number of rows for unit-norm sentence embeddings (alone or ⊕ the latent block).
    /// On MiniLM embeddings of IMDB training reviews (200 and 500 labelled, scored on 500 other training reviews) 0.01–1
    /// were within one to three points of each other (0.1: 72.0 % and 73.2 %); 3 and more collapse 200 labels to one class.
    /// </summary>
    public const float EmbeddingsL2 = 0.1f;

    /// <summary>The trainer over <see cref="FeaturesColumn"/> and <see cref="LabelColumn"/>, seeded by its MLContext.</summary>
    public static IEstimator<ITransformer> Trainer(MLContext ml, TrainerKind trainer, FeaturizerKind featurizer, int classCount, int rows, float? sdcaL1 = null)
    {
        switch (trainer)
        {
            case TrainerKind.Sdca when classCount == 2:
            {
                // The same objective as SdcaMaximumEntropy over two classes: its two weight vectors end up opposite
                // (w1 = −w0 = w / 2), so its L2 term λ/2 (|w0|² + |w1|²) is (λ/2)/2 |w|² in the binary model's weights.
                float? l2 = SdcaL2(featurizer, rows);
                return ml.BinaryClassification.Trainers.SdcaLogisticRegression(new SdcaLogisticRegressionBinaryTrainer.Options
                {
                    LabelColumnName = LabelColumn,
                    FeatureColumnName = FeaturesColumn,
                    NumberOfThreads = 1,
                    L2Regularization = l2 / 2,
                    L1Regularization = sdcaL1,
                    ConvergenceTolerance = l2 is null ? 0.1f : 1e-3f,
                    MaximumNumberOfIterations = SdcaPasses(featurizer),
                });
            }
            case TrainerKind.Sdca:
                return ml.MulticlassClassification.Trainers.SdcaMaximumEntropy(new SdcaMaximumEntropyMulticlassTrainer.Options
                {
                    LabelColumnName = LabelColumn,
                    FeatureColumnName = FeaturesColumn,
                    NumberOfThreads = 1,
                    L2Regularization = SdcaL2(featurizer, rows),
                    L1Regularization = sdcaL1,
                    // ML.NET's default tolerance (0.1 relative duality gap) stops before small TF-IDF entries get
                    // weights; the LDA baseline keeps ML.NET's defaults.
                    ConvergenceTolerance = SdcaL2(featurizer, rows) is null ? 0.1f : 1e-3f,
                    MaximumNumberOfIterations = SdcaPasses(featurizer),
                });
            case TrainerKind.FastTree:
            {
                var options = new FastTreeBinaryTrainer.Options
                {
                    LabelColumnName = LabelColumn,
                    FeatureColumnName = FeaturesColumn,
                    NumberOfThreads = 1,
                    // Few labelled documents: smaller leaves so that trees can still split.
                    MinimumExampleCountPerLeaf = Math.Clamp(rows / 50, 1, 10),
                };
                var fastTree = WithoutForcedCollections(ml.BinaryClassification.Trainers.FastTree(options));
                if (classCount == 2) return fastTree;
                return ml.MulticlassClassification.Trainers.OneVersusAll(fastTree, LabelColumn);
            }
            default:
            {
                int minLeaf = Math.Clamp(rows / 50, 1, 20);
                if (classCount == 2)
                    return ml.BinaryClassification.Trainers.LightGbm(new LightGbmBinaryTrainer.Options
                    {
                        LabelColumnName = LabelColumn, FeatureColumnName = FeaturesColumn, NumberOfThreads = 1, MinimumExampleCountPerLeaf = minLeaf,
                        Seed = 1, Verbose = false, Silent = true,
                    });
                return ml.MulticlassClassification.Trainers.LightGbm(new LightGbmMulticlassTrainer.Options
                {
                    LabelColumnName = LabelColumn, FeatureColumnName = FeaturesColumn, NumberOfThreads = 1, MinimumExampleCountPerLeaf = minLeaf,
                    Seed = 1, Verbose = false, Silent = true,
                });
            }
        }
    }

    /// <summary>
    /// Turns off the full garbage collections ML.NET's FastTree forces in every fit (its internal <c>AllowGC</c>
    /// switch: two forced collections after building its binned dataset and a third to report the heap size). They free
    /// nothing the fit needs and change no result, but in a comparison run (72 fits on a heap of some GB) they stop
    /// every thread, the VAE training beside the fits included, about 200 times. If a later ML.NET has no such field,
    /// the trainer is returned unchanged.
    /// </summary>
    internal static FastTreeBinaryTrainer WithoutForcedCollections(FastTreeBinaryTrainer trainer)
    {
        for (var t = trainer.GetType(); t is not null; t = t.BaseType)
        {
            var field = t.GetField("AllowGC", System.Reflection.BindingFlags.Instance | System.Reflection.BindingFlags.NonPublic | System.Reflection.BindingFlags.DeclaredOnly);
            if (field?.FieldType == typeof(bool))
            {
                field.SetValue(trainer, false);
                break;
            }
        }
        return trainer;
    }

    private static bool? s_lightGbm;

    /// <summary>
    /// True when Microsoft.ML.LightGbm's native library loads here (checked once with a tiny fit); the LightGbm
    /// candidate is offered only then.
    /// </summary>
    public static bool LightGbmAvailable()
    {
        if (s_lightGbm is bool known) return known;
        try
        {
            var ml = new MLContext(1);
            var rows = Enumerable.Range(0, 40).Select(i => new TinyRow { Label = i % 2 == 0, Features = [i % 2, (i * 7) % 5] });
            ml.BinaryClassification.Trainers.LightGbm(new LightGbmBinaryTrainer.Options { NumberOfIterations = 2, MinimumExampleCountPerLeaf = 1, Silent = true, NumberOfThreads = 1 })
                .Fit(ml.Data.LoadFromEnumerable(rows));
            s_lightGbm = true;
        }
        catch (Exception e) when (e is DllNotFoundException or BadImageFormatException or EntryPointNotFoundException or TypeInitializationException or InvalidOperationException)
        {
            s_lightGbm = false;
        }
        return s_lightGbm.Value;
    }

    private sealed class TinyRow
    {
        public bool Label { get; set; }
        [Microsoft.ML.Data.VectorType(2)]
        public float[] Features { get; set; } = [];
    }
}
