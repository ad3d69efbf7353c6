using System.Numerics;
using System.Numerics.Tensors;
using VaeText.Core;
using VaeText.Nn;
using VaeText.Tensors;

namespace VaeText.Models;

/// <summary>
/// The part every VAE in VaeText shares, whatever its encoder: log-variance clamp, reparameterisation
/// z = μ + exp(logσ²/2)·ε, decoder Linear(latent→V), log-softmax over the vocabulary, reconstruction
/// −Σ count·log p against bag-of-words targets, KL to N(0, I) with optional free bits, and their gradients.
/// </summary>
internal sealed class VaeHead<T> where T : unmanaged, IFloatingPointIeee754<T>
{
    private readonly ParameterStore<T> _store;

    private readonly Linear<T>? _decoder;

    /// <param name="store">Where the decoder's parameters are reserved.</param>
    /// <param name="latentSize">Latent dimensions.</param>
    /// <param name="vocabularySize">Bag-of-words vocabulary V.</param>
    /// <param name="logVarMin">Lower log-variance clamp.</param>
    /// <param name="logVarMax">Upper log-variance clamp.</param>
    /// <param name="bagOfWordsDecoder">False for a VAE whose decoder lives elsewhere (the autoregressive LSTM):
    /// no Linear(latent→V) is reserved and only sampling and the KL part are used.</param>
    public VaeHead(ParameterStore<T> store, int latentSize, int vocabularySize, double logVarMin, double logVarMax, bool bagOfWordsDecoder = true)
    {
        _store = store;
        LatentSize = latentSize;
        VocabularySize = vocabularySize;
        LogVarMin = T.CreateTruncating(logVarMin);
        LogVarMax = T.CreateTruncating(logVarMax);
        if (bagOfWordsDecoder) _decoder = new Linear<T>(store, "decoder", latentSize, vocabularySize);
    }

    /// <summary>True when the head holds the bag-of-words decoder.</summary>
    public bool HasBagOfWordsDecoder => _decoder is not null;

    public int LatentSize { get; }
    public int VocabularySize { get; }
    public T LogVarMin { get; }
    public T LogVarMax { get; }
    /// <summary>Decoder weights <c>[V, latent]</c> and bias <c>[V]</c>.</summary>
    public Linear<T> Decoder => _decoder ?? throw new InvalidOperationException("this VAE has no bag-of-words decoder");

    /// <summary>
    /// Decoder weights like PyTorch's default; bias = log background word frequency of the training matrix
    /// (log((count_w + 1) / Σ(count + 1))), or zeros when no matrix is given.
    /// </summary>
    public void Initialize(Rng rng, CsrMatrix? background)
    {
        if (_decoder is null) return;
        Decoder.Initialize(rng);
        var bias = _store.Value(Decoder.Bias);
        if (background == null) { bias.Clear(); return; }
        var freq = new double[VocabularySize];
        Array.Fill(freq, 1.0);
        int nnz = background.NonZeros;
        for (int p = 0; p < nnz; p++) freq[background.Indices[p]] += background.Values[p];
        double total = 0;
        foreach (var f in freq) total += f;
        for (int i = 0; i < freq.Length; i++) bias[i] = T.CreateTruncating(Math.Log(freq[i] / total));
    }

    /// <summary>Clamps log-variances in place to [LogVarMin, LogVarMax] so exp cannot overflow.</summary>
    public void ClampLogVar(Span<T> logVar) => TensorPrimitives.Clamp(logVar, LogVarMin, LogVarMax, logVar);

    /// <summary>
    /// Training step for one batch: samples ε, runs the decoder and the loss, writes dMean and dLogVar into the
    /// workspace and accumulates the decoder's gradients. The loss is the batch mean of recon + β·KL
    /// (KL per dimension floored at <paramref name="freeBits"/> when positive).
    /// </summary>
    public BatchLoss ForwardBackward(CsrBatch targets, VaeWorkspace<T> ws, double beta, double freeBits, Rng rng, int maxThreads)
    {
        int b = targets.Count, l = LatentSize;
        int bl = b * l;
        SampleZ(ws, b, rng);
        var z = ws.Z.AsSpan(0, bl);

        // Decoder forward and fused softmax-cross-entropy; dLogits overwrite the logits in place.
        // (Decoder.Forward and Decoder.Backward, with the bias added and its gradient summed inside the softmax pass
        // while each row is in cache; the same operations in the same order.)
        var dec = Decoder;
        int v = VocabularySize;
        var logits = ws.Logits.AsSpan(0, b * v);
        var w = _store.Value(dec.Weight);
        Gemm.MatMulTransB<T>(z, w, logits, b, l, v);
        double scale = 1.0 / b;
        // Bias gradients in the softmax pass only when it runs the rows in order (Σ over rows in the same order).
        bool rowsInOrder = maxThreads <= 1 || b <= SoftmaxRowChunk;
        SoftmaxCrossEntropy(targets, ws.Logits, ws.RowRecon, scale, gradient: true, maxThreads, addBias: true, sumBiasGradient: rowsInOrder);

        // Decoder backward: dW += dLogitsᵀ·z, db += Σ dLogits, dz = dLogits·W.
        var dz = ws.DZ.AsSpan(0, bl);
        Gemm.MatMulTransA<T>(logits, z, _store.Grad(dec.Weight), v, b, l, accumulate: true);
        if (!rowsInOrder) Linear<T>.AddColumnSums(logits, _store.Grad(dec.Bias), b, v);
        Gemm.MatMul<T>(logits, w, dz, b, v, l);

        double sumRecon = 0, tokens = 0;
        var rows = targets.Rows.Span;
        for (int r = 0; r < b; r++)
        {
            sumRecon += ws.RowRecon[r];
            tokens += targets.Matrix.RowSum(rows[r]);
        }
        return KlAndGradients(ws, b, beta, freeBits, sumRecon, tokens);
    }

