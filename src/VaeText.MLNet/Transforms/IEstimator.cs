using VaeText.Data;

namespace VaeText.Transforms;

/// <summary>
/// A pipeline step before training (ML.NET's <c>IEstimator&lt;TTransformer&gt;</c>): settings plus
/// <see cref="Fit"/>. <see cref="GetOutputSchema"/> checks the input columns (name and type) and describes the output
/// without touching data, so a wrong pipeline fails before any training starts.
/// </summary>
public interface IEstimator<out TTransformer> where TTransformer : ITransformer
{
    /// <summary>Trains on <paramref name="input"/> and returns the immutable fitted transformer.</summary>
    /// <exception cref="ArgumentOutOfRangeException">A required column is missing or has the wrong type.</exception>
    TTransformer Fit(IDataView input);

    /// <summary>The output shape for an input shape.</summary>
    /// <exception cref="ArgumentOutOfRangeException">A required column is missing or has the wrong type (the message names both).</exception>
    SchemaShape GetOutputSchema(SchemaShape inputSchema);
}

/// <summary>
/// A fitted pipeline step (ML.NET's <c>ITransformer</c>). Transformers are immutable after Fit or Load, and all of
/// VaeText's are safe to use from many threads at once: <see cref="Transform"/> returns a lazy view and every cursor
/// keeps its own buffers.
/// </summary>
public interface ITransformer
{
    /// <summary>The output schema for <paramref name="inputSchema"/>; throws when a needed column is missing or mistyped.</summary>
    DataViewSchema GetOutputSchema(DataViewSchema inputSchema);
    /// <summary>A lazy view of <paramref name="input"/> with this step's columns added. Rows are mapped as they are read.</summary>
    IDataView Transform(IDataView input);
    /// <summary>True when each output row depends only on the same input row (all VaeText transformers).</summary>
    bool IsRowToRowMapper { get; }
}
