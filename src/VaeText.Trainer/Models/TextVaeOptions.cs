using VaeText.Text;
using VaeText.Training;

namespace VaeText.Models;

/// <summary>Settings of <see cref="TextVae.Train"/>: tokenizer, vocabulary, architecture and training.</summary>
public sealed class TextVaeOptions
{
    /// <summary>How texts are split into tokens (defaults: the benchmark rule).</summary>
    public TokenizerOptions Tokenizer { get; set; } = new();
    /// <summary>Which tokens enter the vocabulary (default: the 20,000 most frequent by document frequency).</summary>
    public VocabularyOptions Vocabulary { get; set; } = new();
    /// <summary>Architecture; <see cref="BowVaeOptions.VocabularySize"/> is set from the vocabulary built.</summary>
    public BowVaeOptions Model { get; set; } = new();
    /// <summary>Optimisation settings.</summary>
    public VaeTrainingOptions Training { get; set; } = new();
}
