namespace VaeText.Models;

/// <summary>Which network encodes a document into the posterior's mean and log-variance.</summary>
public enum SeqEncoderKind
{
    /// <summary>Embedding → LSTM (last state or mean) → mean, log-variance.</summary>
    Lstm,
    /// <summary>Embedding + positions → pre-norm Transformer blocks → LayerNorm → mean over tokens → mean, log-variance.</summary>
    Transformer,
}

/// <summary>What a sequence VAE reconstructs from z.</summary>
public enum SeqDecoderKind
{
    /// <summary>The bag of words, through a softmax over the vocabulary (the seq-vae benchmark's decoder).</summary>
    BagOfWords,
    /// <summary>The token sequence, word by word, through an LSTM language model conditioned on z (Bowman et al. 2016).</summary>
    Lstm,
}

/// <summary>Position information added to the Transformer's embeddings.</summary>
public enum PositionKind
{
    /// <summary>Fixed sinusoids.</summary>
    Sinusoidal,
    /// <summary>A trained table.</summary>
    Learned,
}

/// <summary>Settings of a sequence-encoder VAE (<see cref="SeqVae"/>). Defaults follow the seq-vae benchmark.</summary>
public sealed class SeqVaeOptions
{
    /// <summary>Default values.</summary>
    public static class Defaults
    {
        /// <summary>Encoder network.</summary>
        public const SeqEncoderKind Encoder = SeqEncoderKind.Lstm;
        /// <summary>Tokens read per document.</summary>
        public const int MaxLength = 128;
        /// <summary>Embedding width.</summary>
        public const int EmbeddingSize = 128;
        /// <summary>LSTM hidden width per direction.</summary>
        public const int HiddenSize = 256;
        /// <summary>Transformer blocks.</summary>
        public const int Layers = 2;
        /// <summary>Attention heads.</summary>
        public const int Heads = 4;
        /// <summary>Transformer feed-forward width.</summary>
        public const int FeedForwardSize = 256;
        /// <summary>Latent dimensions.</summary>
        public const int LatentSize = 64;
        /// <summary>Seed of the parameter initialisation.</summary>
        public const int Seed = 1;
        /// <summary>Decoder.</summary>
        public const SeqDecoderKind Decoder = SeqDecoderKind.BagOfWords;
        /// <summary>LSTM decoder hidden width.</summary>
        public const int DecoderHiddenSize = 256;
        /// <summary>LSTM decoder word dropout.</summary>
        public const double WordDropout = 0;
    }

    /// <summary>Bag-of-words vocabulary size V (decoder outputs). Token ids run over [0, V + 2).</summary>
    public int VocabularySize { get; set; }
    /// <summary>Encoder network.</summary>
    public SeqEncoderKind Encoder { get; set; } = Defaults.Encoder;
    /// <summary>Tokens read per document (longer documents are cut).</summary>
    public int MaxLength { get; set; } = Defaults.MaxLength;
    /// <summary>Embedding width (for the Transformer: the model width).</summary>
    public int EmbeddingSize { get; set; } = Defaults.EmbeddingSize;
    /// <summary>LSTM hidden width per direction.</summary>
    public int HiddenSize { get; set; } = Defaults.HiddenSize;
    /// <summary>LSTM: read each document in both directions.</summary>
    public bool Bidirectional { get; set; }
    /// <summary>LSTM pooling.</summary>
    public Nn.LstmPooling Pooling { get; set; } = Nn.LstmPooling.Last;
    /// <summary>Transformer blocks.</summary>
    public int Layers { get; set; } = Defaults.Layers;
    /// <summary>Attention heads (must divide EmbeddingSize).</summary>
    public int Heads { get; set; } = Defaults.Heads;
    /// <summary>Transformer feed-forward width.</summary>
    public int FeedForwardSize { get; set; } = Defaults.FeedForwardSize;
    /// <summary>Transformer positions.</summary>
    public PositionKind Positions { get; set; } = PositionKind.Sinusoidal;
    /// <summary>Latent dimensions.</summary>
    public int LatentSize { get; set; } = Defaults.LatentSize;
    /// <summary>Lower log-variance clamp.</summary>
    public double LogVarianceMin { get; set; } = -10;
    /// <summary>Upper log-variance clamp.</summary>
    public double LogVarianceMax { get; set; } = 10;
    /// <summary>Seed of the parameter initialisation.</summary>
    public int Seed { get; set; } = Defaults.Seed;
    /// <summary>Decoder.</summary>
    public SeqDecoderKind Decoder { get; set; } = Defaults.Decoder;
    /// <summary>LSTM decoder: hidden width (&gt; 0; its embedding width is <see cref="EmbeddingSize"/>).</summary>
    public int DecoderHiddenSize { get; set; } = Defaults.DecoderHiddenSize;
    /// <summary>LSTM decoder: probability in [0, 1) that a teacher-forced input word is replaced by the unknown token during training (Bowman et al.'s word dropout).</summary>
    public double WordDropout { get; set; } = Defaults.WordDropout;

