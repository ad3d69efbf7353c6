using VaeText.Data;

namespace VaeText.Transforms;

/// <summary>
/// A sequence of estimators fitted one after the other (ML.NET's <c>EstimatorChain</c>): each estimator is fitted
/// on the lazy output of the transformers fitted before it. <see cref="GetOutputSchema"/> folds the shapes through
/// every step, so a wrong column anywhere fails before the first Fit.
/// </summary>
/// <typeparam name="TLastTransformer">Type of the last step's transformer.</typeparam>
public sealed class EstimatorChain<TLastTransformer> : IEstimator<TransformerChain<TLastTransformer>>
    where TLastTransformer : class, ITransformer
{
    private readonly IEstimator<ITransformer>[] _estimators;

    /// <summary>An empty chain (append steps with <see cref="Append{TNew}"/>).</summary>
    public EstimatorChain() { _estimators = []; }

    internal EstimatorChain(IEstimator<ITransformer>[] estimators) { _estimators = estimators; }

    /// <summary>The steps, in order.</summary>
    public IReadOnlyList<IEstimator<ITransformer>> Estimators => _estimators;

    /// <summary>A new chain with <paramref name="estimator"/> appended (this chain is unchanged).</summary>
    public EstimatorChain<TNew> Append<TNew>(IEstimator<TNew> estimator) where TNew : class, ITransformer
    {
        ArgumentNullException.ThrowIfNull(estimator);
        return new EstimatorChain<TNew>([.. _estimators, estimator]);
    }

    /// <inheritdoc/>
    public SchemaShape GetOutputSchema(SchemaShape inputSchema)
    {
        ArgumentNullException.ThrowIfNull(inputSchema);
        var s = inputSchema;
        foreach (var e in _estimators) s = e.GetOutputSchema(s);
        return s;
    }

    /// <inheritdoc/>
    public TransformerChain<TLastTransformer> Fit(IDataView input)
    {
        ArgumentNullException.ThrowIfNull(input);
        GetOutputSchema(SchemaShape.Create(input.Schema));
        var fitted = new ITransformer[_estimators.Length];
        var current = input;
        for (int i = 0; i < _estimators.Length; i++)
        {
            fitted[i] = _estimators[i].Fit(current);
            if (i + 1 < _estimators.Length) current = fitted[i].Transform(current);
        }
        return new TransformerChain<TLastTransformer>(fitted);
    }
}

/// <summary>Pipeline-building extensions (ML.NET's <c>LearningPipelineExtensions</c>).</summary>
public static class LearningPipelineExtensions
{
    /// <summary>A chain of <paramref name="start"/> followed by <paramref name="estimator"/>.</summary>
    public static EstimatorChain<TNew> Append<TNew>(this IEstimator<ITransformer> start, IEstimator<TNew> estimator)
        where TNew : class, ITransformer
    {
        ArgumentNullException.ThrowIfNull(start);
        ArgumentNullException.ThrowIfNull(estimator);
        return new EstimatorChain<ITransformer>([start]).Append(estimator);
    }

    /// <summary>A transformer chain of <paramref name="start"/> followed by <paramref name="transformer"/>.</summary>
    public static TransformerChain<TNew> Append<TNew>(this ITransformer start, TNew transformer) where TNew : class, ITransformer
    {
        ArgumentNullException.ThrowIfNull(start);
        ArgumentNullException.ThrowIfNull(transformer);
        return new TransformerChain<TNew>([start, transformer]);
    }
}
