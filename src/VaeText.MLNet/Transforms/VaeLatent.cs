using VaeText.Data;
using VaeText.IO;
using VaeText.Models;
using VaeText.Tensors;
using VaeText.Text;
using VaeText.Training;

namespace VaeText.Transforms;

/// <summary>
/// Trains a VAE (bag-of-words, LSTM or Transformer encoder; <see cref="Options.Encoder"/>) on a text column and adds its latent mean as a feature vector (the VAE step of a
/// pipeline). Fit reads only the input text column (the one place the column is held in memory: the VAE needs
/// several epochs over it), tokenizes it, builds the vocabulary, and trains the model with the engine's
/// <see cref="VaeTrainer"/>. The fitted <see cref="VaeLatentTransformer"/> encodes rows one at a time as they
/// stream, optionally adding the log-variance vector and the reconstruction-error score (an anomaly signal).
/// </summary>
public sealed class VaeLatentEstimator : IEstimator<VaeLatentTransformer>
{
    /// <summary>The VAE's encoder family.</summary>
    public enum EncoderKind
    {
        /// <summary>Bag-of-words MLP encoder (<see cref="Options.EncoderHiddenSizes"/>).</summary>
        BagOfWords,
        /// <summary>
        /// Embedding → one-layer LSTM (final state) over the first <see cref="Options.MaxSequenceLength"/> tokens
        /// (<see cref="Options.EmbeddingSize"/>, <see cref="Options.SequenceHiddenSize"/>).
        /// </summary>
        Lstm,
        /// <summary>
        /// Embedding + sinusoidal positions → pre-norm Transformer encoder blocks → mean over tokens
        /// (<see cref="Options.EmbeddingSize"/> = model width, <see cref="Options.TransformerLayers"/>,
        /// <see cref="Options.AttentionHeads"/>, <see cref="Options.FeedForwardSize"/>).
        /// </summary>
        Transformer,
    }

    /// <summary>The VAE's decoder (what the latent code must reconstruct).</summary>
    public enum DecoderKind
    {
        /// <summary>A softmax over the vocabulary predicting the document's bag of words (the default).</summary>
        BagOfWords,
        /// <summary>
        /// An LSTM language model conditioned on z that rewrites the token sequence word by word (Bowman et al.
        /// 2016); needs a sequence encoder (<see cref="EncoderKind.Lstm"/> or <see cref="EncoderKind.Transformer"/>).
        /// </summary>
        LstmAutoregressive,
    }

    /// <summary>Defaults shared by the short catalog overload and <see cref="Options"/>.</summary>
    public static class Defaults
    {
        /// <summary>Latent size.</summary>
        public const int LatentSize = 32;
        /// <summary>Encoder hidden sizes.</summary>
        public static IReadOnlyList<int> EncoderHiddenSizes { get; } = [128];
        /// <summary>Training epochs.</summary>
        public const int Epochs = 20;
        /// <summary>Mini-batch size.</summary>
        public const int BatchSize = 64;
        /// <summary>Adam learning rate.</summary>
        public const double LearningRate = 2e-3;
        /// <summary>KL annealing schedule.</summary>
        public const KlAnnealing Annealing = KlAnnealing.Linear;
        /// <summary>Steps to reach full KL weight.</summary>
        public const int AnnealingSteps = 200;
        /// <summary>Largest vocabulary kept (most frequent words).</summary>
        public const int MaxVocabularySize = 10_000;
        /// <summary>Words in fewer documents are dropped.</summary>
        public const int MinDocumentFrequency = 1;
        /// <summary>Words in a larger fraction of documents are dropped.</summary>
        public const double MaxDocumentFrequency = 1.0;
        /// <summary>Encoder family.</summary>
        public const EncoderKind Encoder = EncoderKind.BagOfWords;
        /// <summary>Decoder.</summary>
        public const DecoderKind Decoder = DecoderKind.BagOfWords;
        /// <summary>Tokens a sequence encoder reads per document (longer documents are cut).</summary>
        public const int MaxSequenceLength = 128;
        /// <summary>Token embedding width of the sequence encoders (the Transformer's model width).</summary>
        public const int EmbeddingSize = 128;
        /// <summary>LSTM encoder hidden width.</summary>
        public const int SequenceHiddenSize = 256;
        /// <summary>Transformer encoder blocks.</summary>
        public const int TransformerLayers = 2;
        /// <summary>Transformer attention heads.</summary>
        public const int AttentionHeads = 4;
        /// <summary>Transformer position-wise feed-forward width.</summary>
        public const int FeedForwardSize = 256;
        /// <summary>LSTM decoder hidden width.</summary>
        public const int DecoderHiddenSize = 256;
        /// <summary>LSTM decoder word dropout (Bowman et al. 2016 found values around 0.25–0.5 keep z in use).</summary>
        public const double WordDropout = 0.25;
        /// <summary>Free bits per latent dimension (0 = off).</summary>
        public const double FreeBits = 0;
    }