    /// <summary>Throws <see cref="ArgumentOutOfRangeException"/> naming the first invalid option.</summary>
    public void Validate()
    {
        static void Pos(int v, string n) { if (v <= 0) throw new ArgumentOutOfRangeException(n, v, "must be positive"); }
        Pos(VocabularySize, nameof(VocabularySize)); Pos(MaxLength, nameof(MaxLength)); Pos(EmbeddingSize, nameof(EmbeddingSize));
        Pos(HiddenSize, nameof(HiddenSize)); Pos(Layers, nameof(Layers)); Pos(Heads, nameof(Heads));
        Pos(FeedForwardSize, nameof(FeedForwardSize)); Pos(LatentSize, nameof(LatentSize));
        if (!Enum.IsDefined(Encoder)) throw new ArgumentOutOfRangeException(nameof(Encoder), Encoder, "unknown encoder");
        if (!Enum.IsDefined(Positions)) throw new ArgumentOutOfRangeException(nameof(Positions), Positions, "unknown position kind");
        if (!Enum.IsDefined(Decoder)) throw new ArgumentOutOfRangeException(nameof(Decoder), Decoder, "unknown decoder");
        Pos(DecoderHiddenSize, nameof(DecoderHiddenSize));
        if (!(WordDropout >= 0 && WordDropout < 1)) throw new ArgumentOutOfRangeException(nameof(WordDropout), WordDropout, "must be in [0, 1)");
        if (!Enum.IsDefined(Pooling)) throw new ArgumentOutOfRangeException(nameof(Pooling), Pooling, "unknown pooling");
        if (Encoder == SeqEncoderKind.Transformer && EmbeddingSize % Heads != 0)
            throw new ArgumentOutOfRangeException(nameof(Heads), Heads, $"must divide EmbeddingSize ({EmbeddingSize})");
        if (!double.IsFinite(LogVarianceMin) || !double.IsFinite(LogVarianceMax) || LogVarianceMin >= LogVarianceMax)
            throw new ArgumentOutOfRangeException(nameof(LogVarianceMax), $"[{LogVarianceMin}, {LogVarianceMax}]", "the log-variance clamp must be a finite interval Min < Max");
        if (ParameterEstimate() > MaxParameters)
            throw new ArgumentOutOfRangeException(nameof(VocabularySize), VocabularySize,
                $"the model would hold about {ParameterEstimate():N0} parameters, more than the {MaxParameters:N0} one parameter buffer allows; reduce the vocabulary or the layer sizes");
    }

    /// <summary>The most trained scalars a sequence VAE may hold (one flat float buffer).</summary>
    public const long MaxParameters = 1L << 29;

    /// <summary>An upper bound of the parameter count the options imply (computed in 64 bits, so absurd sizes cannot overflow).</summary>
    private long ParameterEstimate()
    {
        long t = (long)VocabularySize + 2, e = EmbeddingSize, h = HiddenSize, l = LatentSize, dirs = Bidirectional ? 2 : 1;
        long n = t * e + 2 * (2 * h * dirs + e) * l + 2 * l;
        n += Encoder == SeqEncoderKind.Lstm ? dirs * 4 * h * (e + h + 1) : Layers * (4 * e * e + 2 * e * FeedForwardSize + 10 * e + FeedForwardSize) + (long)MaxLength * e;
        long dh = DecoderHiddenSize;
        n += Decoder == SeqDecoderKind.Lstm ? t * e + 4 * dh * (e + dh + 1) + l * dh + dh + 4 * l * dh + dh * t + t : (l + 1) * VocabularySize;
        return n;
    }

    /// <summary>A copy.</summary>
    public SeqVaeOptions Clone() => (SeqVaeOptions)MemberwiseClone();
}
