namespace VaeText.Tensors;

/// <summary>
/// A sparse matrix in compressed-sparse-row form: row <c>r</c> holds the entries
/// <c>Indices[RowPtr[r]..RowPtr[r+1]]</c> (column ids, ascending) with values <c>Values[same range]</c>.
/// Used for bags of words: rows are documents, columns are vocabulary ids, values are counts or weights.
/// </summary>
public sealed class CsrMatrix
{
    /// <summary>Row start offsets, length <see cref="Rows"/> + 1; <c>RowPtr[0] == 0</c>.</summary>
    public int[] RowPtr { get; }
    /// <summary>Column index of every stored entry, ascending within a row.</summary>
    public int[] Indices { get; }
    /// <summary>Value of every stored entry.</summary>
    public float[] Values { get; }
    /// <summary>Number of rows.</summary>
    public int Rows { get; }
    /// <summary>Number of columns.</summary>
    public int Columns { get; }
    /// <summary>Number of stored entries.</summary>
    public int NonZeros => RowPtr[Rows];

    /// <summary>Wraps CSR arrays after checking that they are consistent.</summary>
    /// <exception cref="ArgumentException">The arrays do not form a valid CSR matrix.</exception>
    public CsrMatrix(int rows, int columns, int[] rowPtr, int[] indices, float[] values)
    {
        ArgumentNullException.ThrowIfNull(rowPtr);
        ArgumentNullException.ThrowIfNull(indices);
        ArgumentNullException.ThrowIfNull(values);
        if (rows < 0) throw new ArgumentOutOfRangeException(nameof(rows), rows, "must be non-negative");
        if (columns < 0) throw new ArgumentOutOfRangeException(nameof(columns), columns, "must be non-negative");
        if (rowPtr.Length != rows + 1) throw new ArgumentException($"rowPtr has length {rowPtr.Length}, expected {rows + 1}", nameof(rowPtr));
        if (rowPtr[0] != 0) throw new ArgumentException("rowPtr[0] must be 0", nameof(rowPtr));
        for (int r = 0; r < rows; r++)
        {
            if (rowPtr[r + 1] < rowPtr[r]) throw new ArgumentException($"rowPtr decreases at row {r}", nameof(rowPtr));
        }
        int nnz = rowPtr[rows];
        if (indices.Length < nnz || values.Length < nnz) throw new ArgumentException($"indices/values shorter than the {nnz} entries rowPtr declares");
        for (int r = 0; r < rows; r++)
        {
            int prev = -1;
            for (int p = rowPtr[r]; p < rowPtr[r + 1]; p++)
            {
                int c = indices[p];
                if (c <= prev || c >= columns) throw new ArgumentException($"row {r}: column index {c} out of order or outside [0, {columns})", nameof(indices));
                prev = c;
            }
        }
        Rows = rows; Columns = columns; RowPtr = rowPtr; Indices = indices; Values = values;
    }

    /// <summary>A new matrix holding the given rows, in the given order.</summary>
    public CsrMatrix SelectRows(ReadOnlySpan<int> rows)
    {
        var ptr = new int[rows.Length + 1];
        for (int i = 0; i < rows.Length; i++) ptr[i + 1] = ptr[i] + (RowPtr[rows[i] + 1] - RowPtr[rows[i]]);
        var idx = new int[ptr[rows.Length]];
        var val = new float[ptr[rows.Length]];
        for (int i = 0; i < rows.Length; i++)
        {
            int s = RowPtr[rows[i]], n = RowPtr[rows[i] + 1] - s;
            Array.Copy(Indices, s, idx, ptr[i], n);
            Array.Copy(Values, s, val, ptr[i], n);
        }
        return new CsrMatrix(rows.Length, Columns, ptr, idx, val);
    }

    /// <summary>Sum of the values of row <paramref name="row"/>.</summary>
    public float RowSum(int row)
    {
        float s = 0;
        for (int p = RowPtr[row]; p < RowPtr[row + 1]; p++) s += Values[p];
        return s;
    }
}