    /// <summary>Clamps the workspace's log-variances and draws z = μ + exp(logσ²/2)·ε for <paramref name="b"/> rows.</summary>
    public void SampleZ(VaeWorkspace<T> ws, int b, Rng rng)
    {
        int bl = b * LatentSize;
        var mean = ws.Mean.AsSpan(0, bl);
        var logVar = ws.LogVar.AsSpan(0, bl);
        var eps = ws.Eps.AsSpan(0, bl);
        var z = ws.Z.AsSpan(0, bl);
        ClampLogVar(logVar);
        for (int i = 0; i < bl; i++)
        {
            T e = T.CreateTruncating(rng.NextGaussian());
            eps[i] = e;
            z[i] = mean[i] + T.Exp(logVar[i] * T.CreateTruncating(0.5)) * e;
        }
    }

    /// <summary>
    /// After a decoder wrote dz (gradient of the batch-mean reconstruction) into the workspace: the KL terms (with
    /// free bits), dMean and dLogVar, and the batch loss.
    /// </summary>
    public BatchLoss KlAndGradients(VaeWorkspace<T> ws, int b, double beta, double freeBits, double sumRecon, double tokens)
    {
        int l = LatentSize, bl = b * l;
        var mean = ws.Mean.AsSpan(0, bl);
        var logVar = ws.LogVar.AsSpan(0, bl);
        var eps = ws.Eps.AsSpan(0, bl);
        var dz = ws.DZ.AsSpan(0, bl);
        double scale = 1.0 / b;

        // KL per row and per dimension.
        var klDim = ws.KlDim;
        Array.Clear(klDim);
        double sumKl = 0;
        for (int r = 0; r < b; r++)
        {
            double rowKl = 0;
            for (int j = 0; j < l; j++)
            {
                double mu = double.CreateTruncating(mean[r * l + j]);
                double lv = double.CreateTruncating(logVar[r * l + j]);
                double k = -0.5 * (1 + lv - mu * mu - Math.Exp(lv));
                rowKl += k;
                klDim[j] += k;
            }
            ws.RowKl[r] = rowKl;
            sumKl += rowKl;
        }
        double klTerm = sumKl;
        if (freeBits > 0)
        {
            klTerm = 0;
            for (int j = 0; j < l; j++) klTerm += Math.Max(freeBits, klDim[j] / b) * b;
        }

        // Reparameterisation and KL gradients.
        var dMean = ws.DMean.AsSpan(0, bl);
        var dLogVar = ws.DLogVar.AsSpan(0, bl);
        T half = T.CreateTruncating(0.5);
        for (int r = 0; r < b; r++)
        {
            for (int j = 0; j < l; j++)
            {
                int i = r * l + j;
                bool klActive = !(freeBits > 0) || klDim[j] / b >= freeBits;
                T kb = klActive ? T.CreateTruncating(beta * scale) : T.Zero;
                T sigma = T.Exp(logVar[i] * half);
                T dzi = dz[i];
                dMean[i] = dzi + kb * mean[i];
                T dlv = dzi * eps[i] * sigma * half + kb * half * (sigma * sigma - T.One);
                // The clamp passes no gradient at (or beyond) its bounds.
                if (logVar[i] <= LogVarMin || logVar[i] >= LogVarMax) dlv = T.Zero;
                dLogVar[i] = dlv;
            }
        }

        double loss = (sumRecon + beta * klTerm) * scale;
        return new BatchLoss(b, sumRecon, sumKl, tokens, loss);
    }

