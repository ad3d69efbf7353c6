using VaeText.MLNet;

namespace Microsoft.ML;

/// <summary>
/// The VaeText add-on's entry points on ML.NET's <see cref="TransformsCatalog"/>: <c>mlContext.Transforms.VaeLatent(...)</c>
/// (in namespace <c>Microsoft.ML</c>, as ML.NET's own add-on packages do, so no extra <c>using</c> is needed).
/// </summary>
public static class VaeTextCatalog
{
    /// <summary>
    /// Trains a variational autoencoder (bag-of-words encoder, default settings) on the text column
    /// <paramref name="inputColumnName"/> and adds its latent mean as the vector column <paramref name="outputColumnName"/>
    /// (<see cref="VaeLatentEstimator.Defaults.LatentSize"/> Single values).
    /// </summary>
    /// <param name="catalog">The transforms catalog.</param>
    /// <param name="outputColumnName">Output column: known-size vector of Single (the latent means).</param>
    /// <param name="inputColumnName">Input column of type Text (null: <paramref name="outputColumnName"/>).</param>
    public static VaeLatentEstimator VaeLatent(this TransformsCatalog catalog, string outputColumnName, string? inputColumnName = null)
    {
        ArgumentNullException.ThrowIfNull(catalog);
        return new VaeLatentEstimator(outputColumnName, [inputColumnName ?? outputColumnName], new VaeLatentEstimator.Options());
    }

    /// <summary>
    /// Trains a variational autoencoder with every setting in <paramref name="options"/> on the text columns
    /// <paramref name="inputColumnNames"/> (several columns are read as one document, joined with a space) and adds
    /// its latent mean as the vector column <paramref name="outputColumnName"/>; optionally also the log-variance
    /// vector and the reconstruction-error score (<see cref="VaeLatentEstimator.Options.LogVarianceColumnName"/>,
    /// <see cref="VaeLatentEstimator.Options.ReconstructionErrorColumnName"/>).
    /// </summary>
    /// <param name="catalog">The transforms catalog.</param>
    /// <param name="outputColumnName">Output column: known-size vector of Single (the latent means).</param>
    /// <param name="options">Settings (copied when the estimator is created).</param>
    /// <param name="inputColumnNames">Input columns of type Text (none: <paramref name="outputColumnName"/>).</param>
    public static VaeLatentEstimator VaeLatent(this TransformsCatalog catalog, string outputColumnName, VaeLatentEstimator.Options options,
        params string[] inputColumnNames)
    {
        ArgumentNullException.ThrowIfNull(catalog);
        ArgumentNullException.ThrowIfNull(inputColumnNames);
        return new VaeLatentEstimator(outputColumnName, inputColumnNames.Length == 0 ? [outputColumnName] : inputColumnNames, options);
    }
}
