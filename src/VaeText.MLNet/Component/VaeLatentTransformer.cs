using VaeText.Models;

namespace VaeText.MLNet;

using Microsoft.ML;
using Microsoft.ML.Data;

/// <summary>
/// The fitted VAE step: maps each row's text (the input columns joined with a space) to the VAE's latent mean, a
/// known-size vector of <see cref="LatentSize"/> Single, and optionally the log-variance vector and the
/// reconstruction-error score. Inside it is an ML.NET <see cref="TransformerChain{TLastTransformer}"/> of ML.NET's own
/// parts — the input columns concatenated, the tokenizer (<see cref="VaeTokenizerMappingFactory"/>, a CustomMapping),
/// <c>MapValueToKey</c> over the VAE's vocabulary, <c>ConvertType</c> to UInt64, the encoder as an ONNX model applied
/// by ML.NET's OnnxTransformer, and <c>DropColumns</c> of the internal columns — and Transform, GetOutputSchema,
/// GetRowToRowMapper and Save delegate to it, so <c>mlContext.Model.Save</c> / <c>Load</c> need no VaeText loader.
/// The whole engine VAE travels inside the ONNX model, so <see cref="Find"/> gets it back from a
/// loaded model or a zip. Dispose releases the ONNX session and deletes the temporary ONNX file this step owns.
/// </summary>
public sealed class VaeLatentTransformer : ITransformer, IDisposable
{
    internal const string TextColumn = "__VaeText_text";
    internal const string TokensColumn = "__VaeText_tokens";
    internal const string KeysColumn = "__VaeText_keys";
    internal const string IdsColumn = "__VaeText_ids";

    private readonly TextVae _vae;
    private readonly string[] _inputs;
    private readonly string _output;
    private readonly string? _logVar, _recon;
    private readonly ITransformer _chain;
    private readonly IDisposable? _owned;
    private readonly string? _tempFile;
    private int _disposed;

    private VaeLatentTransformer(TextVae vae, string[] inputs, string output, string? logVar, string? recon, ITransformer chain, IDisposable? owned, string? tempFile)
    {
        _vae = vae; _inputs = inputs; _output = output; _logVar = logVar; _recon = recon;
        _chain = chain; _owned = owned; _tempFile = tempFile;
    }

    /// <summary>Builds the inner chain for a freshly trained VAE.</summary>
    internal static VaeLatentTransformer Create(TextVae vae, string[] inputs, string output, string? logVar, string? recon, DataViewSchema inputSchema, int maxThreads)
    {
        var ml = new MLContext(seed: 1);
        var vocabulary = ml.Data.LoadFromEnumerable(vae.Vocabulary.Terms.Select(t => new VocabularyRow { Term = t }));
        var encoder = EncoderStage(ml, vae, output, logVar, recon, out string? tempFile);
        try
        {
            var estimator = ml.Transforms.Concatenate(TextColumn, inputs)
                .Append(ml.Transforms.CustomMapping(new VaeTokenizerMappingFactory().GetMapping(), VaeTokenizerMappingFactory.ContractName))
                .Append(ml.Transforms.Conversion.MapValueToKey(KeysColumn, TokensColumn, keyData: vocabulary))
                .Append(ml.Transforms.Conversion.ConvertType(IdsColumn, KeysColumn, DataKind.UInt64))
                .Append(encoder)
                .Append(ml.Transforms.DropColumns(TextColumn, TokensColumn, KeysColumn, IdsColumn));
            // No step scans data: fitting on an empty view of the input schema only wires the columns.
            var chain = estimator.Fit(new EmptyDataView(inputSchema));
            return new VaeLatentTransformer(vae, inputs, output, logVar, recon, chain, chain, tempFile);
        }
        catch
        {
            if (tempFile is not null) TryDelete(tempFile);
            throw;
        }
    }

