using VaeText.Nn;

namespace VaeText.Models;

/// <summary>Architecture of a <see cref="BowVae"/>.</summary>
public sealed class BowVaeOptions
{
    /// <summary>Default values shared by the options and the short overloads.</summary>
    public static class Defaults
    {
        /// <summary>Default encoder hidden sizes.</summary>
        public static IReadOnlyList<int> EncoderHiddenSizes { get; } = new[] { 256, 256 };
        /// <summary>Default activation.</summary>
        public const Activation Activation = Nn.Activation.ReLU;
        /// <summary>Default latent size.</summary>
        public const int LatentSize = 64;
        /// <summary>Default encoder dropout.</summary>
        public const double EncoderDropout = 0;
        /// <summary>Default lower log-variance clamp.</summary>
        public const double LogVarianceMin = -10;
        /// <summary>Default upper log-variance clamp.</summary>
        public const double LogVarianceMax = 10;
        /// <summary>Default seed.</summary>
        public const int Seed = 1;
    }

    /// <summary>Input and output vocabulary size V (columns of the bag-of-words matrix). Required (&gt; 0).</summary>
    public int VocabularySize { get; set; }
    /// <summary>Widths of the encoder's hidden layers, first to last (at least one; each &gt; 0).</summary>
    public IReadOnlyList<int> EncoderHiddenSizes { get; set; } = Defaults.EncoderHiddenSizes;
    /// <summary>Non-linearity after each hidden layer.</summary>
    public Activation Activation { get; set; } = Defaults.Activation;
    /// <summary>Latent dimensions (&gt; 0).</summary>
    public int LatentSize { get; set; } = Defaults.LatentSize;
    /// <summary>Dropout rate after each encoder hidden layer during training, in [0, 1).</summary>
    public double EncoderDropout { get; set; } = Defaults.EncoderDropout;
    /// <summary>Lower clamp of the encoder's log-variance output.</summary>
    public double LogVarianceMin { get; set; } = Defaults.LogVarianceMin;
    /// <summary>Upper clamp of the encoder's log-variance output (keeps exp finite).</summary>
    public double LogVarianceMax { get; set; } = Defaults.LogVarianceMax;
    /// <summary>Seed of the parameter initialisation.</summary>
    public int Seed { get; set; } = Defaults.Seed;

    /// <summary>Checks every field.</summary>
    /// <exception cref="ArgumentOutOfRangeException">A field is out of range (the message names it and its value).</exception>
    public void Validate()
    {
        if (VocabularySize < 1) throw new ArgumentOutOfRangeException(nameof(VocabularySize), VocabularySize, "VocabularySize must be at least 1");
        if (EncoderHiddenSizes == null || EncoderHiddenSizes.Count == 0)
            throw new ArgumentOutOfRangeException(nameof(EncoderHiddenSizes), "EncoderHiddenSizes must list at least one layer width");
        for (int i = 0; i < EncoderHiddenSizes.Count; i++)
            if (EncoderHiddenSizes[i] < 1) throw new ArgumentOutOfRangeException(nameof(EncoderHiddenSizes), EncoderHiddenSizes[i], $"EncoderHiddenSizes[{i}] must be at least 1");
        if (!Enum.IsDefined(Activation)) throw new ArgumentOutOfRangeException(nameof(Activation), Activation, "unknown Activation");
        if (LatentSize < 1) throw new ArgumentOutOfRangeException(nameof(LatentSize), LatentSize, "LatentSize must be at least 1");
        if (!(EncoderDropout >= 0 && EncoderDropout < 1)) throw new ArgumentOutOfRangeException(nameof(EncoderDropout), EncoderDropout, "EncoderDropout must be in [0, 1)");
        if (!double.IsFinite(LogVarianceMin) || !double.IsFinite(LogVarianceMax) || LogVarianceMin >= LogVarianceMax || LogVarianceMax > 80 || LogVarianceMin < -80)
            throw new ArgumentOutOfRangeException(nameof(LogVarianceMax), $"[{LogVarianceMin}, {LogVarianceMax}]", "the log-variance clamp must be a finite interval Min < Max within [-80, 80]");
        long weights = (long)VocabularySize * Math.Max(EncoderHiddenSizes.Max(), LatentSize);
        if (weights > int.MaxValue / 2) throw new ArgumentOutOfRangeException(nameof(VocabularySize), VocabularySize, "vocabulary × layer width is too large for one parameter buffer");
    }

    /// <summary>A copy (the list is copied too).</summary>
    public BowVaeOptions Clone() => new()
    {
        VocabularySize = VocabularySize,
        EncoderHiddenSizes = EncoderHiddenSizes.ToArray(),
        Activation = Activation,
        LatentSize = LatentSize,
        EncoderDropout = EncoderDropout,
        LogVarianceMin = LogVarianceMin,
        LogVarianceMax = LogVarianceMax,
        Seed = Seed,
    };
}
