using System.Numerics;
using VaeText.Core;
using VaeText.Nn;
using VaeText.Tensors;

namespace VaeText.Models;

/// <summary>
/// A VAE whose encoder reads the token sequence (LSTM or Transformer, <see cref="SeqVaeOptions.Encoder"/>) and whose
/// latent part, bag-of-words softmax decoder and loss are those of <see cref="BowVae"/> (shared <c>VaeHead</c>).
/// Inputs are token-id documents (0 = padding, 1 = unknown, 2 + w = word w); reconstruction targets are the
/// documents' bag-of-words counts over the V words.
/// </summary>
public sealed class SeqVae
{
    /// <summary>Documents per batch in <see cref="Encode"/> (LSTM encoder).</summary>
    public const int EncodeBatchSize = 256;
    /// <summary>Documents per batch in <see cref="Encode"/> with the Transformer encoder (bounds its attention buffers).</summary>
    public const int TransformerEncodeBatchSize = 64;

    /// <summary>Creates and initialises a model.</summary>
    /// <param name="options">Settings (validated, copied).</param>
    /// <param name="background">Bag-of-words counts whose word frequencies initialise the decoder bias; null: zero bias.</param>
    public SeqVae(SeqVaeOptions options, CsrMatrix? background = null)
    {
        ArgumentNullException.ThrowIfNull(options);
        options.Validate();
        if (background != null && background.Columns != options.VocabularySize)
            throw new ArgumentException($"background has {background.Columns} columns but VocabularySize is {options.VocabularySize}", nameof(background));
        Options = options.Clone();
        Network = BuildNetwork<float>(Options);
        Network.Initialize(new Rng(Options.Seed), background);
    }

    /// <summary>Builds the (uninitialised) network; double precision is used by gradient checks.</summary>
    internal static VaeNetwork<T, TokenBatch> BuildNetwork<T>(SeqVaeOptions o) where T : unmanaged, IFloatingPointIeee754<T>
    {
        var store = new ParameterStore<T>();
        int tokens = checked(o.VocabularySize + 2);
        IVaeEncoder<T, TokenBatch> enc = o.Encoder == SeqEncoderKind.Lstm
            ? new LstmEncoder<T>(store, tokens, o.EmbeddingSize, o.HiddenSize, o.Bidirectional, o.Pooling, o.LatentSize, o.MaxLength)
            : new TransformerEncoder<T>(store, tokens, o.EmbeddingSize, o.Layers, o.Heads, o.FeedForwardSize, o.Positions, o.LatentSize, o.MaxLength);
        bool lstm = o.Decoder == SeqDecoderKind.Lstm;
        var head = new VaeHead<T>(store, o.LatentSize, o.VocabularySize, o.LogVarianceMin, o.LogVarianceMax, bagOfWordsDecoder: !lstm);
        var decoder = lstm ? new LstmTextDecoder<T>(store, tokens, o.EmbeddingSize, o.DecoderHiddenSize, o.LatentSize, o.MaxLength, o.WordDropout) : null;
        store.Freeze();
        return new VaeNetwork<T, TokenBatch>(store, enc, head, decoder);
    }

    internal VaeNetwork<float, TokenBatch> Network { get; }

    /// <summary>The settings.</summary>
    public SeqVaeOptions Options { get; }
    /// <summary>Latent dimensions.</summary>
    public int LatentSize => Options.LatentSize;
    /// <summary>Number of trained scalars.</summary>
    public int ParameterCount => Network.Store.Count;

    /// <summary>
    /// Posterior means [documents, LatentSize] (row-major) of the documents, in batches of <see cref="EncodeBatchSize"/>
    /// (<see cref="TransformerEncodeBatchSize"/> for the Transformer),
    /// batches spread over up to <paramref name="maxThreads"/> threads (0: all cores).
    /// </summary>
    public float[] Encode(IReadOnlyList<int[]> documents, int maxThreads = 0)
    {
        ArgumentNullException.ThrowIfNull(documents);
        if (maxThreads < 0) throw new ArgumentOutOfRangeException(nameof(maxThreads), maxThreads, "must be non-negative");
        int n = documents.Count, l = LatentSize;
        var means = new float[(long)n * l];
        int bs = Options.Encoder == SeqEncoderKind.Transformer ? TransformerEncodeBatchSize : EncodeBatchSize;
        int batches = (n + bs - 1) / bs;
        int threads = maxThreads == 0 ? Environment.ProcessorCount : maxThreads;
        // A fixed set of workers (one workspace each, allocated once) pulls batches from a shared counter; inside a
        // batch the kernels may use the remaining cores. Each batch is computed alone, so results do not depend on
        // which worker ran it. (Parallel.For's local state would be re-created for every task replica.)
        int workers = Math.Max(1, Math.Min(threads, batches));
        int next = -1;
        try
        {
            Parallel.For(0, workers, new ParallelOptions { MaxDegreeOfParallelism = workers }, _ =>
            {
                var ws = Network.CreateWorkspace(bs, false, 1);
                var lv = new float[bs * l];
                int bi;
                while ((bi = Interlocked.Increment(ref next)) < batches)
                {
                    int s = bi * bs, e = Math.Min(n, s + bs);
                    var rows = Enumerable.Range(s, e - s).ToArray();
                    Network.Encode(new TokenBatch(documents, rows), means.AsSpan(s * l, (e - s) * l), lv.AsSpan(0, (e - s) * l), ws);
                }
            });
        }
        catch (AggregateException e) when (e.InnerExceptions.Count > 0)
        {
            // Surface the first failure (e.g. an out-of-range token id) with its own type and message.
            System.Runtime.ExceptionServices.ExceptionDispatchInfo.Capture(e.InnerExceptions[0]).Throw();
        }
        return means;
    }