    /// <summary>All settings of the VAE step.</summary>
    public sealed class Options
    {
        /// <summary>Output column of latent means (vector of <see cref="LatentSize"/> Single).</summary>
        public string OutputColumnName { get; set; } = "Latent";
        /// <summary>Input text column (default: same as output).</summary>
        public string? InputColumnName { get; set; }
        /// <summary>Optional output column for the log-variances (vector of <see cref="LatentSize"/> Single).</summary>
        public string? LogVarianceColumnName { get; set; }
        /// <summary>Optional output column for the reconstruction error plus KL (negative ELBO at the mean; Single).</summary>
        public string? ReconstructionErrorColumnName { get; set; }
        /// <summary>Encoder family.</summary>
        public EncoderKind Encoder { get; set; } = Defaults.Encoder;
        /// <summary>Decoder (<see cref="DecoderKind.LstmAutoregressive"/> needs a sequence encoder).</summary>
        public DecoderKind Decoder { get; set; } = Defaults.Decoder;
        /// <summary>Sequence encoders: tokens read per document (&gt; 0; longer documents are cut).</summary>
        public int MaxSequenceLength { get; set; } = Defaults.MaxSequenceLength;
        /// <summary>Sequence encoders: token embedding width (&gt; 0; the Transformer's model width, divisible by <see cref="AttentionHeads"/>).</summary>
        public int EmbeddingSize { get; set; } = Defaults.EmbeddingSize;
        /// <summary>LSTM encoder: hidden width (&gt; 0).</summary>
        public int SequenceHiddenSize { get; set; } = Defaults.SequenceHiddenSize;
        /// <summary>Transformer encoder: number of blocks (&gt; 0).</summary>
        public int TransformerLayers { get; set; } = Defaults.TransformerLayers;
        /// <summary>Transformer encoder: attention heads (&gt; 0, divides <see cref="EmbeddingSize"/>).</summary>
        public int AttentionHeads { get; set; } = Defaults.AttentionHeads;
        /// <summary>Transformer encoder: feed-forward width (&gt; 0).</summary>
        public int FeedForwardSize { get; set; } = Defaults.FeedForwardSize;
        /// <summary>LSTM decoder: hidden width (&gt; 0).</summary>
        public int DecoderHiddenSize { get; set; } = Defaults.DecoderHiddenSize;
        /// <summary>LSTM decoder: probability in [0, 1) of replacing a teacher-forced input word by the unknown token in training.</summary>
        public double WordDropout { get; set; } = Defaults.WordDropout;
        /// <summary>
        /// Report the active latent units after each epoch (<see cref="VaeEpochReport.ActiveUnits"/> in the progress
        /// events; one extra encoding pass per epoch). Off by default.
        /// </summary>
        public bool TrackActiveUnits { get; set; }
        /// <summary>Free bits λ ≥ 0: the batch-mean KL of each latent dimension is floored at λ nats (against posterior collapse; 0 = off).</summary>
        public double FreeBits { get; set; } = Defaults.FreeBits;
        /// <summary>Latent size.</summary>
        public int LatentSize { get; set; } = Defaults.LatentSize;
        /// <summary>Bag-of-words encoder hidden layer sizes.</summary>
        public IReadOnlyList<int> EncoderHiddenSizes { get; set; } = Defaults.EncoderHiddenSizes;
        /// <summary>Epochs.</summary>
        public int Epochs { get; set; } = Defaults.Epochs;
        /// <summary>Mini-batch size.</summary>
        public int BatchSize { get; set; } = Defaults.BatchSize;
        /// <summary>Learning rate.</summary>
        public double LearningRate { get; set; } = Defaults.LearningRate;
        /// <summary>KL annealing schedule.</summary>
        public KlAnnealing Annealing { get; set; } = Defaults.Annealing;
        /// <summary>Annealing length in steps.</summary>
        public int AnnealingSteps { get; set; } = Defaults.AnnealingSteps;
        /// <summary>Vocabulary size limit.</summary>
        public int MaxVocabularySize { get; set; } = Defaults.MaxVocabularySize;
        /// <summary>Minimum document frequency.</summary>
        public int MinDocumentFrequency { get; set; } = Defaults.MinDocumentFrequency;
        /// <summary>Maximum document fraction.</summary>
        public double MaxDocumentFrequency { get; set; } = Defaults.MaxDocumentFrequency;
        /// <summary>Words left out of the VAE's vocabulary (e.g. <see cref="VaeText.Text.StopWords.English"/>); null keeps all.</summary>
        public IReadOnlySet<string>? StopWords { get; set; }
        /// <summary>Seed; null draws one from the context.</summary>
        public int? Seed { get; set; }
        /// <summary>Training threads (results depend on seed and thread count); 1 by default for reproducibility everywhere.</summary>
        public int MaxThreads { get; set; } = 1;
        /// <summary>Folder for VAE training checkpoints (null = none); see <see cref="VaeTrainingOptions.CheckpointDirectory"/>.</summary>
        public string? CheckpointDirectory { get; set; }
        /// <summary>Also checkpoint every this many optimisation steps (0 = at epoch ends and on cancellation only).</summary>
        public int CheckpointEveryBatches { get; set; }
        /// <summary>Resume VAE training from the checkpoint in <see cref="CheckpointDirectory"/> (bit-identical to an uninterrupted run).</summary>
        public bool Resume { get; set; }
        /// <summary>On a NaN/∞ loss, roll back to the epoch start and retry with half the learning rate, at most this many times (0 = stop with an error).</summary>
        public int DivergenceRetries { get; set; }
    }

