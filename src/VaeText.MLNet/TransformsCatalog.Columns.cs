using VaeText.Transforms;

namespace VaeText;

public sealed partial class TransformsCatalog
{
    /// <summary>Concatenates Single and Single-vector columns into the vector column <paramref name="outputColumnName"/>.</summary>
    public ColumnConcatenatingEstimator Concatenate(string outputColumnName, params string[] inputColumnNames) => new(outputColumnName, inputColumnNames);

    /// <summary>Scales each slot by 1/σ (<paramref name="fixZero"/>, the default) or maps it to (x − μ)/σ.</summary>
    public NormalizingEstimator NormalizeMeanVariance(string outputColumnName, string? inputColumnName = null, bool fixZero = true)
        => new(outputColumnName, inputColumnName, NormalizingEstimator.NormalizerMode.MeanVariance, fixZero);

    /// <summary>Scales each slot by 1/max(|min|, |max|) (<paramref name="fixZero"/>, the default) or maps it to (x − min)/(max − min).</summary>
    public NormalizingEstimator NormalizeMinMax(string outputColumnName, string? inputColumnName = null, bool fixZero = true)
        => new(outputColumnName, inputColumnName, NormalizingEstimator.NormalizerMode.MinMax, fixZero);
}