    /// <summary>The encoder as an ML.NET estimator reading <see cref="IdsColumn"/> and writing the output columns.</summary>
    private static IEstimator<ITransformer> EncoderStage(MLContext ml, TextVae vae, string output, string? logVar, string? recon, out string? tempFile)
    {
        // In-memory stage until the ONNX export is wired in: encodes the concatenated text with the engine.
        tempFile = null;
        bool detailed = logVar is not null || recon is not null;
        int l = vae.LatentSize;
        return ml.Transforms.CustomMapping<InMemoryInput, OutputShapes.Row>((i, o) =>
        {
            var text = VaeTokenizerMappingFactory.JoinParts(i.Text);
            if (!detailed) { o.Latent = vae.EncodeMeans([text], 1); return; }
            var e = vae.EncodeDetailed([text], 1);
            o.Latent = e.Means; o.LogVariance = e.LogVariances; o.Reconstruction = (float)e.NegativeElbo(0);
        }, contractName: null, outputSchemaDefinition: OutputShapes.Definition(output, logVar, recon, l));
    }

    /// <summary>Input of the in-memory encoder stage.</summary>
    private sealed class InMemoryInput
    {
        [ColumnName(TextColumn), VectorType]
        public string[] Text { get; set; } = [];
    }

    private sealed class VocabularyRow
    {
        public string Term { get; set; } = "";
    }

    /// <summary>The engine VAE (tokenizer settings, vocabulary, model) this step encodes with.</summary>
    public TextVae Vae => _vae;
    /// <summary>The text columns read (joined with a space into one document).</summary>
    public IReadOnlyList<string> InputColumnNames => _inputs;
    /// <summary>The latent-mean column written (known-size vector of <see cref="LatentSize"/> Single).</summary>
    public string OutputColumnName => _output;
    /// <summary>The log-variance column written, or null.</summary>
    public string? LogVarianceColumnName => _logVar;
    /// <summary>The reconstruction-error column written (Single), or null.</summary>
    public string? ReconstructionErrorColumnName => _recon;
    /// <summary>The latent size (length of the output vector).</summary>
    public int LatentSize => _vae.LatentSize;
    /// <summary>The VAE's vocabulary size.</summary>
    public int VocabularySize => _vae.VocabularySize;
    /// <summary>The encoder family of the trained VAE.</summary>
    public VaeLatentEstimator.EncoderKind Encoder => _vae.Encoder switch
    {
        TextVaeEncoderKind.Lstm => VaeLatentEstimator.EncoderKind.Lstm,
        TextVaeEncoderKind.Transformer => VaeLatentEstimator.EncoderKind.Transformer,
        _ => VaeLatentEstimator.EncoderKind.BagOfWords,
    };
    /// <summary>The decoder of the trained VAE.</summary>
    public VaeLatentEstimator.DecoderKind Decoder => _vae.CanGenerate ? VaeLatentEstimator.DecoderKind.LstmAutoregressive : VaeLatentEstimator.DecoderKind.BagOfWords;
    /// <summary>True when the VAE has the autoregressive LSTM decoder, so it can write text (<see cref="Sample"/>, <see cref="Reconstruct"/>, <see cref="Interpolate"/>).</summary>
    public bool CanGenerate => _vae.CanGenerate;

    /// <summary>Texts decoded from latent codes drawn from the prior (see <see cref="TextVae.Sample"/>).</summary>
    /// <exception cref="InvalidOperationException">The VAE has no LSTM decoder (<see cref="CanGenerate"/> is false).</exception>
    public IReadOnlyList<string> Sample(int count, double temperature = 1.0, int seed = 1) => _vae.Sample(count, temperature, seed);

    /// <summary>The text decoded from <paramref name="text"/>'s posterior mean (see <see cref="TextVae.Reconstruct"/>).</summary>
    /// <exception cref="InvalidOperationException">The VAE has no LSTM decoder.</exception>
    public string Reconstruct(string text, double temperature = 0, int seed = 1) => _vae.Reconstruct(text, temperature, seed);

    /// <summary>Greedy decodings along the line between two texts' posterior means (see <see cref="TextVae.Interpolate"/>).</summary>
    /// <exception cref="InvalidOperationException">The VAE has no LSTM decoder.</exception>
    public IReadOnlyList<string> Interpolate(string from, string to, int steps = 5) => _vae.Interpolate(from, to, steps);

    /// <summary>The <paramref name="count"/> top words of each latent dimension ([LatentSize][≤ count]; see <see cref="TextVae.TopWords(int)"/>).</summary>
    public IReadOnlyList<IReadOnlyList<string>> TopWords(int count) => _vae.TopWords(count);

