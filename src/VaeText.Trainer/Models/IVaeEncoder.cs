using System.Numerics;
using VaeText.Core;
using VaeText.Nn;

namespace VaeText.Models;

/// <summary>
/// The seam between a VAE's encoder and its shared latent + decoder + loss part (<see cref="VaeHead{T}"/>):
/// an encoder maps a batch of inputs to the posterior's mean and log-variance. The bag-of-words encoder is
/// <see cref="BowEncoder{T}"/>; sequence encoders (LSTM, Transformer) implement the same interface with their
/// own input type. Encoders hold only parameter slices; everything per batch lives in the workspace object
/// they create, so one encoder can serve many threads.
/// </summary>
/// <typeparam name="T">float or double.</typeparam>
/// <typeparam name="TInput">The batch input (CSR rows, token ids, ...).</typeparam>
internal interface IVaeEncoder<T, TInput> where T : unmanaged, IFloatingPointIeee754<T>
{
    /// <summary>Latent dimensions.</summary>
    int LatentSize { get; }

    /// <summary>Draws the initial parameters.</summary>
    void Initialize(Rng rng);

    /// <summary>Creates per-thread buffers for up to <paramref name="capacity"/> rows.</summary>
    object CreateWorkspace(int capacity, bool training);

    /// <summary>Number of rows in <paramref name="input"/>.</summary>
    int Count(TInput input);

    /// <summary>
    /// mean[batch, latent], logVar[batch, latent] from the input. <paramref name="dropoutRng"/> is null at
    /// inference (no dropout); in training it draws dropout masks.
    /// </summary>
    void Forward(TInput input, Span<T> mean, Span<T> logVar, object workspace, Rng? dropoutRng);

    /// <summary>Back-propagates dMean, dLogVar, accumulating parameter gradients (after a training Forward on the same workspace).</summary>
    void Backward(TInput input, ReadOnlySpan<T> dMean, ReadOnlySpan<T> dLogVar, object workspace);
}