    private readonly Options _o;
    private readonly int _seed;
    private readonly string _input;

    internal VaeLatentEstimator(Options options, int contextSeed)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentException.ThrowIfNullOrEmpty(options.OutputColumnName, nameof(options.OutputColumnName));
        if (options.LatentSize < 1) throw new ArgumentOutOfRangeException(nameof(options), options.LatentSize, "LatentSize must be positive");
        if (options.Epochs < 1) throw new ArgumentOutOfRangeException(nameof(options), options.Epochs, "Epochs must be positive");
        if (options.MaxVocabularySize < 1) throw new ArgumentOutOfRangeException(nameof(options), options.MaxVocabularySize, "MaxVocabularySize must be positive");
        if (!Enum.IsDefined(options.Encoder)) throw new ArgumentOutOfRangeException(nameof(options), options.Encoder, "unknown Encoder");
        if (!Enum.IsDefined(options.Decoder)) throw new ArgumentOutOfRangeException(nameof(options), options.Decoder, "unknown Decoder");
        if (options.Encoder != EncoderKind.BagOfWords)
        {
            static void Positive(int value, string name)
            {
                if (value < 1) throw new ArgumentOutOfRangeException(nameof(options), value, $"{name} must be positive, got {value}");
            }
            Positive(options.MaxSequenceLength, nameof(Options.MaxSequenceLength));
            Positive(options.EmbeddingSize, nameof(Options.EmbeddingSize));
            if (options.Encoder == EncoderKind.Lstm) Positive(options.SequenceHiddenSize, nameof(Options.SequenceHiddenSize));
            else
            {
                Positive(options.TransformerLayers, nameof(Options.TransformerLayers));
                Positive(options.AttentionHeads, nameof(Options.AttentionHeads));
                Positive(options.FeedForwardSize, nameof(Options.FeedForwardSize));
                if (options.EmbeddingSize % options.AttentionHeads != 0)
                    throw new ArgumentOutOfRangeException(nameof(options), options.AttentionHeads,
                        $"AttentionHeads ({options.AttentionHeads}) must divide EmbeddingSize ({options.EmbeddingSize}) for the Transformer encoder");
            }
        }
        if (options.Decoder == DecoderKind.LstmAutoregressive)
        {
            if (options.Encoder == EncoderKind.BagOfWords)
                throw new ArgumentOutOfRangeException(nameof(options), options.Decoder, "Decoder LstmAutoregressive needs a sequence encoder: set Encoder to Lstm or Transformer");
            if (options.DecoderHiddenSize < 1)
                throw new ArgumentOutOfRangeException(nameof(options), options.DecoderHiddenSize, $"DecoderHiddenSize must be positive, got {options.DecoderHiddenSize}");
            if (!(options.WordDropout >= 0 && options.WordDropout < 1))
                throw new ArgumentOutOfRangeException(nameof(options), options.WordDropout, $"WordDropout must be in [0, 1), got {options.WordDropout}");
        }
        if (!(options.FreeBits >= 0) || !double.IsFinite(options.FreeBits))
            throw new ArgumentOutOfRangeException(nameof(options), options.FreeBits, $"FreeBits must be a non-negative finite number, got {options.FreeBits}");
        _o = options; _seed = options.Seed ?? contextSeed; _input = options.InputColumnName ?? options.OutputColumnName;
    }

    /// <inheritdoc/>
    public SchemaShape GetOutputSchema(SchemaShape inputSchema)
    {
        ArgumentNullException.ThrowIfNull(inputSchema);
        if (!inputSchema.TryFindColumn(_input, out var c)) throw new ArgumentOutOfRangeException(nameof(inputSchema), _input, $"input column '{_input}' not found; it must be Text");
        if (!c.IsText) throw new ArgumentOutOfRangeException(nameof(inputSchema), _input, $"input column '{_input}' is {c}; it must be Text");
        var cols = inputSchema.ToList();
        cols.Add(new SchemaShape.Column(_o.OutputColumnName, SchemaShape.VectorKind.Vector, NumberDataViewType.Single, false, [AnnotationUtils.SlotNames]));
        if (_o.LogVarianceColumnName is { } lv) cols.Add(new SchemaShape.Column(lv, SchemaShape.VectorKind.Vector, NumberDataViewType.Single, false));
        if (_o.ReconstructionErrorColumnName is { } re) cols.Add(new SchemaShape.Column(re, SchemaShape.VectorKind.Scalar, NumberDataViewType.Single, false));
        return new SchemaShape(cols);
    }

    /// <inheritdoc/>
    public VaeLatentTransformer Fit(IDataView input) => Fit(input, null, null, CancellationToken.None);

    /// <summary>Fit with per-epoch and per-batch progress and cancellation (checked between batches).</summary>
    internal VaeLatentTransformer Fit(IDataView input, IProgress<VaeEpochReport>? progress, Action<VaeBatchReport>? onBatch, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(input);
        GetOutputSchema(SchemaShape.Create(input.Schema));
        var col = input.Schema[_input];
        var texts = new List<string>();
        using (var cur = input.GetRowCursor([col]))
        {
            var g = cur.GetGetter<ReadOnlyMemory<char>>(col);
            ReadOnlyMemory<char> v = default;
            while (cur.MoveNext()) { g(ref v); texts.Add(v.ToString()); }
        }
        if (texts.Count == 0) throw new InvalidOperationException($"column '{_input}' has no rows to train the VAE on");
        var tok = new TokenizerOptions();
        var vocabOptions = new VocabularyOptions { MaxSize = _o.MaxVocabularySize, MinDocumentFrequency = _o.MinDocumentFrequency, MaxDocumentFrequency = _o.MaxDocumentFrequency, StopWords = _o.StopWords };
        BagOfWords.Fit(texts, tok, vocabOptions, out var vocab, out var counts, maxThreads: _o.MaxThreads);
        var trainingOptions = new VaeTrainingOptions
        {
            Epochs = _o.Epochs, BatchSize = _o.BatchSize, LearningRate = _o.LearningRate, Annealing = _o.Annealing,
            AnnealingSteps = _o.AnnealingSteps, Seed = _seed, MaxThreads = _o.MaxThreads, FreeBits = _o.FreeBits,
            CheckpointDirectory = _o.CheckpointDirectory, CheckpointEveryBatches = _o.CheckpointEveryBatches, Resume = _o.Resume,
            DivergenceRetries = _o.DivergenceRetries, TrackActiveUnits = _o.TrackActiveUnits,
        };
        if (_o.Encoder != EncoderKind.BagOfWords) return FitSequence(texts, tok, vocab, counts, trainingOptions, progress, onBatch, cancellationToken);
        var modelOptions = new BowVaeOptions { VocabularySize = vocab.Count, LatentSize = _o.LatentSize, EncoderHiddenSizes = _o.EncoderHiddenSizes.ToArray(), Seed = _seed };
        var model = new BowVae(modelOptions, counts);
        var trainer = new VaeTrainer(trainingOptions);
        cancellationToken.ThrowIfCancellationRequested();
        trainer.Train(model, counts, progress, onBatch, cancellationToken);
        return new VaeLatentTransformer(_o.OutputColumnName, _input, _o.LogVarianceColumnName, _o.ReconstructionErrorColumnName, tok, vocab, model);
    }

    private VaeLatentTransformer FitSequence(List<string> texts, TokenizerOptions tok, Vocabulary vocab, CsrMatrix counts, VaeTrainingOptions training,
        IProgress<VaeEpochReport>? progress, Action<VaeBatchReport>? onBatch, CancellationToken cancellationToken)
    {
        var modelOptions = new SeqVaeOptions
        {
            VocabularySize = vocab.Count,
            Encoder = _o.Encoder == EncoderKind.Lstm ? SeqEncoderKind.Lstm : SeqEncoderKind.Transformer,
            MaxLength = _o.MaxSequenceLength, EmbeddingSize = _o.EmbeddingSize, HiddenSize = _o.SequenceHiddenSize,
            Layers = _o.TransformerLayers, Heads = _o.AttentionHeads, FeedForwardSize = _o.FeedForwardSize,
            LatentSize = _o.LatentSize, Seed = _seed,
            Decoder = _o.Decoder == DecoderKind.LstmAutoregressive ? SeqDecoderKind.Lstm : SeqDecoderKind.BagOfWords,
            DecoderHiddenSize = _o.DecoderHiddenSize, WordDropout = _o.WordDropout,
        };
        var model = new SeqVae(modelOptions, counts);
        var ids = SeqTokens.EncodeAll(texts, new Tokenizer(tok), vocab, _o.MaxSequenceLength);
        cancellationToken.ThrowIfCancellationRequested();
        new VaeTrainer(training).Train(model, ids, counts, progress, onBatch, cancellationToken);
        return new VaeLatentTransformer(_o.OutputColumnName, _input, _o.LogVarianceColumnName, _o.ReconstructionErrorColumnName, tok, vocab, model);
    }
}

