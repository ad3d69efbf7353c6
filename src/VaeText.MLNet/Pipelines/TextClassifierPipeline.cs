using Microsoft.ML;
using Microsoft.ML.Trainers.FastTree;
using VaeText.Experiments;
using VaeText.MLNet;
using VaeText.Training;

namespace VaeText.Pipelines;

/// <summary>
/// Builds the text classifiers of <c>vaetext train</c> (and the comparison's candidates) from ML.NET parts:
/// features — word 1–2-gram TF-IDF (<see cref="TfIdfNgramEstimator"/>, L2) → <see cref="NgramColumn"/> and/or VaeLatent →
/// <see cref="LatentColumn"/> → <c>NormalizeMeanVariance</c> → <see cref="LatentFeaturesColumn"/> —,
/// <c>Concatenate</c> → <see cref="FeaturesColumn"/>, a cache checkpoint, the trainer (<c>SdcaMaximumEntropy</c>;
/// FastTree: <c>OneVersusAll</c> over FastTree binary for more than two classes, FastTree binary for two), and the
/// mapping of the predicted label back to the class name. The label mapping (<see cref="LabelMapping"/>) is fitted
/// and applied to the training data only, so that the saved model needs the text column alone.
/// </summary>
internal static class TextClassifierPipeline
{
    /// <summary>The label column the trainers read (a key over the classes; Boolean for FastTree binary).</summary>
    public const string LabelColumn = "Label";
    /// <summary>N-gram TF-IDF vector.</summary>
    public const string NgramColumn = "NgramFeatures";
    /// <summary>Latent means of the VAE.</summary>
    public const string LatentColumn = "Latent";
    /// <summary>Standardised latent means.</summary>
    public const string LatentFeaturesColumn = "LatentFeatures";
    /// <summary>What the trainer reads.</summary>
    public const string FeaturesColumn = "Features";
    /// <summary>Column names the pipeline writes; a data column of one of these names would be overwritten.</summary>
    public static IReadOnlyList<string> ReservedColumns { get; } =
        [LabelColumn, NgramColumn, LatentColumn, LatentFeaturesColumn, FeaturesColumn, "Score", "PredictedLabel", "Probability"];

    /// <summary>Most n-grams kept (those in most training documents; see <see cref="TfIdfNgramEstimator"/>).</summary>
    public const int MaxNgrams = 1_000_000;
    /// <summary>Most n-grams kept for tree trainers (trees split well only on frequent n-grams, and bin every column).</summary>
    public const int MaxTreeNgrams = 1000;

    /// <summary>True when the classifier is FastTree binary (two classes): Boolean label, scalar Score and Probability.</summary>
    public static bool IsBinary(TrainerKind trainer, int classCount) => trainer == TrainerKind.FastTree && classCount == 2;

    /// <summary>
    /// Maps the text label column to <see cref="LabelColumn"/>: a key whose values are <paramref name="classes"/> in
    /// that order, or for a binary classifier a Boolean (true = <c>classes[1]</c>). Fit it on the training data, apply
    /// it before the classifier; it is not part of the saved model.
    /// </summary>
    public static IEstimator<ITransformer> LabelMapping(MLContext ml, string labelColumn, IReadOnlyList<string> classes, bool binary)
    {
        if (binary)
            return ml.Transforms.Conversion.MapValue(LabelColumn,
                [new KeyValuePair<string, bool>(classes[0], false), new KeyValuePair<string, bool>(classes[1], true)], labelColumn);
        var keys = ml.Data.LoadFromEnumerable(classes.Select(c => new ClassName { Value = c }));
        return ml.Transforms.Conversion.MapValueToKey(LabelColumn, labelColumn, keyData: keys);
    }

    private sealed class ClassName
    {
        public string Value { get; set; } = "";
    }

    /// <summary>
    /// The trainer over <see cref="FeaturesColumn"/>: SdcaMaximumEntropy; FastTree binary for two classes, OneVersusAll
    /// over FastTree binary for more.
    /// </summary>
    public static IEstimator<ITransformer> Trainer(MLContext ml, TrainerKind trainer, int classCount, int rows)
    {
        if (trainer == TrainerKind.Sdca)
            return ml.MulticlassClassification.Trainers.SdcaMaximumEntropy(LabelColumn, FeaturesColumn);
        var options = new FastTreeBinaryTrainer.Options
        {
            LabelColumnName = LabelColumn,
            FeatureColumnName = FeaturesColumn,
            // Few labelled documents: smaller leaves so that trees can still split.
            MinimumExampleCountPerLeaf = Math.Clamp(rows / 50, 1, 10),
        };
        return classCount == 2
            ? ml.BinaryClassification.Trainers.FastTree(options)
            : ml.MulticlassClassification.Trainers.OneVersusAll(ml.BinaryClassification.Trainers.FastTree(options), LabelColumn);
    }

