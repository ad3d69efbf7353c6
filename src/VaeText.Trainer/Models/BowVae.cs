using System.Numerics;
using VaeText.Core;
using VaeText.Nn;
using VaeText.Tensors;

namespace VaeText.Models;

/// <summary>
/// A bag-of-words variational autoencoder (Miao et al. 2016; VAMPIRE, Gururangan et al. 2019): an MLP encoder
/// over word counts gives the posterior q(z|x) = N(μ, diag σ²); the decoder maps z to a softmax over the
/// vocabulary whose bias starts at the log background word frequency. The loss is the reconstruction
/// −Σ count·log p plus β·KL(q ‖ N(0, I)). Train it with <see cref="Training.VaeTrainer"/>.
/// </summary>
/// <remarks>
/// A trained model is immutable during encoding and thread-safe: every encode call uses its own buffers.
/// Parameters live in one flat float buffer (<see cref="ParameterCount"/> scalars).
/// </remarks>
public sealed class BowVae
{
    /// <summary>Documents per encoding batch.</summary>
    public const int EncodeBatchSize = 1024;

    /// <summary>Creates and initialises a model.</summary>
    /// <param name="options">Architecture (validated; copied).</param>
    /// <param name="trainingData">Documents whose word frequencies initialise the decoder bias (log background
    /// frequency with add-one smoothing); null leaves the bias at zero.</param>
    /// <exception cref="ArgumentOutOfRangeException">An option is out of range.</exception>
    /// <exception cref="ArgumentException">The training matrix's column count differs from the vocabulary size.</exception>
    public BowVae(BowVaeOptions options, CsrMatrix? trainingData = null)
    {
        ArgumentNullException.ThrowIfNull(options);
        options.Validate();
        if (trainingData != null && trainingData.Columns != options.VocabularySize)
            throw new ArgumentException($"trainingData has {trainingData.Columns} columns but VocabularySize is {options.VocabularySize}", nameof(trainingData));
        Options = options.Clone();
        Network = BuildNetwork<float>(Options);
        Network.Initialize(new Rng(Options.Seed), trainingData);
    }

    /// <summary>Builds the (uninitialised) network for an options set; used with double precision by gradient checks.</summary>
    internal static VaeNetwork<T, CsrBatch> BuildNetwork<T>(BowVaeOptions o) where T : unmanaged, IFloatingPointIeee754<T>
    {
        var store = new ParameterStore<T>();
        var encoder = new BowEncoder<T>(store, o.VocabularySize, o.EncoderHiddenSizes, o.Activation, o.LatentSize, o.EncoderDropout);
        var head = new VaeHead<T>(store, o.LatentSize, o.VocabularySize, o.LogVarianceMin, o.LogVarianceMax);
        store.Freeze();
        return new VaeNetwork<T, CsrBatch>(store, encoder, head);
    }

    internal VaeNetwork<float, CsrBatch> Network { get; }

    /// <summary>The parameters (one flat buffer with named slices).</summary>
    internal ParameterStore<float> Parameters => Network.Store;

    /// <summary>The architecture (a copy; changing it has no effect).</summary>
    public BowVaeOptions Options { get; }
    /// <summary>Vocabulary size V.</summary>
    public int VocabularySize => Options.VocabularySize;
    /// <summary>Latent dimensions.</summary>
    public int LatentSize => Options.LatentSize;
    /// <summary>Number of trainable scalars.</summary>
    public int ParameterCount => Network.Store.Count;

    /// <summary>The parameter count the architecture in <paramref name="o"/> implies, without allocating (for loaders).</summary>
    internal static long CountParameters(BowVaeOptions o)
    {
        var hs = o.EncoderHiddenSizes;
        long n = (long)o.VocabularySize * hs[0] + hs[0];
        for (int i = 1; i < hs.Count; i++) n += (long)hs[i - 1] * hs[i] + hs[i];
        n += 2L * (hs[^1] * (long)o.LatentSize + o.LatentSize);
        n += (long)o.LatentSize * o.VocabularySize + o.VocabularySize;
        return n;
    }

    private void CheckDocuments(CsrMatrix documents)
    {
        ArgumentNullException.ThrowIfNull(documents);
        if (documents.Columns != VocabularySize)
            throw new ArgumentException($"documents have {documents.Columns} columns but the model's vocabulary has {VocabularySize} words", nameof(documents));
    }

    /// <summary>
    /// Posterior means μ of every row of <paramref name="documents"/>, row-major <c>[rows, LatentSize]</c>.
    /// Runs in batches of <see cref="EncodeBatchSize"/>, in parallel on up to <paramref name="maxThreads"/>
    /// threads (0 = all cores); results do not depend on the thread count. An empty row is encoded like any
    /// other (the network's output for a zero input), not as the prior mean.
    /// </summary>
    public float[] Encode(CsrMatrix documents, int maxThreads = 0)
    {
        CheckDocuments(documents);
        var means = new float[(long)documents.Rows * LatentSize];
        Run(documents, maxThreads, means, null, null, null);
        return means;
    }

    /// <summary>
    /// Posterior means and log-variances (clamped), and per document the reconstruction error at z = μ and the
    /// KL divergence; their sum is the negative ELBO (with the reconstruction at the posterior mean), a useful
    /// anomaly score.
    /// </summary>
    public VaeEncoding EncodeDetailed(CsrMatrix documents, int maxThreads = 0)
    {
        CheckDocuments(documents);
        int n = documents.Rows;
        var e = new VaeEncoding(n, LatentSize);
        Run(documents, maxThreads, e.Means, e.LogVariances, e.ReconstructionError, e.Kl);
        return e;
    }

