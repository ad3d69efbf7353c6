using VaeText.Core;
using VaeText.Data;

namespace VaeText.Experiments;

/// <summary>An in-memory view of Text columns with given names (one string list per column, equal lengths).</summary>
internal sealed class TextTable : IDataView
{
    private readonly IReadOnlyList<string>[] _columns;
    private readonly int _rows;

    /// <summary>Creates a view; <paramref name="columns"/> pairs a column name with its values.</summary>
    public TextTable(params (string Name, IReadOnlyList<string> Values)[] columns)
    {
        if (columns.Length == 0) throw new ArgumentException("a table needs at least one column", nameof(columns));
        _rows = columns[0].Values.Count;
        if (columns.Any(c => c.Values.Count != _rows)) throw new ArgumentException("all columns need the same number of rows", nameof(columns));
        var b = new DataViewSchema.Builder();
        foreach (var c in columns) b.AddColumn(c.Name, TextDataViewType.Instance);
        Schema = b.ToSchema();
        _columns = columns.Select(c => c.Values).ToArray();
    }

    public DataViewSchema Schema { get; }
    public bool CanShuffle => false;
    public long? GetRowCount() => _rows;
    public DataViewRowCursor GetRowCursor(IEnumerable<DataViewSchema.Column> columnsNeeded, Rng? rand = null) => new Cursor(this);

    private sealed class Cursor(TextTable t) : DataViewRowCursor
    {
        private long _pos = -1;
        public override DataViewSchema Schema => t.Schema;
        public override long Position => _pos;
        public override bool IsColumnActive(DataViewSchema.Column column) => true;
        public override bool MoveNext() => ++_pos < t._rows;
        public override ValueGetter<TValue> GetGetter<TValue>(DataViewSchema.Column column)
        {
            var values = t._columns[column.Index];
            return (ValueGetter<TValue>)(Delegate)(ValueGetter<ReadOnlyMemory<char>>)((ref ReadOnlyMemory<char> v) => v = values[(int)_pos].AsMemory());
        }
    }
}
