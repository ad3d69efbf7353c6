namespace VaeText.MLNet;

using Microsoft.ML;
using Microsoft.ML.Data;

/// <summary>
/// The output columns a VaeLatent step promises, expressed through a public ML.NET estimator (SchemaShape's
/// constructors are internal): a CustomMapping whose output SchemaDefinition holds the latent vector (known size),
/// and optionally the log-variance vector and the reconstruction-error scalar, under the user's column names.
/// </summary>
internal static class OutputShapes
{
    /// <summary>Output row of the shape-only mapping (and of the in-memory encoder mapping).</summary>
    public sealed class Row
    {
        public float[] Latent { get; set; } = [];
        public float[] LogVariance { get; set; } = [];
        public float Reconstruction { get; set; }
    }

    /// <summary>Input row of the shape-only mapping: nothing is read.</summary>
    public sealed class NoInput;

    /// <summary>The output SchemaDefinition: the requested columns only, renamed, vectors of known size.</summary>
    public static SchemaDefinition Definition(string output, string? logVar, string? recon, int latentSize)
    {
        var def = SchemaDefinition.Create(typeof(Row));
        var vector = new VectorDataViewType(NumberDataViewType.Single, latentSize);
        SchemaDefinition.Column latent = def[nameof(Row.Latent)], lv = def[nameof(Row.LogVariance)], re = def[nameof(Row.Reconstruction)];
        latent.ColumnType = vector; latent.ColumnName = output;
        lv.ColumnType = vector;
        if (logVar is null) def.Remove(lv); else lv.ColumnName = logVar;
        if (recon is null) def.Remove(re); else re.ColumnName = recon;
        return def;
    }

    /// <summary>An estimator whose GetOutputSchema adds exactly the promised columns (its own context: callers may run in parallel).</summary>
    public static IEstimator<ITransformer> Estimator(string output, string? logVar, string? recon, int latentSize) =>
        new MLContext(seed: 1).Transforms.CustomMapping<NoInput, Row>((_, _) => { }, contractName: null, inputSchemaDefinition: null,
            outputSchemaDefinition: Definition(output, logVar, recon, latentSize));
}