    internal void Run(CsrMatrix documents, int maxThreads, float[] means, float[]? logVars, double[]? recon, double[]? kl)
    {
        int n = documents.Rows, l = LatentSize;
        if (n == 0) return;
        int threads = Parallelism.Resolve(maxThreads);
        int chunks = (n + EncodeBatchSize - 1) / EncodeBatchSize;
        int workers = Math.Min(threads, chunks);
        var all = new int[n];
        for (int i = 0; i < n; i++) all[i] = i;
        int next = -1;
        void Worker()
        {
            var ws = Network.CreateWorkspace(Math.Min(EncodeBatchSize, n), training: false);
            var lv = new float[ws.Capacity * l];
            while (true)
            {
                int c = Interlocked.Increment(ref next);
                if (c >= chunks) break;
                int s = c * EncodeBatchSize, cnt = Math.Min(EncodeBatchSize, n - s);
                var batch = new CsrBatch(documents, all.AsMemory(s, cnt));
                var mu = means.AsSpan(s * l, cnt * l);
                var logVar = logVars != null ? logVars.AsSpan(s * l, cnt * l) : lv.AsSpan(0, cnt * l);
                Network.Encode(batch, mu, logVar, ws);
                if (recon != null && kl != null)
                    Network.Head.Evaluate(batch, mu, logVar, ws, recon.AsSpan(s, cnt), kl.AsSpan(s, cnt));
            }
        }
        if (workers <= 1) { Worker(); return; }
        var tasks = new Task[workers - 1];
        for (int t = 0; t < tasks.Length; t++) tasks[t] = Task.Factory.StartNew(Worker, CancellationToken.None, TaskCreationOptions.LongRunning, TaskScheduler.Default);
        Worker();
        Task.WaitAll(tasks);
    }

    /// <summary>A copy of the decoder weights, row-major <c>[VocabularySize, LatentSize]</c> (word w, dimension d at w·L + d).</summary>
    public float[] GetDecoderWeights() => Network.Store.Value(Network.Head.Decoder.Weight).ToArray();

    /// <summary>A copy of the decoder bias <c>[VocabularySize]</c> (starts as the log background frequency).</summary>
    public float[] GetDecoderBias() => Network.Store.Value(Network.Head.Decoder.Bias).ToArray();

    /// <summary>
    /// The <paramref name="k"/> word ids with the largest decoder weight for latent dimension
    /// <paramref name="dimension"/>, largest first (ties by smaller id).
    /// </summary>
    public int[] TopWordIds(int dimension, int k)
    {
        if ((uint)dimension >= (uint)LatentSize) throw new ArgumentOutOfRangeException(nameof(dimension), dimension, $"must be in [0, {LatentSize})");
        if (k < 0) throw new ArgumentOutOfRangeException(nameof(k), k, "must be non-negative");
        var w = Network.Store.Value(Network.Head.Decoder.Weight);
        int l = LatentSize;
        var ids = new int[VocabularySize];
        var keys = new float[VocabularySize];
        for (int i = 0; i < ids.Length; i++) { ids[i] = i; keys[i] = w[i * l + dimension]; }
        Array.Sort(ids, (a, b) => { int c = keys[b].CompareTo(keys[a]); return c != 0 ? c : a.CompareTo(b); });
        return ids.AsSpan(0, Math.Min(k, ids.Length)).ToArray();
    }

    /// <summary>A copy of all parameters (for checkpoints and saving).</summary>
    public float[] GetParameters() => (float[])Network.Store.Values.Clone();

    /// <summary>Replaces all parameters (for checkpoints and loading).</summary>
    /// <exception cref="ArgumentException">The length differs from <see cref="ParameterCount"/> or a value is not finite.</exception>
    public void SetParameters(ReadOnlySpan<float> values)
    {
        if (values.Length != ParameterCount) throw new ArgumentException($"got {values.Length} parameters, the model has {ParameterCount}", nameof(values));
        for (int i = 0; i < values.Length; i++)
            if (!float.IsFinite(values[i])) throw new ArgumentException($"parameter {i} is {values[i]}", nameof(values));
        values.CopyTo(Network.Store.Values);
    }
}

/// <summary>Detailed encodings of n documents (see <see cref="BowVae.EncodeDetailed"/>).</summary>
public sealed class VaeEncoding
{
    internal VaeEncoding(int count, int latentSize)
    {
        Count = count;
        LatentSize = latentSize;
        Means = new float[(long)count * latentSize];
        LogVariances = new float[(long)count * latentSize];
        ReconstructionError = new double[count];
        Kl = new double[count];
    }

    /// <summary>Documents.</summary>
    public int Count { get; }
    /// <summary>Latent dimensions.</summary>
    public int LatentSize { get; }
    /// <summary>Posterior means, row-major <c>[Count, LatentSize]</c>.</summary>
    public float[] Means { get; }
    /// <summary>Posterior log-variances (clamped), row-major <c>[Count, LatentSize]</c>.</summary>
    public float[] LogVariances { get; }
    /// <summary>Per document −Σ count·log p(word | z = μ) (nats).</summary>
    public double[] ReconstructionError { get; }
    /// <summary>Per document KL(q(z|x) ‖ N(0, I)) (nats).</summary>
    public double[] Kl { get; }
    /// <summary>Negative ELBO of document <paramref name="i"/> (reconstruction + KL): higher = more anomalous.</summary>
    public double NegativeElbo(int i) => ReconstructionError[i] + Kl[i];
}
