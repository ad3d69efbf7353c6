using System.Collections;
using VaeText.Data;
using VaeText.IO;

namespace VaeText.Transforms;

internal interface ITransformerChainAccessor
{
    IReadOnlyList<ITransformer> Transformers { get; }
}

/// <summary>
/// Fitted transformers applied in order (ML.NET's <c>TransformerChain</c>). Immutable and thread-safe like its parts.
/// Saved in a model zip as one entry per part.
/// </summary>
/// <typeparam name="TLastTransformer">Type of the last part (for example a prediction transformer whose model you want to inspect).</typeparam>
public sealed class TransformerChain<TLastTransformer> : ITransformer, ICanSaveModel, IEnumerable<ITransformer>, ITransformerChainAccessor
    where TLastTransformer : class, ITransformer
{
    internal const string LoaderSignature = "TransformerChain";
    private static readonly VersionInfo s_version = new(LoaderSignature, 1, 1);
    private readonly ITransformer[] _transformers;

    /// <summary>A chain over the given transformers (the last must be a <typeparamref name="TLastTransformer"/>).</summary>
    public TransformerChain(params ITransformer[] transformers)
    {
        ArgumentNullException.ThrowIfNull(transformers);
        for (int i = 0; i < transformers.Length; i++)
            if (transformers[i] is null) throw new ArgumentNullException(nameof(transformers), $"transformer {i} is null");
        if (transformers.Length > 0 && transformers[^1] is not TLastTransformer)
            throw new ArgumentException($"the last transformer is {transformers[^1].GetType().Name}, not {typeof(TLastTransformer).Name}", nameof(transformers));
        _transformers = (ITransformer[])transformers.Clone();
    }

    /// <summary>The last transformer, or null for an empty chain.</summary>
    public TLastTransformer? LastTransformer => _transformers.Length == 0 ? null : (TLastTransformer)_transformers[^1];

    IReadOnlyList<ITransformer> ITransformerChainAccessor.Transformers => _transformers;

    /// <summary>True when every part is row-to-row.</summary>
    public bool IsRowToRowMapper => _transformers.All(t => t.IsRowToRowMapper);

    /// <inheritdoc/>
    public DataViewSchema GetOutputSchema(DataViewSchema inputSchema)
    {
        ArgumentNullException.ThrowIfNull(inputSchema);
        var s = inputSchema;
        foreach (var t in _transformers) s = t.GetOutputSchema(s);
        return s;
    }

    /// <inheritdoc/>
    public IDataView Transform(IDataView input)
    {
        ArgumentNullException.ThrowIfNull(input);
        GetOutputSchema(input.Schema);
        var v = input;
        foreach (var t in _transformers) v = t.Transform(v);
        return v;
    }

    /// <summary>A chain with <paramref name="transformer"/> appended.</summary>
    public TransformerChain<TNew> Append<TNew>(TNew transformer) where TNew : class, ITransformer
    {
        ArgumentNullException.ThrowIfNull(transformer);
        return new TransformerChain<TNew>([.. _transformers, transformer]);
    }

    /// <inheritdoc/>
    public IEnumerator<ITransformer> GetEnumerator() => ((IEnumerable<ITransformer>)_transformers).GetEnumerator();
    IEnumerator IEnumerable.GetEnumerator() => GetEnumerator();

    // Layout: [int32 count] then count nested objects.
    /// <inheritdoc/>
    public void Save(ModelSaveContext ctx)
    {
        ctx.SetVersionInfo(s_version);
        ctx.Writer.Write(_transformers.Length);
        foreach (var t in _transformers)
            ctx.SaveNested(t as ICanSaveModel ?? throw new NotSupportedException($"{t.GetType().Name} cannot be saved"));
    }

    internal static TransformerChain<ITransformer> Load(ModelLoadContext ctx)
    {
        ctx.CheckVersion(s_version);
        int n = ctx.ReadInt32(0, 10_000, "transformer count");
        var a = new ITransformer[n];
        for (int i = 0; i < n; i++) a[i] = ctx.LoadNested<ITransformer>();
        return new TransformerChain<ITransformer>(a);
    }
}

/// <summary>Loader for nested transformer chains (a generic class cannot carry the loader itself).</summary>
[ModelLoader(TransformerChain<ITransformer>.LoaderSignature)]
internal static class TransformerChainLoader
{
    private static object Load(ModelLoadContext ctx) => TransformerChain<ITransformer>.Load(ctx);
}
