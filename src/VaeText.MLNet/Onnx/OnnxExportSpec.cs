namespace VaeText.Onnx;

/// <summary>
/// What an exported VAE encoder graph looks like from outside: the name of its one input (the token keys, uint64
/// <c>[1, n]</c>) and of its outputs (float <c>[1, latent]</c> means, optional log-variances, optional score
/// <c>[1]</c> = negative ELBO at the posterior mean), and an optional payload stored inside the model.
/// </summary>
internal sealed class OnnxExportSpec
{
    /// <summary>Name of the input: uint64 <c>[1, n]</c> key values; element 0 is a sentinel the graph drops, then one key per
    /// token in document order (key k = vocabulary entry k − 1, key 0 = not in the vocabulary).</summary>
    public string IdsInputName { get; init; } = "keys";

    /// <summary>Name of the posterior-mean output, float <c>[1, latent]</c>.</summary>
    public string MeanOutputName { get; init; } = "mean";

    /// <summary>Name of the clamped log-variance output, float <c>[1, latent]</c>; null: no such output.</summary>
    public string? LogVarianceOutputName { get; init; }

    /// <summary>
    /// Name of the score output, float <c>[1]</c>: the reconstruction error at z = mean plus the KL divergence (the
    /// engine's negative ELBO at the mean); null: no such output.
    /// </summary>
    public string? ScoreOutputName { get; init; }

    /// <summary>Bytes stored inside the ONNX model (see <see cref="VaeOnnxExport.ReadPayload"/>); null: none.</summary>
    public byte[]? Payload { get; init; }

    /// <summary>Throws <see cref="ArgumentException"/> naming the first bad setting.</summary>
    internal void Validate()
    {
        var names = new List<(string What, string? Name)>
        {
            (nameof(IdsInputName), IdsInputName), (nameof(MeanOutputName), MeanOutputName),
            (nameof(LogVarianceOutputName), LogVarianceOutputName), (nameof(ScoreOutputName), ScoreOutputName),
        };
        foreach (var (what, name) in names)
        {
            if (name is null && what is nameof(LogVarianceOutputName) or nameof(ScoreOutputName)) continue;
            if (string.IsNullOrWhiteSpace(name)) throw new ArgumentException($"OnnxExportSpec.{what} must be a non-empty name", what);
        }
        var seen = new HashSet<string>(StringComparer.Ordinal);
        foreach (var (what, name) in names)
        {
            if (name is null) continue;
            if (!seen.Add(name)) throw new ArgumentException($"OnnxExportSpec.{what} '{name}' is used twice: input and outputs need distinct names", what);
            if (name.StartsWith(VaeOnnxExport.ReservedPrefix, StringComparison.Ordinal))
                throw new ArgumentException($"OnnxExportSpec.{what} '{name}' starts with the reserved prefix '{VaeOnnxExport.ReservedPrefix}'", what);
        }
    }
}