    /// <summary>Per-thread buffers for encoding one document at a time (a pipeline cursor holds one).</summary>
    internal sealed class Session
    {
        public Session(SeqVae model)
        {
            Workspace = model.Network.CreateWorkspace(1, false, 1);
        }
        public readonly VaeWorkspace<float> Workspace;
        public readonly int[][] Docs = new int[1][];
        public readonly int[] Row = [0];
        public readonly double[] Recon = new double[1], Kl = new double[1];
    }

    internal Session CreateSession() => new(this);

    /// <summary>Posterior mean and clamped log-variance of one token-id document.</summary>
    internal void EncodeOne(int[] ids, Session s, Span<float> mean, Span<float> logVar)
    {
        s.Docs[0] = ids;
        Network.Encode(new TokenBatch(s.Docs, s.Row), mean, logVar, s.Workspace);
    }

    /// <summary>Reconstruction error at z = μ plus KL of one document (<paramref name="counts"/>: its one-row bag of words).</summary>
    internal double NegativeElboAtMean(CsrMatrix counts, int[] ids, ReadOnlySpan<float> mean, ReadOnlySpan<float> logVar, Session s)
    {
        s.Docs[0] = ids;
        Network.Evaluate(new TokenBatch(s.Docs, s.Row), new CsrBatch(counts, s.Row), mean, logVar, s.Workspace, s.Recon, s.Kl);
        return s.Recon[0] + s.Kl[0];
    }

    /// <summary>Reconstruction error at z = μ (into s.Recon[0]) and KL (s.Kl[0]) of one document: row <paramref name="row"/> of <paramref name="counts"/>.</summary>
    internal void EvaluateOne(CsrMatrix counts, int row, int[] ids, ReadOnlySpan<float> mean, ReadOnlySpan<float> logVar, Session s)
    {
        s.Docs[0] = ids;
        Network.Evaluate(new TokenBatch(s.Docs, s.Row), new CsrBatch(counts, new[] { row }), mean, logVar, s.Workspace, s.Recon, s.Kl);
    }

    /// <summary>
    /// LSTM decoder: [V, LatentSize] row-major, entry (w, d) = log p(first word = w | z = e_d) − log p(first word = w | z = 0).
    /// </summary>
    internal float[] FirstWordEffects()
    {
        var d = TextDecoder;
        int l = LatentSize, v = Options.VocabularySize;
        var z = new float[l];
        var baseLogp = d.FirstStepLogProbabilities(z);
        var result = new float[(long)v * l];
        for (int j = 0; j < l; j++)
        {
            Array.Clear(z); z[j] = 1;
            var lp = d.FirstStepLogProbabilities(z);
            for (int w = 0; w < v; w++) result[w * l + j] = lp[w + 2] - baseLogp[w + 2];
        }
        return result;
    }

    /// <summary>True when the model has the autoregressive LSTM decoder (it can write text).</summary>
    public bool CanGenerate => Network.Decoder is LstmTextDecoder<float>;

    private LstmTextDecoder<float> TextDecoder => Network.Decoder as LstmTextDecoder<float>
        ?? throw new InvalidOperationException($"this sequence VAE has the {Options.Decoder} decoder; writing text needs Decoder = Lstm");

    /// <summary>
    /// Writes token ids (2 + word id; never padding or unknown) from the latent code <paramref name="z"/>
    /// [LatentSize]: greedy when <paramref name="temperature"/> is 0, else sampled from softmax(logits / temperature)
    /// with <paramref name="rng"/>. Stops at end-of-sequence or after <paramref name="maxTokens"/> tokens
    /// (0: the model's MaxLength).
    /// </summary>
    /// <exception cref="InvalidOperationException">The model has no LSTM decoder.</exception>
    public int[] Decode(ReadOnlySpan<float> z, double temperature = 0, Rng? rng = null, int maxTokens = 0)
    {
        var d = TextDecoder;
        if (z.Length != LatentSize) throw new ArgumentException($"z has {z.Length} values, the latent size is {LatentSize}", nameof(z));
        if (!(temperature >= 0) || !double.IsFinite(temperature)) throw new ArgumentOutOfRangeException(nameof(temperature), temperature, "temperature must be a finite number >= 0 (0 = greedy)");
        if (temperature > 0 && rng is null) throw new ArgumentNullException(nameof(rng), "sampling with a temperature needs a seeded Rng");
        if (maxTokens < 0) throw new ArgumentOutOfRangeException(nameof(maxTokens), maxTokens, "must be non-negative (0 = MaxLength)");
        return d.Decode(z, temperature, rng, maxTokens == 0 ? Options.MaxLength : maxTokens);
    }

    /// <summary>A copy of all parameters (the flat store).</summary>
    public float[] GetParameters() => (float[])Network.Store.Values.Clone();

    /// <summary>Replaces all parameters (length must equal <see cref="ParameterCount"/>).</summary>
    public void SetParameters(ReadOnlySpan<float> values)
    {
        if (values.Length != ParameterCount) throw new ArgumentException($"expected {ParameterCount} parameters, got {values.Length}", nameof(values));
        values.CopyTo(Network.Store.Values);
    }
}
