using System.Numerics;
using VaeText.Core;
using VaeText.Nn;
using VaeText.Tensors;

namespace VaeText.Models;

/// <summary>
/// An encoder plus the shared <see cref="VaeHead{T}"/>, over one <see cref="ParameterStore{T}"/>. Generic in
/// the encoder's input so that bag-of-words and sequence VAEs share the latent, decoder and loss code.
/// </summary>
internal sealed class VaeNetwork<T, TInput> where T : unmanaged, IFloatingPointIeee754<T>
{
    public VaeNetwork(ParameterStore<T> store, IVaeEncoder<T, TInput> encoder, VaeHead<T> head, IVaeDecoder<T, TInput>? decoder = null)
    {
        if (decoder is null != head.HasBagOfWordsDecoder)
            throw new ArgumentException("a VAE has exactly one decoder: the head's bag-of-words softmax or a sequence decoder", nameof(decoder));
        Store = store;
        Encoder = encoder;
        Head = head;
        Decoder = decoder;
    }

    public ParameterStore<T> Store { get; }
    public IVaeEncoder<T, TInput> Encoder { get; }
    public VaeHead<T> Head { get; }
    /// <summary>The sequence decoder (null: the head's bag-of-words softmax decodes).</summary>
    public IVaeDecoder<T, TInput>? Decoder { get; }
    public int LatentSize => Head.LatentSize;
    public int VocabularySize => Head.VocabularySize;

    /// <summary>Encoder first, then decoder, from one generator.</summary>
    public void Initialize(Rng rng, CsrMatrix? background)
    {
        Store.Freeze();
        Encoder.Initialize(rng);
        Head.Initialize(rng, background);
        Decoder?.Initialize(rng, background);
    }

    public VaeWorkspace<T> CreateWorkspace(int capacity, bool training, int inferenceLogitsRows = 128)
        => new(capacity, LatentSize, VocabularySize, Decoder is not null ? 0 : training ? capacity : Math.Min(capacity, inferenceLogitsRows), training,
            Encoder.CreateWorkspace(capacity, training)) { DecoderState = Decoder?.CreateWorkspace() };

    /// <summary>Forward and backward for one batch; parameter gradients are accumulated into the store.</summary>
    public BatchLoss TrainBatch(TInput input, CsrBatch targets, VaeWorkspace<T> ws, double beta, double freeBits, Rng rng, int maxThreads)
    {
        int b = Encoder.Count(input);
        if (b != targets.Count) throw new ArgumentException($"input has {b} rows but targets have {targets.Count}");
        if (b > ws.Capacity || !ws.Training) throw new ArgumentException($"workspace (capacity {ws.Capacity}, training {ws.Training}) cannot run a training batch of {b}");
        int bl = b * LatentSize;
        Encoder.Forward(input, ws.Mean.AsSpan(0, bl), ws.LogVar.AsSpan(0, bl), ws.EncoderState, rng);
        BatchLoss loss;
        if (Decoder is null) loss = Head.ForwardBackward(targets, ws, beta, freeBits, rng, maxThreads);
        else
        {
            Head.SampleZ(ws, b, rng);
            double tokens = Decoder.ForwardBackward(input, ws.Z.AsSpan(0, bl), ws.DZ.AsSpan(0, bl), ws.RowRecon.AsSpan(0, b), 1.0 / b, ws.DecoderState!, rng, maxThreads);
            double sumRecon = 0;
            for (int r = 0; r < b; r++) sumRecon += ws.RowRecon[r];
            loss = Head.KlAndGradients(ws, b, beta, freeBits, sumRecon, tokens);
        }
        Encoder.Backward(input, ws.DMean.AsSpan(0, bl), ws.DLogVar.AsSpan(0, bl), ws.EncoderState);
        return loss;
    }

    /// <summary>Loss only (no gradients), same sampling as <see cref="TrainBatch"/>: used by gradient checks.</summary>
    public BatchLoss Loss(TInput input, CsrBatch targets, VaeWorkspace<T> ws, double beta, double freeBits, Rng rng, int maxThreads)
    {
        // Same computation; gradients accumulate into the store but callers of Loss discard them.
        var saved = (T[])Store.Grads.Clone();
        var loss = TrainBatch(input, targets, ws, beta, freeBits, rng, maxThreads);
        saved.CopyTo(Store.Grads, 0);
        return loss;
    }

    /// <summary>
    /// Per-row reconstruction error at z = μ and KL of an encoded batch (<paramref name="mean"/> and clamped
    /// <paramref name="logVar"/> from <see cref="Encode"/>). Returns the number of reconstructed tokens.
    /// </summary>
    public double Evaluate(TInput input, CsrBatch targets, ReadOnlySpan<T> mean, ReadOnlySpan<T> logVar, VaeWorkspace<T> ws, Span<double> recon, Span<double> kl)
    {
        int b = targets.Count;
        if (Decoder is not null)
        {
            double n = Decoder.Evaluate(input, mean[..(b * LatentSize)], recon[..b], ws.DecoderState!, 1);
            Head.KlRows(mean, logVar, b, kl);
            return n;
        }
        Head.Evaluate(targets, mean, logVar, ws, recon, kl);
        double tokens = 0;
        var rows = targets.Rows.Span;
        for (int i = 0; i < b; i++) tokens += targets.Matrix.RowSum(rows[i]);
        return tokens;
    }

    /// <summary>Posterior means and clamped log-variances for a batch (inference: no dropout).</summary>
    public void Encode(TInput input, Span<T> mean, Span<T> logVar, VaeWorkspace<T> ws)
    {
        Encoder.Forward(input, mean, logVar, ws.EncoderState, null);
        Head.ClampLogVar(logVar[..(Encoder.Count(input) * LatentSize)]);
    }
}
