using System.Numerics;
using VaeText.Core;
using VaeText.Tensors;

namespace VaeText.Models;

/// <summary>
/// A decoder that reconstructs the encoder's own input from z (the autoregressive LSTM over token sequences),
/// used by <see cref="VaeNetwork{T, TInput}"/> in place of the head's bag-of-words softmax. Holds only parameter
/// slices; per-batch buffers live in the workspace object it creates.
/// </summary>
internal interface IVaeDecoder<T, TInput> where T : unmanaged, IFloatingPointIeee754<T>
{
    /// <summary>Draws the initial parameters (after the encoder and head, from the same generator).</summary>
    void Initialize(Rng rng, CsrMatrix? background);

    /// <summary>Per-thread buffers.</summary>
    object CreateWorkspace();

    /// <summary>
    /// Training: rowRecon[i] = −log p(input i | z_i) (batch order), dz [batch, latent] = <paramref name="scale"/>·∂Σrecon/∂z
    /// (overwritten), parameter gradients accumulated with the same scale. <paramref name="rng"/> draws the decoder's
    /// training noise (word dropout). Returns the number of predicted tokens.
    /// </summary>
    double ForwardBackward(TInput input, ReadOnlySpan<T> z, Span<T> dz, Span<double> rowRecon, double scale, object workspace, Rng rng, int maxThreads);

    /// <summary>Inference: rowRecon[i] = −log p(input i | z_i) without noise. Returns the number of predicted tokens.</summary>
    double Evaluate(TInput input, ReadOnlySpan<T> z, Span<double> rowRecon, object workspace, int maxThreads);
}
