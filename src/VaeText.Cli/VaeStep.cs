using Microsoft.ML;
using VaeText.Experiments;
using VaeText.MLNet;
using VaeText.Pipelines;
using VaeText.Training;

namespace VaeText.Cli;

/// <summary>The VaeLatent step of a CLI pipeline, with the CLI's progress and cancellation wired in.</summary>
internal static class VaeStep
{
    /// <summary>The VaeLatent estimator (text column → <see cref="TextClassifierPipeline.LatentColumn"/>) for a corpus of <paramref name="documents"/> texts.</summary>
    public static VaeLatentEstimator Estimator(MLContext ml, string textColumn, int documents, VaeSettings settings, int seed, double learningRate,
        Action<VaeEpochPoint>? onEpoch, Action<VaeBatchReport, int>? onBatch, CancellationToken ct)
    {
        var options = TextClassifierPipeline.VaeOptions(documents, settings, seed, learningRate);
        int batches = (documents + options.BatchSize - 1) / options.BatchSize;
        options.Progress = onEpoch is null ? null : new Relay(onEpoch);
        options.BatchProgress = onBatch is null ? null : r => onBatch(r, batches);
        options.CancellationToken = ct;
        return ml.Transforms.VaeLatent(TextClassifierPipeline.LatentColumn, options, textColumn);
    }

    private sealed class Relay(Action<VaeEpochPoint> target) : IProgress<VaeEpochReport>
    {
        public void Report(VaeEpochReport r) => target(new VaeEpochPoint(r.Epoch, r.Reconstruction, r.Kl, r.Seconds));
    }
}