    /// <summary>
    /// The engine's own encode, outside ML.NET: row-major latent means [texts.Count, LatentSize] on up to
    /// <paramref name="maxThreads"/> threads (0 = all cores). Each text is one document (the joined columns).
    /// </summary>
    public float[] EncodeMeans(IReadOnlyList<string> texts, int maxThreads = 0) => _vae.EncodeMeans(texts, maxThreads);

    /// <inheritdoc/>
    public bool IsRowToRowMapper => _chain.IsRowToRowMapper;

    /// <inheritdoc/>
    public DataViewSchema GetOutputSchema(DataViewSchema inputSchema)
    {
        ArgumentNullException.ThrowIfNull(inputSchema);
        CheckInputs(inputSchema);
        return _chain.GetOutputSchema(inputSchema);
    }

    /// <inheritdoc/>
    public IRowToRowMapper GetRowToRowMapper(DataViewSchema inputSchema)
    {
        ArgumentNullException.ThrowIfNull(inputSchema);
        CheckInputs(inputSchema);
        return _chain.GetRowToRowMapper(inputSchema);
    }

    /// <inheritdoc/>
    public IDataView Transform(IDataView input)
    {
        ArgumentNullException.ThrowIfNull(input);
        ObjectDisposedException.ThrowIf(_disposed != 0, this);
        CheckInputs(input.Schema);
        return _chain.Transform(input);
    }

    private void CheckInputs(DataViewSchema schema) => VaeLatentEstimator.CheckInputs(schema, _inputs);

    /// <summary>Saves the inner ML.NET chain (ML.NET's own parts), so a model holding this step loads with plain ML.NET.</summary>
    void ICanSaveModel.Save(ModelSaveContext ctx)
    {
        ObjectDisposedException.ThrowIf(_disposed != 0, this);
        _chain.Save(ctx);
    }

    /// <summary>Releases the inner chain (the ONNX session) and deletes the temporary ONNX file this step owns.</summary>
    public void Dispose()
    {
        if (Interlocked.Exchange(ref _disposed, 1) != 0) return;
        _owned?.Dispose();
        if (_tempFile is not null) TryDelete(_tempFile);
    }

    private static void TryDelete(string path)
    {
        try { File.Delete(path); } catch (IOException) { } catch (UnauthorizedAccessException) { }
    }

    /// <summary>
    /// The VAE step inside a fitted model: <paramref name="model"/> itself, or the last one in a transformer chain
    /// (searched recursively); null when there is none.
    /// </summary>
    public static VaeLatentTransformer? Find(ITransformer model)
    {
        ArgumentNullException.ThrowIfNull(model);
        if (model is VaeLatentTransformer v) return v;
        if (model is IEnumerable<ITransformer> chain)
        {
            VaeLatentTransformer? found = null;
            foreach (var t in chain) found = Find(t) ?? found;
            return found;
        }
        return null;
    }
}

/// <summary>A data view with a schema and no rows (fits transformers that need only the schema).</summary>
internal sealed class EmptyDataView(DataViewSchema schema) : IDataView
{
    public bool CanShuffle => true;
    public DataViewSchema Schema { get; } = schema;
    public long? GetRowCount() => 0;
    public DataViewRowCursor GetRowCursor(IEnumerable<DataViewSchema.Column> columnsNeeded, Random? rand = null) => new Cursor(Schema);
    public DataViewRowCursor[] GetRowCursorSet(IEnumerable<DataViewSchema.Column> columnsNeeded, int n, Random? rand = null) => [new Cursor(Schema)];

    private sealed class Cursor(DataViewSchema schema) : DataViewRowCursor
    {
        public override DataViewSchema Schema { get; } = schema;
        public override long Position => -1;
        public override long Batch => 0;
        public override bool MoveNext() => false;
        public override ValueGetter<TValue> GetGetter<TValue>(DataViewSchema.Column column) => throw new InvalidOperationException("an empty view has no rows");
        public override ValueGetter<DataViewRowId> GetIdGetter() => throw new InvalidOperationException("an empty view has no rows");
        public override bool IsColumnActive(DataViewSchema.Column column) => true;
    }
}
