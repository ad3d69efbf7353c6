using Microsoft.ML;

namespace VaeText.Experiments;

/// <summary>
/// A pretrained sentence-embedding model that a comparison can use as a featurizer (<see cref="FeaturizerKind.Embeddings"/>,
/// <see cref="FeaturizerKind.EmbeddingsAndVae"/>). The library ships no such model: the caller supplies it (the CLI's
/// <c>--embeddings minilm</c> fills it with all-MiniLM-L6-v2), so the VaeText.MLNet package stays free of model weights.
/// The model is pretrained, so the comparison encodes only the training rows that some labelled draw uses and the
/// test rows.
/// </summary>
internal sealed class SentenceEmbeddingModel
{
    /// <summary>Column the <see cref="Estimator"/> writes: a vector of <see cref="Dimension"/> Singles.</summary>
    public const string EmbeddingColumn = "SentenceEmbedding";

    /// <summary>Short name shown in pipeline names, e.g. "MiniLM".</summary>
    public required string Name { get; init; }
    /// <summary>One line for the report: the model and how documents are cut to its window.</summary>
    public required string Description { get; init; }
    /// <summary>Embedding size.</summary>
    public required int Dimension { get; init; }
    /// <summary>
    /// Encodes documents to <see cref="Dimension"/>-d vectors (one per document, in order). Called once per run with
    /// every document needed; it must check the token between batches and throw <see cref="OperationCanceledException"/>
    /// when it is cancelled (the time budget or the user).
    /// </summary>
    public required Func<IReadOnlyList<string>, CancellationToken, float[][]> Encode { get; init; }
    /// <summary>
    /// The ML.NET estimator of the same encoding in a saved model: the given text column → <see cref="EmbeddingColumn"/>
    /// (<see cref="Dimension"/> Singles). It must be saveable (e.g. a <c>CustomMapping</c> with a contract name); a model
    /// zip with it loads only where its assembly is available.
    /// </summary>
    public required Func<MLContext, string, IEstimator<ITransformer>> Estimator { get; init; }
}