/// <summary>
/// The fitted VAE step: maps each row's text to the latent mean (and optionally log-variance and reconstruction
/// error) as rows stream. Immutable; safe to use from many threads at once (each cursor encodes independently).
/// </summary>
[ModelLoader(LoaderSignature)]
public sealed class VaeLatentTransformer : RowToRowTransformerBase
{
    internal const string LoaderSignature = "VaeLatentTransformer";
    // Layout 1: bag-of-words model (still written for it, unchanged); layout 2: any encoder (written for sequence models).
    private static readonly VersionInfo s_bowVersion = new(LoaderSignature, 1, 1);
    private static readonly VersionInfo s_seqVersion = new(LoaderSignature, 2, 2);
    private static readonly VersionInfo s_readVersion = new(LoaderSignature, 2, 1);
    private readonly string _output, _input;
    private readonly string? _logVar, _recon;
    private readonly TokenizerOptions _tokOptions;
    private readonly Tokenizer _tokenizer;
    private readonly Vocabulary _vocab;
    private readonly BowVae? _model;
    private readonly SeqVae? _seq;

    internal VaeLatentTransformer(string output, string input, string? logVar, string? recon, TokenizerOptions tok, Vocabulary vocab, BowVae model)
        : this(output, input, logVar, recon, tok, vocab)
    {
        _model = model;
    }

