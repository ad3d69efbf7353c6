using VaeText.Data;
using VaeText.IO;
using VaeText.Transforms;

namespace VaeText;

/// <summary>Saving and loading fitted models, and prediction engines (ML.NET's <c>ModelOperationsCatalog</c>).</summary>
public sealed class ModelOperationsCatalog : CatalogBase
{
    internal ModelOperationsCatalog(VaeTextContext context) : base(context) { }

    /// <summary>
    /// Saves <paramref name="model"/> and the schema it expects to a model zip at <paramref name="filePath"/>.
    /// The write is atomic: a temporary file in the same folder is written, flushed and renamed.
    /// </summary>
    /// <exception cref="NotSupportedException">A part of the model cannot be saved.</exception>
    public void Save(ITransformer model, DataViewSchema inputSchema, string filePath) => ModelZip.SaveToFile(model, inputSchema, filePath);

    /// <summary>Saves <paramref name="model"/> and its input schema as a model zip to <paramref name="stream"/>.</summary>
    public void Save(ITransformer model, DataViewSchema inputSchema, Stream stream) => ModelZip.Save(model, inputSchema, stream);

    /// <summary>Loads a model zip saved by <see cref="Save(ITransformer, DataViewSchema, string)"/>.</summary>
    /// <exception cref="InvalidDataException">The file is corrupt, truncated, foreign, unsafe or from a newer version (the message says which).</exception>
    public ITransformer Load(string filePath, out DataViewSchema inputSchema) => ModelZip.LoadFromFile(filePath, out inputSchema);

    /// <summary>Loads a model zip from <paramref name="stream"/> (read fully into memory, nothing extracted to disk).</summary>
    /// <exception cref="InvalidDataException">The data is corrupt, truncated, foreign, unsafe or from a newer version.</exception>
    public ITransformer Load(Stream stream, out DataViewSchema inputSchema) => ModelZip.Load(stream, out inputSchema);

    /// <summary>
    /// A single-threaded engine mapping one <typeparamref name="TSrc"/> to one <typeparamref name="TDst"/> through
    /// <paramref name="transformer"/>. Create one engine per thread (the transformer itself is thread-safe).
    /// </summary>
    public PredictionEngine<TSrc, TDst> CreatePredictionEngine<TSrc, TDst>(ITransformer transformer, DataViewSchema? inputSchema = null)
        where TSrc : class where TDst : class, new()
        => new(transformer, inputSchema);
}
