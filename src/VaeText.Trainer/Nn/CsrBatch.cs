using VaeText.Tensors;

namespace VaeText.Nn;

/// <summary>
/// A batch of rows of a <see cref="CsrMatrix"/>, named by row index, so that a shuffled mini-batch needs no copy.
/// Batch row <c>i</c> is matrix row <c>Rows[i]</c>.
/// </summary>
/// <param name="Matrix">The sparse matrix (rows = documents).</param>
/// <param name="Rows">Row indices into <paramref name="Matrix"/>, in batch order.</param>
public readonly record struct CsrBatch(CsrMatrix Matrix, ReadOnlyMemory<int> Rows)
{
    /// <summary>Number of rows in the batch.</summary>
    public int Count => Rows.Length;
}