    internal VaeLatentTransformer(string output, string input, string? logVar, string? recon, TokenizerOptions tok, Vocabulary vocab, SeqVae model)
        : this(output, input, logVar, recon, tok, vocab)
    {
        _seq = model;
    }

    private VaeLatentTransformer(string output, string input, string? logVar, string? recon, TokenizerOptions tok, Vocabulary vocab)
    {
        _output = output; _input = input; _logVar = logVar; _recon = recon;
        _tokOptions = tok; _tokenizer = new Tokenizer(tok); _vocab = vocab;
    }

    /// <summary>The latent size (length of the output vector).</summary>
    public int LatentSize => _model?.LatentSize ?? _seq!.LatentSize;
    /// <summary>The VAE's vocabulary size.</summary>
    public int VocabularySize => _vocab.Count;
    /// <summary>The encoder family of the trained VAE.</summary>
    public VaeLatentEstimator.EncoderKind Encoder => _seq is null ? VaeLatentEstimator.EncoderKind.BagOfWords
        : _seq.Options.Encoder == SeqEncoderKind.Lstm ? VaeLatentEstimator.EncoderKind.Lstm : VaeLatentEstimator.EncoderKind.Transformer;
    /// <summary>The decoder of the trained VAE.</summary>
    public VaeLatentEstimator.DecoderKind Decoder => _seq is { CanGenerate: true }
        ? VaeLatentEstimator.DecoderKind.LstmAutoregressive : VaeLatentEstimator.DecoderKind.BagOfWords;

    /// <summary>True when the VAE has the autoregressive LSTM decoder, so it can write text (<see cref="Sample"/>, <see cref="Reconstruct"/>, <see cref="Interpolate"/>).</summary>
    public bool CanGenerate => _seq is { CanGenerate: true };

    private SeqVae Generator => _seq is { CanGenerate: true } s ? s
        : throw new InvalidOperationException($"this VAE (encoder {Encoder}, decoder {Decoder}) cannot write text: train it with Decoder = LstmAutoregressive and an Lstm or Transformer encoder");

    /// <summary>
    /// Writes <paramref name="count"/> texts from latent codes drawn from the prior N(0, I): greedy decoding when
    /// <paramref name="temperature"/> is 0, else sampling from softmax(logits / temperature). Deterministic for a seed.
    /// </summary>
    /// <exception cref="InvalidOperationException">The VAE has no LSTM decoder (<see cref="CanGenerate"/> is false).</exception>
    public IReadOnlyList<string> Sample(int count, double temperature = 1.0, int seed = 1)
    {
        var g = Generator;
        if (count < 0) throw new ArgumentOutOfRangeException(nameof(count), count, "count must be non-negative");
        if (!(temperature >= 0) || !double.IsFinite(temperature)) throw new ArgumentOutOfRangeException(nameof(temperature), temperature, "temperature must be a finite number >= 0 (0 = greedy)");
        var rng = new Core.Rng(seed);
        var z = new float[g.LatentSize];
        var result = new string[count];
        for (int i = 0; i < count; i++)
        {
            for (int j = 0; j < z.Length; j++) z[j] = (float)rng.NextGaussian();
            result[i] = ToText(g.Decode(z, temperature, temperature > 0 ? rng : null));
        }
        return result;
    }

