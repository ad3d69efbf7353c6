using VaeText.Transforms;

namespace VaeText;

/// <summary>
/// The transforms (ML.NET's <c>TransformsCatalog</c>): key conversion in <see cref="Conversion"/>, text
/// featurization in <see cref="Text"/>, and concatenation, normalization and VAE latent features directly here.
/// </summary>
public sealed partial class TransformsCatalog : CatalogBase
{
    internal TransformsCatalog(VaeTextContext context) : base(context)
    {
        Conversion = new ConversionTransforms(context);
        Text = new TextTransforms(context);
    }

    /// <summary>Key ↔ value conversions.</summary>
    public ConversionTransforms Conversion { get; }
    /// <summary>Text featurization.</summary>
    public TextTransforms Text { get; }

    /// <summary>Conversions (ML.NET's <c>TransformsCatalog.ConversionTransforms</c>).</summary>
    public sealed class ConversionTransforms : CatalogBase
    {
        internal ConversionTransforms(VaeTextContext c) : base(c) { }

        /// <summary>
        /// Maps values of <paramref name="inputColumnName"/> (Text or Single) to keys in <paramref name="outputColumnName"/>.
        /// Unseen values at Transform map to the missing key 0.
        /// </summary>
        /// <param name="outputColumnName">The key column produced.</param>
        /// <param name="inputColumnName">The source column (default: same as output).</param>
        /// <param name="maximumNumberOfKeys">Fit fails when there are more distinct values.</param>
        /// <param name="keyOrdinality">Key order: first appearance (default) or by value.</param>
        public ValueToKeyMappingEstimator MapValueToKey(string outputColumnName, string? inputColumnName = null,
            int maximumNumberOfKeys = ValueToKeyMappingEstimator.Defaults.MaximumNumberOfKeys,
            ValueToKeyMappingEstimator.KeyOrdinality keyOrdinality = ValueToKeyMappingEstimator.Defaults.Ordinality)
            => new(outputColumnName, inputColumnName, maximumNumberOfKeys, keyOrdinality);

        /// <summary>Maps keys of <paramref name="inputColumnName"/> back to their text values in <paramref name="outputColumnName"/>.</summary>
        public KeyToValueMappingEstimator MapKeyToValue(string outputColumnName, string? inputColumnName = null) => new(outputColumnName, inputColumnName);
    }

    /// <summary>Text transforms (ML.NET's <c>TransformsCatalog.TextTransforms</c>).</summary>
    public sealed partial class TextTransforms : CatalogBase
    {
        internal TextTransforms(VaeTextContext c) : base(c) { }
    }
}
