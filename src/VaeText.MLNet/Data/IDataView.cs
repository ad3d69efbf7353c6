using VaeText.Core;

namespace VaeText.Data;

/// <summary>Reads the current row's value of one column into <paramref name="value"/>.</summary>
public delegate void ValueGetter<TValue>(ref TValue value);

/// <summary>
/// A lazy, read-only table (ML.NET's <c>IDataView</c>): a schema plus any number of independent row cursors.
/// Nothing is computed until a cursor moves; transforms wrap their input view and map rows one at a time, so a
/// file larger than memory can stream through a fitted pipeline. Views are safe to read from several threads, each
/// with its own cursor.
/// </summary>
public interface IDataView
{
    /// <summary>The columns of the view.</summary>
    DataViewSchema Schema { get; }
    /// <summary>True when <see cref="GetRowCursor"/> can honour a random generator (shuffled order).</summary>
    bool CanShuffle { get; }
    /// <summary>The number of rows when known without reading the data, else null.</summary>
    long? GetRowCount();
    /// <summary>
    /// A new cursor positioned before the first row. Only the columns in <paramref name="columnsNeeded"/> may be read
    /// (views use this to skip work for the others).
    /// </summary>
    /// <param name="columnsNeeded">Columns of <see cref="Schema"/> the caller will read.</param>
    /// <param name="rand">Optional generator for a shuffled order, honoured only when <see cref="CanShuffle"/>.</param>
    DataViewRowCursor GetRowCursor(IEnumerable<DataViewSchema.Column> columnsNeeded, Rng? rand = null);
}

/// <summary>One row of a view: typed getters for its active columns (ML.NET's <c>DataViewRow</c>).</summary>
public abstract class DataViewRow : IDisposable
{
    /// <summary>The schema of the row.</summary>
    public abstract DataViewSchema Schema { get; }
    /// <summary>0-based index of the current row, -1 before the first <c>MoveNext</c>.</summary>
    public abstract long Position { get; }
    /// <summary>True when <paramref name="column"/> was requested when the cursor was made.</summary>
    public abstract bool IsColumnActive(DataViewSchema.Column column);
    /// <summary>
    /// A getter for <paramref name="column"/>; <typeparamref name="TValue"/> must equal the column's
    /// <see cref="DataViewType.RawType"/>. Getters read the row the cursor is currently on.
    /// </summary>
    public abstract ValueGetter<TValue> GetGetter<TValue>(DataViewSchema.Column column);
    /// <summary>Releases the underlying resources (files).</summary>
    public void Dispose() { Dispose(true); GC.SuppressFinalize(this); }
    /// <summary>Releases resources.</summary>
    protected virtual void Dispose(bool disposing) { }

    /// <summary>Checks the column belongs to this row, is active, and has raw type <typeparamref name="TValue"/>.</summary>
    protected void CheckGetter<TValue>(DataViewSchema.Column column)
    {
        ArgumentNullException.ThrowIfNull(column);
        if (column.Index >= Schema.Count || !ReferenceEquals(Schema[column.Index], column) && Schema[column.Index].Name != column.Name)
            throw new ArgumentException($"column '{column.Name}' is not part of this row's schema", nameof(column));
        if (!IsColumnActive(column)) throw new InvalidOperationException($"column '{column.Name}' was not requested when the cursor was created");
        if (column.Type.RawType != typeof(TValue))
            throw new InvalidOperationException($"column '{column.Name}' has type {column.Type} (raw {column.Type.RawType.Name}); a getter of {typeof(TValue).Name} was requested");
    }
}

/// <summary>A forward-only cursor over the rows of a view.</summary>
public abstract class DataViewRowCursor : DataViewRow
{
    /// <summary>Advances to the next row; false at the end.</summary>
    public abstract bool MoveNext();
}
