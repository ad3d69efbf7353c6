using Microsoft.ML;
using VaeText.Experiments;
using VaeText.Training;

namespace VaeText.Cli;

/// <summary>The VaeLatent step of a CLI pipeline, with the CLI's progress and cancellation wired in.</summary>
internal static class VaeStep
{
    /// <summary>The VaeLatent estimator (text column → latent means) for a corpus of <paramref name="documents"/> texts.</summary>
    public static IEstimator<ITransformer> Estimator(MLContext ml, string textColumn, int documents, VaeSettings settings, int seed, double learningRate,
        Action<VaeEpochPoint>? onEpoch, Action<VaeBatchReport, int>? onBatch, CancellationToken ct)
    {
        _ = (ml, textColumn, documents, settings, seed, learningRate, onEpoch, onBatch, ct);
        throw new CliException("the VAE featurizer is not available in this build; use --featurizer ngrams.");
    }

    public static object? Find(ITransformer model) { _ = model; return null; }
    public static float[][] LatentMeans(object vae, IReadOnlyList<string> texts) { _ = (vae, texts); return []; }
    public static IReadOnlyList<IReadOnlyList<string>> TopWords(object vae, int count) { _ = (vae, count); return []; }
    public static string TextColumn(object vae) { _ = vae; return "text"; }
}