    /// <summary>The predicted label (a key, or Boolean for a binary classifier) back to the class name, in place.</summary>
    public static IEstimator<ITransformer> PredictedLabelMapping(MLContext ml, IReadOnlyList<string> classes, bool binary) => binary
        ? ml.Transforms.Conversion.MapValue("PredictedLabel",
            [new KeyValuePair<bool, string>(false, classes[0]), new KeyValuePair<bool, string>(true, classes[1])], "PredictedLabel")
        : ml.Transforms.Conversion.MapKeyToValue("PredictedLabel");

    /// <summary>The steps of a fitted model, nested chains flattened.</summary>
    public static IEnumerable<ITransformer> Steps(ITransformer model) =>
        model is IEnumerable<ITransformer> chain ? chain.SelectMany(Steps) : [model];

    /// <summary>Largest VAE vocabulary.</summary>
    public const int VaeVocabulary = 20_000;

    /// <summary>
    /// The VAE settings for a corpus of <paramref name="documents"/> texts: small corpora get smaller batches (so that
    /// the model takes enough steps) and anneal the KL term over about five epochs; the bag-of-words decoder works
    /// without English stop words and words in more than half the documents, while a decoder that writes text keeps them.
    /// </summary>
    public static VaeLatentEstimator.Options VaeOptions(int documents, VaeSettings settings, int seed, double learningRate = VaeLatentEstimator.Defaults.LearningRate)
    {
        int batch = Math.Clamp(documents / 20, 16, VaeLatentEstimator.Defaults.BatchSize);
        int stepsPerEpoch = (documents + batch - 1) / batch;
        bool writes = settings.Decoder == "lstm";
        return new VaeLatentEstimator.Options
        {
            Encoder = settings.Encoder.ToLowerInvariant() switch
            {
                "bow" => VaeLatentEstimator.EncoderKind.BagOfWords,
                "lstm" => VaeLatentEstimator.EncoderKind.Lstm,
                "transformer" => VaeLatentEstimator.EncoderKind.Transformer,
                _ => throw new ArgumentException($"--encoder must be one of bow, lstm, transformer (got '{settings.Encoder}')."),
            },
            Decoder = writes ? VaeLatentEstimator.DecoderKind.LstmAutoregressive : VaeLatentEstimator.DecoderKind.BagOfWords,
            LatentSize = settings.Latent,
            Epochs = settings.Epochs,
            BatchSize = batch,
            LearningRate = learningRate,
            AnnealingSteps = Math.Clamp(5 * stepsPerEpoch, 1, VaeLatentEstimator.Defaults.AnnealingSteps),
            MaxVocabularySize = VaeVocabulary,
            MinDocumentFrequency = documents >= 2000 ? 3 : 1,
            MaxDocumentFrequency = writes ? 1.0 : 0.5,
            StopWords = writes ? null : VaeText.Text.StopWords.English,
            Seed = seed,
            CheckpointDirectory = settings.CheckpointDirectory,
            CheckpointEveryBatches = settings.CheckpointEveryBatches,
            Resume = settings.Resume,
            DivergenceRetries = settings.DivergenceRetries,
        };
    }

    /// <summary>The n-gram featurizer: text → <see cref="NgramColumn"/>.</summary>
    public static IEstimator<ITransformer> Ngrams(MLContext ml, string textColumn, TrainerKind trainer) =>
        new TfIdfNgramEstimator(ml, NgramColumn, textColumn, trainer == TrainerKind.FastTree ? MaxTreeNgrams : MaxNgrams);

    /// <summary>
    /// The whole classifier: featurizers (<paramref name="vae"/> is the VaeLatent estimator writing
    /// <see cref="LatentColumn"/>, required unless <paramref name="featurizer"/> is n-grams), concatenation, cache
    /// checkpoint, trainer, predicted label. Fit it on data with <see cref="LabelMapping"/> applied.
    /// </summary>
    public static IEstimator<ITransformer> Build(MLContext ml, FeaturizerKind featurizer, TrainerKind trainer, string textColumn,
        IEstimator<ITransformer>? vae, IReadOnlyList<string> classes, int rows)
    {
        IEstimator<ITransformer>? chain = null;
        var parts = new List<string>();
        if (featurizer != FeaturizerKind.Ngrams)
        {
            ArgumentNullException.ThrowIfNull(vae);
            chain = vae.Append(ml.Transforms.NormalizeMeanVariance(LatentFeaturesColumn, LatentColumn));
            parts.Add(LatentFeaturesColumn);
        }
        if (featurizer != FeaturizerKind.Vae)
        {
            var ngrams = Ngrams(ml, textColumn, trainer);
            chain = chain is null ? ngrams : chain.Append(ngrams);
            parts.Insert(0, NgramColumn);
        }
        return chain!.Append(ml.Transforms.Concatenate(FeaturesColumn, [.. parts]))
            .AppendCacheCheckpoint(ml)
            .Append(Trainer(ml, trainer, classes.Count, rows))
            .Append(PredictedLabelMapping(ml, classes, IsBinary(trainer, classes.Count)));
    }
}
