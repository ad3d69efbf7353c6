using Microsoft.ML;
using VaeText.MLNet;
using VaeText.Training;

namespace VaeText.Experiments;

/// <summary>A VAE configuration fitted once on all training texts (labels unused), shared by the candidates that use it.</summary>
internal sealed class FittedVae
{
    /// <summary>The fitted VaeLatent transformer (text column → <see cref="CandidatePipelines.LatentColumn"/>), part of saved models.</summary>
    public required VaeLatentTransformer Transformer { get; init; }
    /// <summary>Latent size.</summary>
    public required int LatentSize { get; init; }
    /// <summary>Latent means of the training texts, [rows × latent].</summary>
    public required float[] TrainMeans { get; init; }
    /// <summary>Latent means of the test texts, [rows × latent] (null without a test split).</summary>
    public float[]? TestMeans { get; init; }
    /// <summary>Top words per latent dimension.</summary>
    public required IReadOnlyList<IReadOnlyList<string>> TopWords { get; init; }
}

/// <summary>Fits the VaeLatent step of the comparison's candidates.</summary>
internal static class VaeFeaturizer
{
    /// <summary>The VaeLatent settings of a comparison run for a corpus of <paramref name="documents"/> texts.</summary>
    internal static VaeLatentEstimator.Options Options(int documents, VaeSettings settings, int seed, int threads)
    {
        // Small corpora: smaller batches so that the model takes enough steps; anneal over about five epochs.
        int batch = Math.Clamp(documents / 20, 16, VaeTrainingOptions.Defaults.BatchSize);
        int stepsPerEpoch = (documents + batch - 1) / batch;
        bool writes = settings.Decoder == "lstm";
        return new VaeLatentEstimator.Options
        {
            Encoder = EncoderKind(settings.Encoder),
            Decoder = writes ? VaeLatentEstimator.DecoderKind.LstmAutoregressive : VaeLatentEstimator.DecoderKind.BagOfWords,
            LatentSize = settings.Latent,
            EncoderHiddenSizes = Models.BowVaeOptions.Defaults.EncoderHiddenSizes,
            Epochs = settings.Epochs,
            BatchSize = batch,
            LearningRate = VaeTrainingOptions.Defaults.LearningRate,
            Annealing = VaeTrainingOptions.Defaults.Annealing,
            AnnealingSteps = Math.Clamp(5 * stepsPerEpoch, 1, VaeTrainingOptions.Defaults.AnnealingSteps),
            MaxVocabularySize = 20_000,
            MinDocumentFrequency = documents >= 2000 ? 3 : 1,
            // A decoder that writes text needs the function words; the bag-of-words decoder is better without them.
            MaxDocumentFrequency = writes ? 1.0 : 0.5,
            StopWords = writes ? null : Text.StopWords.English,
            Seed = seed,
            MaxThreads = threads,
            CheckpointDirectory = settings.CheckpointDirectory,
            CheckpointEveryBatches = settings.CheckpointEveryBatches,
            CheckpointLastEpochOnly = settings.CheckpointLastEpochOnly,
            Resume = settings.Resume,
            DivergenceRetries = settings.DivergenceRetries,
        };
    }

    /// <summary>Batches per epoch for a corpus of <paramref name="documents"/> texts.</summary>
    internal static int BatchesPerEpoch(int documents)
    {
        int batch = Math.Clamp(documents / 20, 16, VaeTrainingOptions.Defaults.BatchSize);
        return (documents + batch - 1) / batch;
    }

    /// <summary>Maps "bow", "lstm", "transformer" to the estimator's encoder; anything else is an error naming the value.</summary>
    internal static VaeLatentEstimator.EncoderKind EncoderKind(string encoder) => encoder.ToLowerInvariant() switch
    {
        "bow" => VaeLatentEstimator.EncoderKind.BagOfWords,
        "lstm" => VaeLatentEstimator.EncoderKind.Lstm,
        "transformer" => VaeLatentEstimator.EncoderKind.Transformer,
        _ => throw new ArgumentException($"--encoder must be one of bow, lstm, transformer (got '{encoder}').", "--encoder"),
    };

    /// <summary>
    /// Fits the VAE (<c>mlContext.Transforms.VaeLatent</c>) on the text column of <paramref name="train"/> and encodes the
    /// training and test texts; <paramref name="ct"/> stops the training between batches; <paramref name="cache"/> shares the
    /// tokenized corpus with the other configurations.
    /// </summary>
    public static FittedVae Fit(MLContext ml, IDataView train, IReadOnlyList<string> trainTexts, IReadOnlyList<string>? testTexts, string textColumn,
        VaeSettings settings, int seed, int threads, IProgress<VaeEpochReport>? progress, Action<VaeBatchReport>? onBatch, CancellationToken ct,
        Text.BagOfWordsCache? cache = null)
    {
        var options = Options(trainTexts.Count, settings, seed, threads);
        options.Cache = cache;
        options.Progress = progress;
        options.BatchProgress = onBatch;
        options.CancellationToken = ct;
        var vae = ml.Transforms.VaeLatent(CandidatePipelines.LatentColumn, options, textColumn).Fit(train);
        ct.ThrowIfCancellationRequested();
        return new FittedVae
        {
            Transformer = vae,
            LatentSize = vae.LatentSize,
            TrainMeans = vae.EncodeMeans(trainTexts, threads),
            TestMeans = testTexts is null ? null : vae.EncodeMeans(testTexts, threads),
            TopWords = vae.TopWords(10),
        };
    }
}