    /// <summary>
    /// Inference: per-row reconstruction error at z = μ (no sampling) and KL, for up to the workspace's logits
    /// capacity of rows at a time. <paramref name="mean"/> and <paramref name="logVar"/> are already computed
    /// (and clamped).
    /// </summary>
    public void Evaluate(CsrBatch targets, ReadOnlySpan<T> mean, ReadOnlySpan<T> logVar, VaeWorkspace<T> ws, Span<double> recon, Span<double> kl)
    {
        int b = targets.Count, l = LatentSize;
        int step = ws.LogitsRows;
        for (int s = 0; s < b; s += step)
        {
            int n = Math.Min(step, b - s);
            var sub = new CsrBatch(targets.Matrix, targets.Rows.Slice(s, n));
            Decoder.Forward(mean.Slice(s * l, n * l), ws.Logits.AsSpan(0, n * VocabularySize), n);
            SoftmaxCrossEntropy(sub, ws.Logits, ws.RowRecon, 1.0, gradient: false, maxThreads: 1);
            ws.RowRecon.AsSpan(0, n).CopyTo(recon.Slice(s, n));
        }
        KlRows(mean, logVar, b, kl);
    }

    /// <summary>KL(N(μ, σ²) ‖ N(0, I)) of each of <paramref name="b"/> rows.</summary>
    public void KlRows(ReadOnlySpan<T> mean, ReadOnlySpan<T> logVar, int b, Span<double> kl)
    {
        int l = LatentSize;
        for (int r = 0; r < b; r++)
        {
            double rowKl = 0;
            for (int j = 0; j < l; j++)
            {
                double mu = double.CreateTruncating(mean[r * l + j]);
                double lv = double.CreateTruncating(logVar[r * l + j]);
                rowKl += -0.5 * (1 + lv - mu * mu - Math.Exp(lv));
            }
            kl[r] = rowKl;
        }
    }

    private const int SoftmaxRowChunk = 16;

    /// <summary>
    /// Per row r: recon[r] = −Σ count·log softmax(logits[r]); with <paramref name="gradient"/> the logits row is
    /// replaced by scale·(N·softmax − counts), N = Σ counts. Rows run in parallel (each row is independent, so
    /// results do not depend on the thread count). <paramref name="addBias"/> first adds the decoder bias to each row
    /// (the logits are then z·Wᵀ without it); <paramref name="sumBiasGradient"/> adds each row's gradient to the bias
    /// gradient (callers ask for it only when the rows run in order, so that the sum is the same).
    /// </summary>
    internal void SoftmaxCrossEntropy(CsrBatch targets, T[] logits, double[] recon, double scale, bool gradient, int maxThreads,
        bool addBias = false, bool sumBiasGradient = false)
    {
        int v = VocabularySize;
        var m = targets.Matrix;
        var rowsMem = targets.Rows;
        var biasSlice = addBias || sumBiasGradient ? Decoder.Bias : default;
        Parallelism.For(targets.Count, SoftmaxRowChunk, maxThreads, (start, end) =>
        {
            var rows = rowsMem.Span;
            for (int r = start; r < end; r++)
            {
                var row = logits.AsSpan(r * v, v);
                if (addBias) TensorPrimitives.Add(row, _store.Value(biasSlice)[..v], row);
                int doc = rows[r];
                int p0 = m.RowPtr[doc], p1 = m.RowPtr[doc + 1];
                double dot = 0, count = 0;
                for (int p = p0; p < p1; p++)
                {
                    double c = m.Values[p];
                    dot += c * double.CreateTruncating(row[m.Indices[p]]);
                    count += c;
                }
                T max = TensorPrimitives.Max<T>(row);
                TensorPrimitives.Subtract(row, max, row);
                TensorPrimitives.Exp<T>(row, row);
                double sum = double.CreateTruncating(TensorPrimitives.Sum<T>(row));
                double lse = double.CreateTruncating(max) + Math.Log(sum);
                recon[r] = count * lse - dot;
                if (gradient)
                {
                    TensorPrimitives.Multiply(row, T.CreateTruncating(scale * count / sum), row);
                    T sc = T.CreateTruncating(scale);
                    for (int p = p0; p < p1; p++) row[m.Indices[p]] -= sc * T.CreateTruncating(m.Values[p]);
                    if (sumBiasGradient)
                    {
                        var db = _store.Grad(biasSlice)[..v];
                        TensorPrimitives.Add(db, row, db);
                    }
                }
            }
        });
    }
}

/// <summary>Per-batch sums of one training step.</summary>
/// <param name="Count">Documents in the batch.</param>
/// <param name="SumRecon">Σ reconstruction (−Σ count·log p) over the batch.</param>
/// <param name="SumKl">Σ KL over the batch (before free bits).</param>
/// <param name="Tokens">Σ counts over the batch.</param>
/// <param name="Loss">The optimised objective: batch mean of recon + β·KL (with free bits).</param>
internal readonly record struct BatchLoss(int Count, double SumRecon, double SumKl, double Tokens, double Loss);