    /// <summary>
    /// Encodes <paramref name="text"/> to its posterior mean and decodes it back (greedy when <paramref name="temperature"/>
    /// is 0): what the VAE remembers of the text.
    /// </summary>
    /// <exception cref="InvalidOperationException">The VAE has no LSTM decoder.</exception>
    public string Reconstruct(string text, double temperature = 0, int seed = 1)
    {
        var g = Generator;
        ArgumentNullException.ThrowIfNull(text);
        if (!(temperature >= 0) || !double.IsFinite(temperature)) throw new ArgumentOutOfRangeException(nameof(temperature), temperature, "temperature must be a finite number >= 0 (0 = greedy)");
        var mean = EncodeMeans([text]);
        return ToText(g.Decode(mean, temperature, temperature > 0 ? new Core.Rng(seed) : null));
    }

    /// <summary>
    /// Greedy decodings of <paramref name="steps"/> + 1 evenly spaced points on the line between the posterior means
    /// of <paramref name="from"/> and <paramref name="to"/> (first = from's, last = to's).
    /// </summary>
    /// <exception cref="InvalidOperationException">The VAE has no LSTM decoder.</exception>
    public IReadOnlyList<string> Interpolate(string from, string to, int steps = 5)
    {
        var g = Generator;
        ArgumentNullException.ThrowIfNull(from); ArgumentNullException.ThrowIfNull(to);
        if (steps < 1) throw new ArgumentOutOfRangeException(nameof(steps), steps, "steps must be at least 1");
        var m = EncodeMeans([from, to]);
        int l = g.LatentSize;
        var z = new float[l];
        var result = new string[steps + 1];
        for (int k = 0; k <= steps; k++)
        {
            float a = (float)k / steps;
            for (int j = 0; j < l; j++) z[j] = (1 - a) * m[j] + a * m[l + j];
            result[k] = ToText(g.Decode(z));
        }
        return result;
    }

    /// <summary>
    /// The VAE step inside a fitted model: <paramref name="model"/> itself, or the last one found in a transformer
    /// chain (searched recursively, for example a model loaded from a zip); null when there is none.
    /// </summary>
    public static VaeLatentTransformer? Find(ITransformer model)
    {
        ArgumentNullException.ThrowIfNull(model);
        if (model is VaeLatentTransformer v) return v;
        if (model is IEnumerable<ITransformer> chain)
        {
            VaeLatentTransformer? found = null;
            foreach (var t in chain) found = Find(t) ?? found;
            return found;
        }
        return null;
    }

    private string ToText(int[] ids) => string.Join(' ', ids.Select(id => id >= 2 ? _vocab[id - 2] : "<unk>"));

    /// <summary>The sequence VAE (null for a bag-of-words model).</summary>
    internal SeqVae? SequenceModel => _seq;
    internal Tokenizer Tokenizer => _tokenizer;
    internal Vocabulary Vocabulary => _vocab;

    /// <summary>The text column read.</summary>
    public string InputColumnName => _input;

    /// <summary>The latent-mean column written.</summary>
    public string OutputColumnName => _output;

