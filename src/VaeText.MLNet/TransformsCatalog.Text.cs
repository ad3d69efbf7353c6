using VaeText.Transforms;

namespace VaeText;

public sealed partial class TransformsCatalog
{
    public sealed partial class TextTransforms
    {
        /// <summary>
        /// Word 1–2-gram and character 3-gram TF features, L2-normalized, as a sparse vector (ML.NET's defaults;
        /// see <see cref="TextFeaturizingEstimator.Options"/> to change them).
        /// </summary>
        /// <param name="outputColumnName">Output vector column.</param>
        /// <param name="inputColumnName">Input Text column (default: same as output).</param>
        /// <param name="options">Settings, or null for the defaults.</param>
        public TextFeaturizingEstimator FeaturizeText(string outputColumnName, string? inputColumnName = null, TextFeaturizingEstimator.Options? options = null)
            => new(outputColumnName, inputColumnName, options);
    }
}
