using VaeText.Models;
using VaeText.Text;
using VaeText.Training;

namespace VaeText.MLNet;

using Microsoft.ML;
using Microsoft.ML.Data;

/// <summary>
/// Trains a variational autoencoder of text (bag-of-words, LSTM or Transformer encoder; <see cref="Options.Encoder"/>)
/// on one or more text columns and adds its latent mean as a feature vector — the VAE step of an ML.NET pipeline.
/// <see cref="Fit"/> reads only the input text columns (held in memory once: the VAE needs several epochs over them),
/// trains with the VaeText engine (<see cref="TextVae.Train"/>), and returns a <see cref="VaeLatentTransformer"/>
/// made of ML.NET's own saveable parts (a tokenizer mapping, the vocabulary as a key mapping, the encoder as an ONNX
/// model), so <c>mlContext.Model.Save</c> / <c>Load</c> work unchanged.
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
        /// Lets the fitted step write text (<see cref="VaeLatentTransformer.Sample"/>).
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
        /// <summary>
        /// Seed of the VAE's initialisation and batch order. Fixed: ML.NET keeps the MLContext's seed internal, so an
        /// add-on cannot draw from it; set <see cref="Options.Seed"/> for another run.
        /// </summary>
        public const int Seed = 1;
        /// <summary>Threads for training and encoding: 0 = all cores (results do not depend on it).</summary>
        public const int MaxThreads = 0;
    }

    /// <summary>All settings of the VAE step (column names are given to the catalog method).</summary>
    public sealed class Options
    {
        /// <summary>Optional output column for the log-variances (known-size vector of <see cref="LatentSize"/> Single).</summary>
        public string? LogVarianceColumnName { get; set; }
        /// <summary>Optional output column for the reconstruction error plus KL (negative ELBO at the mean; Single): an anomaly score.</summary>
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
        /// <summary>Latent size (&gt; 0): the length of the output vector.</summary>
        public int LatentSize { get; set; } = Defaults.LatentSize;
        /// <summary>Bag-of-words encoder hidden layer sizes.</summary>
        public IReadOnlyList<int> EncoderHiddenSizes { get; set; } = Defaults.EncoderHiddenSizes;
        /// <summary>Epochs (&gt; 0).</summary>
        public int Epochs { get; set; } = Defaults.Epochs;
        /// <summary>Mini-batch size (&gt; 0).</summary>
        public int BatchSize { get; set; } = Defaults.BatchSize;
        /// <summary>Adam learning rate (&gt; 0).</summary>
        public double LearningRate { get; set; } = Defaults.LearningRate;
        /// <summary>KL annealing schedule.</summary>
        public KlAnnealing Annealing { get; set; } = Defaults.Annealing;
        /// <summary>Annealing length in steps.</summary>
        public int AnnealingSteps { get; set; } = Defaults.AnnealingSteps;
        /// <summary>Vocabulary size limit (most frequent words by document frequency).</summary>
        public int MaxVocabularySize { get; set; } = Defaults.MaxVocabularySize;
        /// <summary>Minimum document frequency.</summary>
        public int MinDocumentFrequency { get; set; } = Defaults.MinDocumentFrequency;
        /// <summary>Maximum document fraction.</summary>
        public double MaxDocumentFrequency { get; set; } = Defaults.MaxDocumentFrequency;
        /// <summary>Words left out of the VAE's vocabulary (e.g. <see cref="VaeText.Text.StopWords.English"/>); null keeps all.</summary>
        public IReadOnlySet<string>? StopWords { get; set; }
        /// <summary>Seed of initialisation and batch order (see <see cref="Defaults.Seed"/>).</summary>
        public int Seed { get; set; } = Defaults.Seed;
        /// <summary>Threads for training and encoding (0 = all cores, the default; results do not depend on it).</summary>
        public int MaxThreads { get; set; } = Defaults.MaxThreads;
        /// <summary>Folder for VAE training checkpoints (null = none); see <see cref="VaeTrainingOptions.CheckpointDirectory"/>.</summary>
        public string? CheckpointDirectory { get; set; }
        /// <summary>Also checkpoint every this many optimisation steps (0 = at epoch ends and on cancellation only).</summary>
        public int CheckpointEveryBatches { get; set; }
        /// <summary>Write the epoch-end checkpoint after the last epoch only; see <see cref="VaeTrainingOptions.CheckpointLastEpochOnly"/>.</summary>
        public bool CheckpointLastEpochOnly { get; set; }
        /// <summary>Resume VAE training from the checkpoint in <see cref="CheckpointDirectory"/> (bit-identical to an uninterrupted run).</summary>
        public bool Resume { get; set; }
        /// <summary>On a NaN/∞ loss, roll back to the epoch start and retry with half the learning rate, at most this many times (0 = stop with an error).</summary>
        public int DivergenceRetries { get; set; }
        /// <summary>Runtime only (not saved; internal): texts tokenized by earlier fits on the same corpus (comparison runs).</summary>
        internal BagOfWordsCache? Cache { get; set; }
        /// <summary>Runtime only (not saved): one report per training epoch.</summary>
        public IProgress<VaeEpochReport>? Progress { get; set; }
        /// <summary>Runtime only (not saved): called after every optimisation step.</summary>
        public Action<VaeBatchReport>? BatchProgress { get; set; }
        /// <summary>Runtime only (not saved): cancels training between batches (<see cref="OperationCanceledException"/>).</summary>
        public CancellationToken CancellationToken { get; set; }

        internal Options Clone()
        {
            var c = (Options)MemberwiseClone();
            c.EncoderHiddenSizes = EncoderHiddenSizes?.ToArray() ?? [];
            return c;
        }
    }

    private readonly Options _o;
    private readonly string _output;
    private readonly string[] _inputs;

    /// <summary>Creates the estimator (prefer <c>mlContext.Transforms.VaeLatent(...)</c>).</summary>
    /// <param name="outputColumnName">Output column: known-size vector of <see cref="Options.LatentSize"/> Single.</param>
    /// <param name="inputColumnNames">Input columns of type Text (at least one; read as one document, joined with a space).</param>
    /// <param name="options">Settings (null = defaults); copied.</param>
    /// <exception cref="ArgumentException">A column name is empty or repeated, or a setting is out of range (the message names it).</exception>
    public VaeLatentEstimator(string outputColumnName, IReadOnlyList<string> inputColumnNames, Options? options = null)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(outputColumnName);
        ArgumentNullException.ThrowIfNull(inputColumnNames);
        if (inputColumnNames.Count == 0) throw new ArgumentException("at least one input text column is needed", nameof(inputColumnNames));
        for (int i = 0; i < inputColumnNames.Count; i++)
            if (string.IsNullOrWhiteSpace(inputColumnNames[i])) throw new ArgumentException($"input column name {i} is null or empty", nameof(inputColumnNames));
        options = (options ?? new Options()).Clone();
        Validate(options);
        var extra = new[] { options.LogVarianceColumnName, options.ReconstructionErrorColumnName }.Where(n => n is not null).ToList();
        if (extra.Any(string.IsNullOrWhiteSpace)) throw new ArgumentException("LogVarianceColumnName / ReconstructionErrorColumnName must be null or a non-empty name", nameof(options));
        var outs = new List<string> { outputColumnName };
        outs.AddRange(extra!);
        if (outs.Distinct(StringComparer.Ordinal).Count() != outs.Count)
            throw new ArgumentException($"the output columns must have different names, got {string.Join(", ", outs.Select(n => $"'{n}'"))}", nameof(options));
        _o = options;
        _output = outputColumnName;
        _inputs = inputColumnNames.ToArray();
    }

    /// <summary>The latent-mean column written.</summary>
    public string OutputColumnName => _output;
    /// <summary>The text columns read.</summary>
    public IReadOnlyList<string> InputColumnNames => _inputs;

    private static void Validate(Options o)
    {
        static void Positive(int value, string name)
        {
            if (value < 1) throw new ArgumentOutOfRangeException(nameof(Options) + "." + name, value, $"{name} must be positive, got {value}");
        }
        Positive(o.LatentSize, nameof(Options.LatentSize));
        Positive(o.Epochs, nameof(Options.Epochs));
        Positive(o.BatchSize, nameof(Options.BatchSize));
        Positive(o.MaxVocabularySize, nameof(Options.MaxVocabularySize));
        if (o.MaxThreads < 0) throw new ArgumentOutOfRangeException("Options.MaxThreads", o.MaxThreads, $"MaxThreads must be 0 (all cores) or positive, got {o.MaxThreads}");
        if (!Enum.IsDefined(o.Encoder)) throw new ArgumentOutOfRangeException("Options.Encoder", o.Encoder, "unknown Encoder");
        if (!Enum.IsDefined(o.Decoder)) throw new ArgumentOutOfRangeException("Options.Decoder", o.Decoder, "unknown Decoder");
        if (!(o.LearningRate > 0) || !double.IsFinite(o.LearningRate))
            throw new ArgumentOutOfRangeException("Options.LearningRate", o.LearningRate, $"LearningRate must be a positive finite number, got {o.LearningRate}");
        if (o.Encoder == EncoderKind.BagOfWords)
        {
            if (o.EncoderHiddenSizes is null || o.EncoderHiddenSizes.Count == 0 || o.EncoderHiddenSizes.Any(h => h < 1))
                throw new ArgumentOutOfRangeException("Options.EncoderHiddenSizes", "EncoderHiddenSizes must hold at least one positive width");
        }
        else
        {
            Positive(o.MaxSequenceLength, nameof(Options.MaxSequenceLength));
            Positive(o.EmbeddingSize, nameof(Options.EmbeddingSize));
            if (o.Encoder == EncoderKind.Lstm) Positive(o.SequenceHiddenSize, nameof(Options.SequenceHiddenSize));
            else
            {
                Positive(o.TransformerLayers, nameof(Options.TransformerLayers));
                Positive(o.AttentionHeads, nameof(Options.AttentionHeads));
                Positive(o.FeedForwardSize, nameof(Options.FeedForwardSize));
                if (o.EmbeddingSize % o.AttentionHeads != 0)
                    throw new ArgumentOutOfRangeException("Options.AttentionHeads", o.AttentionHeads,
                        $"AttentionHeads ({o.AttentionHeads}) must divide EmbeddingSize ({o.EmbeddingSize}) for the Transformer encoder");
            }
        }
        if (o.Decoder == DecoderKind.LstmAutoregressive)
        {
            if (o.Encoder == EncoderKind.BagOfWords)
                throw new ArgumentOutOfRangeException("Options.Decoder", o.Decoder, "Decoder LstmAutoregressive needs a sequence encoder: set Encoder to Lstm or Transformer");
            Positive(o.DecoderHiddenSize, nameof(Options.DecoderHiddenSize));
            if (!(o.WordDropout >= 0 && o.WordDropout < 1))
                throw new ArgumentOutOfRangeException("Options.WordDropout", o.WordDropout, $"WordDropout must be in [0, 1), got {o.WordDropout}");
        }
        if (!(o.FreeBits >= 0) || !double.IsFinite(o.FreeBits))
            throw new ArgumentOutOfRangeException("Options.FreeBits", o.FreeBits, $"FreeBits must be a non-negative finite number, got {o.FreeBits}");
        // The engine's own checks (vocabulary limits, training settings) run here too, so Fit fails only on data.
        ToEngineOptions(o).Training.Validate();
        ToEngineOptions(o).Vocabulary.Validate();
    }

    internal static TextVaeOptions ToEngineOptions(Options o)
    {
        var training = new VaeTrainingOptions
        {
            Epochs = o.Epochs, BatchSize = o.BatchSize, LearningRate = o.LearningRate, Annealing = o.Annealing,
            AnnealingSteps = o.AnnealingSteps, Seed = o.Seed, MaxThreads = o.MaxThreads, FreeBits = o.FreeBits,
            CheckpointDirectory = o.CheckpointDirectory, CheckpointEveryBatches = o.CheckpointEveryBatches, CheckpointLastEpochOnly = o.CheckpointLastEpochOnly, Resume = o.Resume,
            DivergenceRetries = o.DivergenceRetries, TrackActiveUnits = o.TrackActiveUnits,
        };
        var vocabulary = new VocabularyOptions
        {
            MaxSize = o.MaxVocabularySize, MinDocumentFrequency = o.MinDocumentFrequency, MaxDocumentFrequency = o.MaxDocumentFrequency, StopWords = o.StopWords,
        };
        var result = new TextVaeOptions
        {
            Tokenizer = VaeTokenizerMappingFactory.TokenizerOptions,
            Vocabulary = vocabulary,
            Training = training,
            Model = new BowVaeOptions { LatentSize = o.LatentSize, EncoderHiddenSizes = (o.EncoderHiddenSizes ?? []).ToArray(), Seed = o.Seed },
            Cache = o.Cache,
        };
        if (o.Encoder != EncoderKind.BagOfWords)
        {
            result.Sequence = new SeqVaeOptions
            {
                Encoder = o.Encoder == EncoderKind.Lstm ? SeqEncoderKind.Lstm : SeqEncoderKind.Transformer,
                MaxLength = o.MaxSequenceLength, EmbeddingSize = o.EmbeddingSize, HiddenSize = o.SequenceHiddenSize,
                Layers = o.TransformerLayers, Heads = o.AttentionHeads, FeedForwardSize = o.FeedForwardSize,
                LatentSize = o.LatentSize, Seed = o.Seed,
                Decoder = o.Decoder == DecoderKind.LstmAutoregressive ? SeqDecoderKind.Lstm : SeqDecoderKind.BagOfWords,
                DecoderHiddenSize = o.DecoderHiddenSize, WordDropout = o.WordDropout,
            };
        }
        return result;
    }

    /// <summary>
    /// The input schema plus the output column (known-size vector of <see cref="Options.LatentSize"/> Single) and the
    /// optional log-variance (same shape) and reconstruction-error (Single) columns.
    /// </summary>
    /// <exception cref="ArgumentOutOfRangeException">An input column is missing or not a scalar Text column (the message names it and the type found).</exception>
    public SchemaShape GetOutputSchema(SchemaShape inputSchema)
    {
        ArgumentNullException.ThrowIfNull(inputSchema);
        foreach (var name in _inputs)
        {
            var found = inputSchema.LastOrDefault(c => c.Name == name);
            if (found.Name is null)
                throw new ArgumentOutOfRangeException(nameof(inputSchema), $"VaeLatent: input column '{name}' not found; it must be a Text (string) column");
            if (found.Kind != SchemaShape.Column.VectorKind.Scalar || found.ItemType is not TextDataViewType)
                throw new ArgumentOutOfRangeException(nameof(inputSchema),
                    $"VaeLatent: input column '{name}' is {Describe(found)}; it must be a Text (string) column");
        }
        return OutputShapes.Estimator(_output, _o.LogVarianceColumnName, _o.ReconstructionErrorColumnName, _o.LatentSize).GetOutputSchema(inputSchema);
    }

    private static string Describe(SchemaShape.Column c) => c.Kind switch
    {
        SchemaShape.Column.VectorKind.Scalar => c.IsKey ? $"a key column of {c.ItemType}" : c.ItemType.ToString() ?? "unknown",
        SchemaShape.Column.VectorKind.Vector => $"a vector of {c.ItemType}",
        _ => $"a variable-size vector of {c.ItemType}",
    };

    /// <summary>Reads the text columns, trains the VAE and builds the fitted step.</summary>
    /// <exception cref="ArgumentOutOfRangeException">An input column is missing or not Text.</exception>
    /// <exception cref="InvalidOperationException">The data has no rows, or no word to build a vocabulary from.</exception>
    /// <exception cref="OperationCanceledException"><see cref="Options.CancellationToken"/> was cancelled.</exception>
    public VaeLatentTransformer Fit(IDataView input)
    {
        ArgumentNullException.ThrowIfNull(input);
        CheckInputs(input.Schema, _inputs);
        var texts = ReadTexts(input, _inputs);
        if (texts.Count == 0)
            throw new InvalidOperationException($"VaeLatent: the training data has no rows: the VAE needs at least one document in column{(_inputs.Length > 1 ? "s" : "")} {string.Join(", ", _inputs.Select(n => $"'{n}'"))}");
        TextVae vae;
        try
        {
            vae = TextVae.Train(texts, ToEngineOptions(_o), _o.Progress, _o.BatchProgress, _o.CancellationToken);
        }
        catch (ArgumentException e) when (e.ParamName == "texts" || e.Message.Contains("vocabulary", StringComparison.OrdinalIgnoreCase))
        {
            throw new InvalidOperationException($"VaeLatent: cannot train on column{(_inputs.Length > 1 ? "s" : "")} {string.Join(", ", _inputs.Select(n => $"'{n}'"))}: {e.Message}", e);
        }
        return VaeLatentTransformer.Create(vae, _inputs, _output, _o.LogVarianceColumnName, _o.ReconstructionErrorColumnName, input.Schema);
    }

    /// <summary>Rejects a missing or non-Text input column, naming it.</summary>
    internal static void CheckInputs(DataViewSchema schema, IReadOnlyList<string> inputs)
    {
        foreach (var name in inputs)
        {
            var col = schema.GetColumnOrNull(name);
            if (col is null) throw new ArgumentOutOfRangeException(nameof(schema), $"VaeLatent: input column '{name}' not found; it must be a Text (string) column");
            if (col.Value.Type is not TextDataViewType)
                throw new ArgumentOutOfRangeException(nameof(schema), $"VaeLatent: input column '{name}' is {col.Value.Type}; it must be a Text (string) column");
        }
    }

    /// <summary>The documents of <paramref name="data"/>: each row's text columns joined with a space (missing values as empty).</summary>
    internal static List<string> ReadTexts(IDataView data, IReadOnlyList<string> columns)
    {
        var cols = columns.Select(n => data.Schema[n]).ToArray();
        var texts = new List<string>();
        using var cur = data.GetRowCursor(cols);
        var getters = cols.Select(c => cur.GetGetter<ReadOnlyMemory<char>>(c)).ToArray();
        var parts = new string[cols.Length];
        ReadOnlyMemory<char> v = default;
        while (cur.MoveNext())
        {
            for (int i = 0; i < getters.Length; i++) { getters[i](ref v); parts[i] = v.ToString(); }
            texts.Add(VaeTokenizerMappingFactory.JoinParts(parts));
        }
        return texts;
    }
}
