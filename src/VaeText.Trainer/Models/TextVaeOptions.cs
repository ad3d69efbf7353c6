using VaeText.Text;
using VaeText.Training;

namespace VaeText.Models;

/// <summary>The encoder family of a <see cref="TextVae"/>.</summary>
public enum TextVaeEncoderKind
{
    /// <summary>Bag-of-words MLP encoder (<see cref="BowVae"/>).</summary>
    BagOfWords,
    /// <summary>Embedding → LSTM over the token sequence (<see cref="SeqVae"/> with <see cref="SeqEncoderKind.Lstm"/>).</summary>
    Lstm,
    /// <summary>Embedding + positions → Transformer encoder blocks (<see cref="SeqVae"/> with <see cref="SeqEncoderKind.Transformer"/>).</summary>
    Transformer,
}

/// <summary>Settings of <see cref="TextVae.Train"/>: tokenizer, vocabulary, architecture and training.</summary>
public sealed class TextVaeOptions
{
    /// <summary>How texts are split into tokens (defaults: the benchmark rule).</summary>
    public TokenizerOptions Tokenizer { get; set; } = new();
    /// <summary>Which tokens enter the vocabulary (default: the 20,000 most frequent by document frequency).</summary>
    public VocabularyOptions Vocabulary { get; set; } = new();
    /// <summary>Bag-of-words architecture (used when <see cref="Sequence"/> is null); <see cref="BowVaeOptions.VocabularySize"/> is set from the vocabulary built.</summary>
    public BowVaeOptions Model { get; set; } = new();
    /// <summary>
    /// Sequence architecture (LSTM or Transformer encoder, optional LSTM decoder); null (the default) trains the
    /// bag-of-words VAE of <see cref="Model"/>. <see cref="SeqVaeOptions.VocabularySize"/> is set from the vocabulary built.
    /// </summary>
    public SeqVaeOptions? Sequence { get; set; }
    /// <summary>Optimisation settings (threads, checkpoints, resume, divergence retries).</summary>
    public VaeTrainingOptions Training { get; set; } = new();
    /// <summary>Tokenized corpora shared with other trainings on the same texts (internal: comparison runs).</summary>
    internal BagOfWordsCache? Cache { get; set; }
}
