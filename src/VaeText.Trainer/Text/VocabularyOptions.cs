namespace VaeText.Text;

/// <summary>Settings of <see cref="Vocabulary.Build"/>. The defaults are the benchmark's: the 20,000 most frequent terms.</summary>
public sealed class VocabularyOptions
{
    /// <summary>The smallest document frequency (number of documents containing the term) a term needs. Default 1.</summary>
    public int MinDocumentFrequency { get; set; } = 1;

    /// <summary>
    /// The largest document frequency a term may have, as a fraction of the documents in (0, 1]: terms in more than
    /// <c>MaxDocumentFrequency × DocumentCount</c> documents are dropped. Default 1.0 (keep all).
    /// </summary>
    public double MaxDocumentFrequency { get; set; } = 1.0;

    /// <summary>The most terms kept, the most frequent first; 0 means unlimited. Default 20,000.</summary>
    public int MaxSize { get; set; } = 20_000;

    /// <summary>
    /// Terms never kept (compared ordinally with the tokens, so give them in the tokenizer's case), or <c>null</c>.
    /// <see cref="Text.StopWords.English"/> is a built-in English list.
    /// </summary>
    public IReadOnlySet<string>? StopWords { get; set; }

    /// <summary>A copy of these settings (the stop-word set is shared).</summary>
    public VocabularyOptions Clone() => (VocabularyOptions)MemberwiseClone();

    /// <summary>Throws when a setting is out of range.</summary>
    /// <exception cref="ArgumentOutOfRangeException">A setting is out of range.</exception>
    public void Validate()
    {
        if (MinDocumentFrequency < 1)
            throw new ArgumentOutOfRangeException(nameof(MinDocumentFrequency), MinDocumentFrequency, "MinDocumentFrequency must be at least 1");
        if (!(MaxDocumentFrequency > 0 && MaxDocumentFrequency <= 1))
            throw new ArgumentOutOfRangeException(nameof(MaxDocumentFrequency), MaxDocumentFrequency, "MaxDocumentFrequency is a fraction of the documents and must be in (0, 1]");
        if (MaxSize < 0)
            throw new ArgumentOutOfRangeException(nameof(MaxSize), MaxSize, "MaxSize must be non-negative (0 = unlimited)");
    }
}
