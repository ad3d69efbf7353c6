using VaeText.Transforms;

namespace VaeText;

public sealed partial class TransformsCatalog
{
    /// <summary>
    /// Trains a VAE on the text column <paramref name="inputColumnName"/> and adds its latent mean as the vector
    /// column <paramref name="outputColumnName"/> (see <see cref="VaeLatentEstimator"/>).
    /// </summary>
    /// <param name="outputColumnName">Output vector column (latent means).</param>
    /// <param name="inputColumnName">Input Text column (default: same as output).</param>
    /// <param name="latentSize">Latent size.</param>
    /// <param name="epochs">Training epochs.</param>
    public VaeLatentEstimator VaeLatent(string outputColumnName, string? inputColumnName = null,
        int latentSize = VaeLatentEstimator.Defaults.LatentSize, int epochs = VaeLatentEstimator.Defaults.Epochs)
        => new(new VaeLatentEstimator.Options { OutputColumnName = outputColumnName, InputColumnName = inputColumnName, LatentSize = latentSize, Epochs = epochs }, Context.NextSeed());

    /// <summary>The VAE step with every setting (encoder, sizes, epochs, annealing, vocabulary limits, seed, extra columns).</summary>
    public VaeLatentEstimator VaeLatent(VaeLatentEstimator.Options options) => new(options, Context.NextSeed());
}