    /// <summary>
    /// The <paramref name="count"/> words with the largest decoder weight of each latent dimension ([LatentSize][≤ count]).
    /// With the LSTM decoder (no per-word weight), the words whose first-word log-probability rises most when z moves
    /// from 0 to one unit along that dimension.
    /// </summary>
    public IReadOnlyList<IReadOnlyList<string>> TopWords(int count)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(count, 1);
        // The bag-of-words decoders: weight [VocabularySize, LatentSize]; the LSTM decoder: the same shape of first-word effects.
        var w = _model is not null ? _model.Network.Store.Value(_model.Network.Head.Decoder.Weight).ToArray()
              : _seq!.CanGenerate ? _seq.FirstWordEffects()
              : _seq.Network.Store.Value(_seq.Network.Head.Decoder.Weight).ToArray();
        int l = LatentSize, v = _vocab.Count;
        var result = new List<IReadOnlyList<string>>(l);
        for (int d = 0; d < l; d++)
        {
            var ids = Enumerable.Range(0, v).ToArray();
            var keys = new float[v];
            for (int i = 0; i < v; i++) keys[i] = w[i * l + d];
            Array.Sort(ids, (a, b) => { int c = keys[b].CompareTo(keys[a]); return c != 0 ? c : a.CompareTo(b); });
            result.Add(ids.Take(count).Select(id => _vocab[id]).ToList());
        }
        return result;
    }

    /// <summary>Encodes texts in one batch into row-major latent means [texts.Count, LatentSize].</summary>
    public float[] EncodeMeans(IReadOnlyList<string> texts, int maxThreads = 1)
    {
        ArgumentNullException.ThrowIfNull(texts);
        if (_seq is not null)
        {
            for (int i = 0; i < texts.Count; i++) if (texts[i] is null) throw new ArgumentException($"text {i} is null", nameof(texts));
            return _seq.Encode(SeqTokens.EncodeAll(texts, _tokenizer, _vocab, _seq.Options.MaxLength), maxThreads);
        }
        return _model!.Encode(BagOfWords.Build(texts, _tokenizer, _vocab, maxThreads), maxThreads);
    }

    /// <inheritdoc/>
    protected internal override RowMapper MakeRowMapper(DataViewSchema inputSchema) => new Mapper(this, inputSchema);

    private sealed class Mapper : RowMapper
    {
        private readonly VaeLatentTransformer _t;
        private readonly DataViewSchema.Column _in;
        public Mapper(VaeLatentTransformer t, DataViewSchema s) : base(s)
        {
            _t = t;
            _in = FindInput(s, t._input, "Text", ty => ty is TextDataViewType);
            int l = t.LatentSize;
            var names = AnnotationUtils.TextVector(Enumerable.Range(0, l).Select(i => $"z{i}").ToArray());
            var cols = new List<OutputColumn> { new(t._output, new VectorDataViewType(NumberDataViewType.Single, l), new DataViewSchema.Annotations.Builder().AddSlotNames(names).ToAnnotations()) };
            if (t._logVar is not null) cols.Add(new(t._logVar, new VectorDataViewType(NumberDataViewType.Single, l), DataViewSchema.Annotations.Empty));
            if (t._recon is not null) cols.Add(new(t._recon, NumberDataViewType.Single, DataViewSchema.Annotations.Empty));
            OutputColumns = cols;
        }
        public override IReadOnlyList<OutputColumn> OutputColumns { get; }
        public override IEnumerable<DataViewSchema.Column> GetDependencies(Func<int, bool> active) =>
            Enumerable.Range(0, OutputColumns.Count).Any(active) ? [_in] : [];

        public override Delegate?[] CreateGetters(DataViewRow input, Func<int, bool> active)
        {
            var g = input.GetGetter<ReadOnlyMemory<char>>(_in);
            var t = _t;
            int l = t.LatentSize;
            bool detailed = t._logVar is not null && active(1) || t._recon is not null && active(OutputColumns.Count - 1);
            long cached = -2;
            float[] mean = [], logVar = [];
            float score = 0;
            ReadOnlyMemory<char> text = default;
            string[] one = new string[1];
            var session = t._seq?.CreateSession();
            void Compute()
            {
                if (input.Position == cached) return;
                g(ref text);
                one[0] = text.ToString();
                if (t._seq is { } seq)
                {
                    var ids = SeqTokens.Encode(one[0], t._tokenizer, t._vocab, seq.Options.MaxLength);
                    mean = new float[l]; logVar = new float[l];
                    seq.EncodeOne(ids, session!, mean, logVar);
                    if (detailed) score = (float)seq.NegativeElboAtMean(BagOfWords.Build(one, t._tokenizer, t._vocab, 1), ids, mean, logVar, session!);
                    cached = input.Position;
                    return;
                }
                var docs = BagOfWords.Build(one, t._tokenizer, t._vocab, 1);
                if (detailed)
                {
                    var e = t._model!.EncodeDetailed(docs, 1);
                    mean = e.Means; logVar = e.LogVariances; score = (float)e.NegativeElbo(0);
                }
                else mean = t._model!.Encode(docs, 1);
                cached = input.Position;
            }
            var r = new Delegate?[OutputColumns.Count];
            if (active(0)) r[0] = (ValueGetter<VBuffer<float>>)((ref VBuffer<float> v) => { Compute(); v = new VBuffer<float>(l, mean); });
            int k = 1;
            if (t._logVar is not null) { if (active(k)) r[k] = (ValueGetter<VBuffer<float>>)((ref VBuffer<float> v) => { Compute(); v = new VBuffer<float>(l, logVar); }); k++; }
            if (t._recon is not null && active(k)) r[k] = (ValueGetter<float>)((ref float v) => { Compute(); v = score; });
            return r;
        }
    }

    // Layout 1 (bag-of-words encoder; written for it unchanged):
    //   [string output][string input][string logVar or ""][string recon or ""]
    //   [tokenizer: bool lowerCase, bool nfkc, bool splitCjk, bool cjkBigrams, bool keepMarks, int32 minTokenLength]
    //   [bytes vocabulary (Vocabulary.WriteTo)]
    //   [model: int32 vocab, ints hidden, int32 activation, int32 latent, double dropout, double lvMin, double lvMax, int32 seed]
    //   [floats parameters]
    // Layout 2 (sequence encoders): the same four strings, then int32 encoder kind (1 = Lstm, 2 = Transformer), the
    //   tokenizer and vocabulary as in layout 1, then [bytes SeqVaeSerializer form (its own signature and version)].
    /// <inheritdoc/>
    public override void Save(ModelSaveContext ctx)
    {
        ctx.SetVersionInfo(_seq is null ? s_bowVersion : s_seqVersion);
        var w = ctx.Writer;
        w.Write(_output); w.Write(_input); w.Write(_logVar ?? ""); w.Write(_recon ?? "");
        if (_seq is not null) w.Write((int)Encoder);
        w.Write(_tokOptions.LowerCase); w.Write(_tokOptions.NormalizeNfkc); w.Write(_tokOptions.SplitCjk);
        w.Write(_tokOptions.CjkBigrams); w.Write(_tokOptions.KeepCombiningMarks); w.Write(_tokOptions.MinTokenLength);
        var vs = new MemoryStream();
        using (var bw = new BinaryWriter(vs, System.Text.Encoding.UTF8, leaveOpen: true)) _vocab.WriteTo(bw);
        ctx.WriteBytes(vs.ToArray());
        if (_seq is not null)
        {
            var ms = new MemoryStream();
            SeqVaeSerializer.Save(_seq, ms);
            ctx.WriteBytes(ms.ToArray());
            return;
        }
        var o = _model!.Options;
        w.Write(o.VocabularySize); ctx.WriteInts(o.EncoderHiddenSizes.ToArray()); w.Write((int)o.Activation); w.Write(o.LatentSize);
        w.Write(o.EncoderDropout); w.Write(o.LogVarianceMin); w.Write(o.LogVarianceMax); w.Write(o.Seed);
        ctx.WriteSingles(_model.GetParameters());
    }

    private static VaeLatentTransformer Load(ModelLoadContext ctx)
    {
        ctx.CheckVersion(s_readVersion);
        var r = ctx.Reader;
        string output = ctx.ReadString(), input = ctx.ReadString(), lv = ctx.ReadString(), re = ctx.ReadString();
        ctx.CheckDecode(output.Length > 0 && input.Length > 0, "empty column name");
        var kind = VaeLatentEstimator.EncoderKind.BagOfWords;
        if (ctx.Version >= 2)
        {
            kind = (VaeLatentEstimator.EncoderKind)ctx.ReadInt32(1, 2, "encoder kind");
        }
        var tok = new TokenizerOptions
        {
            LowerCase = r.ReadBoolean(), NormalizeNfkc = r.ReadBoolean(), SplitCjk = r.ReadBoolean(),
            CjkBigrams = r.ReadBoolean(), KeepCombiningMarks = r.ReadBoolean(), MinTokenLength = ctx.ReadInt32(1, 1000, "min token length"),
        };
        var vbytes = ctx.ReadBytes("vocabulary");
        Vocabulary vocab;
        using (var br = new BinaryReader(new MemoryStream(vbytes))) vocab = Vocabulary.ReadFrom(br);
        if (kind != VaeLatentEstimator.EncoderKind.BagOfWords)
        {
            var mbytes = ctx.ReadBytes("sequence VAE");
            SeqVae seq;
            try { seq = SeqVaeSerializer.Load(new MemoryStream(mbytes)); }
            catch (InvalidDataException e) { throw new InvalidDataException($"model entry '{ctx.EntryName}': {e.Message}", e); }
            ctx.CheckDecode(seq.Options.VocabularySize == vocab.Count, $"sequence VAE vocabulary size {seq.Options.VocabularySize} differs from the stored vocabulary ({vocab.Count})");
            var expected = kind == VaeLatentEstimator.EncoderKind.Lstm ? SeqEncoderKind.Lstm : SeqEncoderKind.Transformer;
            ctx.CheckDecode(seq.Options.Encoder == expected, $"encoder kind {kind} differs from the stored model's {seq.Options.Encoder}");
            return new VaeLatentTransformer(output, input, lv.Length > 0 ? lv : null, re.Length > 0 ? re : null, tok, vocab, seq);
        }
        int vsize = ctx.ReadInt32(1, int.MaxValue, "vocabulary size");
        ctx.CheckDecode(vsize == vocab.Count, $"model vocabulary size {vsize} differs from the stored vocabulary ({vocab.Count})");
        var hidden = ctx.ReadInts("hidden sizes");
        var o = new BowVaeOptions
        {
            VocabularySize = vsize, EncoderHiddenSizes = hidden, Activation = (Nn.Activation)r.ReadInt32(), LatentSize = ctx.ReadInt32(1, 1 << 16, "latent size"),
            EncoderDropout = r.ReadDouble(), LogVarianceMin = r.ReadDouble(), LogVarianceMax = r.ReadDouble(), Seed = r.ReadInt32(),
        };
        try { o.Validate(); }
        catch (ArgumentException e) { throw new InvalidDataException($"model entry '{ctx.EntryName}': invalid VAE options: {e.Message}", e); }
        // Check the stored count against the architecture before building it (a corrupt width must not allocate).
        var p = ctx.ReadSingles("parameters");
        long needed = BowVae.CountParameters(o);
        ctx.CheckDecode(p.Length == needed, $"{p.Length} parameters, the architecture needs {needed}");
        var model = new BowVae(o);
        model.SetParameters(p);
        return new VaeLatentTransformer(output, input, lv.Length > 0 ? lv : null, re.Length > 0 ? re : null, tok, vocab, model);
    }
}
