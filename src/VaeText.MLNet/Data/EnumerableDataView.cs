using VaeText.Core;

namespace VaeText.Data;

/// <summary>
/// A view over an <see cref="IEnumerable{T}"/> (from <c>Data.LoadFromEnumerable</c>): each cursor enumerates the
/// sequence again, lazily, so a generated sequence of any length streams without being stored.
/// </summary>
internal sealed class EnumerableDataView<T> : IDataView where T : class
{
    private readonly IEnumerable<T> _data;
    private readonly List<MemberMap> _members;

    public EnumerableDataView(IEnumerable<T> data)
    {
        _data = data;
        _members = MemberMap.For(typeof(T), forWriting: false);
        var b = new DataViewSchema.Builder();
        foreach (var m in _members) b.AddColumn(m.ColumnName, m.Type);
        Schema = b.ToSchema();
    }

    public DataViewSchema Schema { get; }
    public bool CanShuffle => false;
    public long? GetRowCount() => _data is ICollection<T> c ? c.Count : _data is IReadOnlyCollection<T> r ? r.Count : null;

    public DataViewRowCursor GetRowCursor(IEnumerable<DataViewSchema.Column> columnsNeeded, Rng? rand = null)
    {
        var active = new bool[Schema.Count];
        foreach (var c in columnsNeeded) active[c.Index] = true;
        return new Cursor(this, active);
    }

    private sealed class Cursor(EnumerableDataView<T> parent, bool[] active) : DataViewRowCursor
    {
        private readonly IEnumerator<T> _e = parent._data.GetEnumerator();
        private long _pos = -1;
        private T? _current;

        public override DataViewSchema Schema => parent.Schema;
        public override long Position => _pos;
        public override bool IsColumnActive(DataViewSchema.Column column) => active[column.Index];

        public override bool MoveNext()
        {
            if (!_e.MoveNext()) { _current = null; return false; }
            _current = _e.Current ?? throw new InvalidOperationException($"row {_pos + 1} of the enumerable is null");
            _pos++;
            return true;
        }

        public override ValueGetter<TValue> GetGetter<TValue>(DataViewSchema.Column column)
        {
            CheckGetter<TValue>(column);
            var m = parent._members[column.Index];
            return (ref TValue value) =>
            {
                if (_current is null) throw new InvalidOperationException("the cursor is not on a row (call MoveNext first)");
                value = (TValue)m.ToRaw(m.GetValue(_current), _pos);
            };
        }

        protected override void Dispose(bool disposing) { if (disposing) _e.Dispose(); }
    }
}
