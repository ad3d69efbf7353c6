namespace VaeText.Models;

/// <summary>
/// A batch of tokenised documents, named by index so that a shuffled mini-batch needs no copy. Token ids: 0 =
/// padding (never inside a document), 1 = unknown, 2 + w = vocabulary word w. Batch row i is
/// <c>Documents[Rows[i]]</c>; encoders read at most their maximum length of tokens from each.
/// </summary>
/// <param name="Documents">All documents as token-id arrays.</param>
/// <param name="Rows">Document indices, in batch order.</param>
public readonly record struct TokenBatch(IReadOnlyList<int[]> Documents, ReadOnlyMemory<int> Rows)
{
    /// <summary>Number of documents in the batch.</summary>
    public int Count => Rows.Length;
}
