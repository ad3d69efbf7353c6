using System.IO.Compression;
using VaeText.Models;
using VaeText.Onnx;

namespace VaeText.MLNet;

using Microsoft.ML;
using Microsoft.ML.Data;
using Microsoft.ML.Transforms.Onnx;

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
    internal const string ScoreVectorColumn = "__VaeText_score1";
    internal const string ScoreColumn = "__VaeText_score";

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
    internal static VaeLatentTransformer Create(TextVae vae, string[] inputs, string output, string? logVar, string? recon, DataViewSchema inputSchema)
    {
        var ml = new MLContext(seed: 1);
        var vocabulary = ml.Data.LoadFromEnumerable(vae.Vocabulary.Terms.Select(t => new VocabularyRow { Term = t }));
        string? tempFile = null;
        try
        {
            var estimator = new EstimatorChain<ITransformer>()
                .Append<ITransformer>(ml.Transforms.Concatenate(TextColumn, inputs))
                .Append<ITransformer>(ml.Transforms.CustomMapping(new VaeTokenizerMappingFactory().GetMapping(), VaeTokenizerMappingFactory.ContractName))
                .Append<ITransformer>(ml.Transforms.Conversion.MapValueToKey(KeysColumn, TokensColumn, keyData: vocabulary))
                .Append<ITransformer>(ml.Transforms.Conversion.ConvertType(IdsColumn, KeysColumn, DataKind.UInt64))
                .Append<ITransformer>(EncoderStage(ml, new VaeLatentPayload(inputs, output, logVar, recon, vae), out tempFile));
            var internals = new List<string> { TextColumn, TokensColumn, KeysColumn, IdsColumn };
            if (recon is not null)
            {
                estimator = estimator
                    .Append<ITransformer>(ml.Transforms.CustomMapping(new VaeScoreMappingFactory().GetMapping(), VaeScoreMappingFactory.ContractName))
                    .Append<ITransformer>(ml.Transforms.CopyColumns(recon, ScoreColumn));
                internals.AddRange([ScoreVectorColumn, ScoreColumn]);
            }
            var withDrop = estimator.Append<ITransformer>(ml.Transforms.DropColumns(internals.ToArray()));
            // No step scans data: fitting on an empty view of the input schema only wires the columns.
            var chain = withDrop.Fit(new EmptyDataView(inputSchema));
            return new VaeLatentTransformer(vae, inputs, output, logVar, recon, chain, chain, tempFile);
        }
        catch
        {
            if (tempFile is not null) OwnedTempFiles.Delete(tempFile);
            throw;
        }
    }

    /// <summary>
    /// The encoder as ML.NET's OnnxTransformer reading <see cref="IdsColumn"/> and writing the output columns: the
    /// engine VAE exported to ONNX (with the step's payload inside), written to a file this step owns under the
    /// system temp folder (ML.NET's stream overload would leave its own copy behind).
    /// </summary>
    private static IEstimator<ITransformer> EncoderStage(MLContext ml, VaeLatentPayload payload, out string tempFile)
    {
        var vae = payload.Vae;
        var spec = new OnnxExportSpec
        {
            IdsInputName = IdsColumn, MeanOutputName = payload.Output, LogVarianceOutputName = payload.LogVariance,
            ScoreOutputName = payload.Reconstruction is null ? null : ScoreVectorColumn, Payload = payload.ToBytes(),
        };
        byte[] onnx = vae.SequenceModel is { } seq ? VaeOnnxExport.Export(seq, spec) : VaeOnnxExport.Export(vae.BagOfWordsModel!, spec);
        var outputs = new[] { payload.Output, payload.LogVariance, spec.ScoreOutputName }.OfType<string>().ToArray();
        tempFile = OwnedTempFiles.Create(onnx, ".onnx");
        return ml.Transforms.ApplyOnnxModel(new OnnxOptions
        {
            ModelFile = tempFile, InputColumns = [IdsColumn], OutputColumns = outputs, IntraOpNumThreads = 1, InterOpNumThreads = 1,
        });
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
        if (_tempFile is not null) OwnedTempFiles.Delete(_tempFile);
        GC.SuppressFinalize(this);
    }

    /// <summary>A step never disposed still deletes its temporary ONNX file (nothing can save it any more).</summary>
    ~VaeLatentTransformer()
    {
        if (_tempFile is not null) OwnedTempFiles.Delete(_tempFile);
    }

    /// <summary>
    /// The VAE step inside a model: <paramref name="model"/> itself, or the last one in a transformer chain (searched
    /// recursively) — in a chain just fitted, and in a chain loaded with <c>mlContext.Model.Load</c>, where the step
    /// is ML.NET's own parts: there it is rebuilt from the VAE stored in its ONNX encoder (found by saving the model
    /// to memory with ML.NET's public API and reading the zip). Null when the model has no VaeLatent step. A step
    /// found in a loaded model uses that model's parts; disposing the model disposes them.
    /// </summary>
    /// <exception cref="InvalidDataException">The model holds a VaeLatent step whose stored VAE is corrupt.</exception>
    public static VaeLatentTransformer? Find(ITransformer model)
    {
        ArgumentNullException.ThrowIfNull(model);
        var fitted = FindFitted(model);
        if (fitted is not null) return fitted;
        var chains = new List<ITransformer>();
        CollectOnnxChains(model, chains);
        if (chains.Count == 0) return null;
        var ms = new MemoryStream();
        new MLContext().Model.Save(model, null, ms);
        ms.Position = 0;
        using var zip = new ZipArchive(ms, ZipArchiveMode.Read);
        return Match(chains, ReadOnnxEntries(zip), owner: null, where: "the model");
    }

    private static VaeLatentTransformer? FindFitted(ITransformer model)
    {
        if (model is VaeLatentTransformer v) return v;
        if (model is IEnumerable<ITransformer> chain)
        {
            VaeLatentTransformer? found = null;
            foreach (var t in chain) found = FindFitted(t) ?? found;
            return found;
        }
        return null;
    }

    /// <summary>Every chain that directly holds an OnnxTransformer, in save order (a loaded VaeLatent step is one).</summary>
    private static void CollectOnnxChains(ITransformer model, List<ITransformer> chains)
    {
        if (model is not IEnumerable<ITransformer> chain) return;
        bool direct = false;
        foreach (var t in chain)
        {
            if (t is OnnxTransformer) direct = true;
            CollectOnnxChains(t, chains);
        }
        if (direct) chains.Add(model);
    }

    /// <summary>The ONNX models of a saved ML.NET model, in save order: their step payloads (null: a foreign ONNX model).</summary>
    private static List<VaeLatentPayload?> ReadOnnxEntries(ZipArchive zip)
    {
        var result = new List<VaeLatentPayload?>();
        foreach (var entry in zip.Entries)
        {
            if (!entry.FullName.EndsWith("/" + OnnxEntryName, StringComparison.Ordinal)) continue;
            var bytes = ReadEntry(entry);
            // ML.NET writes the model bytes with a length prefix (int32 count, then the bytes); accept raw bytes too.
            byte[]? payload = null;
            var body = bytes.Length >= 4 && BitConverter.ToInt32(bytes, 0) == bytes.Length - 4 ? bytes[4..] : bytes;
            try { payload = VaeOnnxExport.ReadPayload(body); }
            catch (InvalidDataException) { payload = null; }
            result.Add(payload is not null && VaeLatentPayload.IsPayload(payload) ? VaeLatentPayload.FromBytes(payload) : null);
        }
        return result;
    }

    /// <summary>The name ML.NET's OnnxTransformer gives its model entry in a zip.</summary>
    internal const string OnnxEntryName = "OnnxModel";

    private static byte[] ReadEntry(ZipArchiveEntry entry)
    {
        if (entry.Length > int.MaxValue) throw new InvalidDataException($"zip entry '{entry.FullName}' is too large ({entry.Length} bytes)");
        using var s = entry.Open();
        var ms = new MemoryStream((int)entry.Length);
        s.CopyTo(ms);
        return ms.ToArray();
    }

    private static VaeLatentTransformer? Match(List<ITransformer> chains, List<VaeLatentPayload?> payloads, IDisposable? owner, string where)
    {
        if (chains.Count != payloads.Count)
            throw new InvalidDataException($"{where}: {chains.Count} ONNX steps loaded but {payloads.Count} ONNX models saved; cannot tell which is the VaeLatent step");
        for (int i = chains.Count - 1; i >= 0; i--)
            if (payloads[i] is { } p) return new VaeLatentTransformer(p.Vae, p.Inputs, p.Output, p.LogVariance, p.Reconstruction, chains[i], owner, null);
        return null;
    }

    /// <summary>
    /// Loads an ML.NET model zip (saved with <c>mlContext.Model.Save</c>) and returns its last VaeLatent step, ready to
    /// transform, encode, and (with the LSTM decoder) write text. The returned step owns the loaded model: dispose it.
    /// </summary>
    /// <exception cref="FileNotFoundException">No such file.</exception>
    /// <exception cref="InvalidDataException">The file is not an ML.NET model zip, holds no VaeLatent step, or is corrupt (the message says which).</exception>
    public static VaeLatentTransformer Load(string modelZipPath)
    {
        ArgumentException.ThrowIfNullOrEmpty(modelZipPath);
        if (!File.Exists(modelZipPath)) throw new FileNotFoundException($"model file '{modelZipPath}' not found", modelZipPath);
        List<VaeLatentPayload?> payloads;
        try
        {
            using var zip = ZipFile.OpenRead(modelZipPath);
            if (zip.GetEntry("TransformerChain/Model.key") is null && !zip.Entries.Any(e => e.FullName.EndsWith("Model.key", StringComparison.Ordinal)))
                throw new InvalidDataException($"'{modelZipPath}' is a zip file but not an ML.NET model (no Model.key entry)");
            payloads = ReadOnnxEntries(zip);
        }
        catch (InvalidDataException e) when (e.Message.Contains(modelZipPath, StringComparison.Ordinal)) { throw; }
        catch (InvalidDataException e) { throw new InvalidDataException($"'{modelZipPath}' is not a readable ML.NET model zip: {e.Message}", e); }
        if (!payloads.Any(p => p is not null))
            throw new InvalidDataException($"'{modelZipPath}' holds no VaeLatent step (an ML.NET model without mlContext.Transforms.VaeLatent)");
        ITransformer loaded;
        try { loaded = new MLContext().Model.Load(modelZipPath, out _); }
        catch (Exception e) when (e is not OutOfMemoryException)
        {
            throw new InvalidDataException($"'{modelZipPath}': ML.NET cannot load the model: {e.Message}", e);
        }
        var chains = new List<ITransformer>();
        CollectOnnxChains(loaded, chains);
        try
        {
            return Match(chains, payloads, loaded as IDisposable, $"'{modelZipPath}'")
                ?? throw new InvalidDataException($"'{modelZipPath}' holds no VaeLatent step");
        }
        catch
        {
            (loaded as IDisposable)?.Dispose();
            throw;
        }
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
