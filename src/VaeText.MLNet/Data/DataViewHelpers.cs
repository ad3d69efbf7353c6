using VaeText.Core;

namespace VaeText.Data;

/// <summary>A view that keeps the rows of its input for which a row-index predicate holds (streaming).</summary>
internal sealed class RowFilterDataView(IDataView input, Func<long, bool> keep) : IDataView
{
    public DataViewSchema Schema => input.Schema;
    public bool CanShuffle => false;
    public long? GetRowCount() => null;

    public DataViewRowCursor GetRowCursor(IEnumerable<DataViewSchema.Column> columnsNeeded, Rng? rand = null)
        => new Cursor(input.GetRowCursor(columnsNeeded), keep);

    private sealed class Cursor(DataViewRowCursor inner, Func<long, bool> keep) : DataViewRowCursor
    {
        private long _pos = -1;
        public override DataViewSchema Schema => inner.Schema;
        public override long Position => _pos;
        public override bool IsColumnActive(DataViewSchema.Column column) => inner.IsColumnActive(column);
        public override ValueGetter<TValue> GetGetter<TValue>(DataViewSchema.Column column) => inner.GetGetter<TValue>(column);
        public override bool MoveNext()
        {
            while (inner.MoveNext())
                if (keep(inner.Position)) { _pos++; return true; }
            return false;
        }
        protected override void Dispose(bool disposing) { if (disposing) inner.Dispose(); }
    }
}

/// <summary>A materialised preview of the first rows of a view (for debugging; ML.NET's <c>DataDebuggerPreview</c>).</summary>
public sealed class DataDebuggerPreview
{
    /// <summary>The schema of the previewed view.</summary>
    public DataViewSchema Schema { get; }
    /// <summary>The rows read, each a list of (column name, value) where values are strings, floats, bools, uints or float arrays.</summary>
    public IReadOnlyList<IReadOnlyList<KeyValuePair<string, object>>> RowView { get; }

    internal DataDebuggerPreview(IDataView data, int maxRows)
    {
        Schema = data.Schema;
        var cols = data.Schema.Where(c => !c.IsHidden).ToArray();
        var rows = new List<IReadOnlyList<KeyValuePair<string, object>>>();
        using var cursor = data.GetRowCursor(cols);
        var getters = cols.Select(c => MakeBoxedGetter(cursor, c)).ToArray();
        while (rows.Count < maxRows && cursor.MoveNext())
            rows.Add(cols.Select((c, i) => new KeyValuePair<string, object>(c.Name, getters[i]())).ToArray());
        RowView = rows;
    }

    internal static Func<object> MakeBoxedGetter(DataViewRow row, DataViewSchema.Column c)
    {
        switch (c.Type)
        {
            case TextDataViewType: { var g = row.GetGetter<ReadOnlyMemory<char>>(c); return () => { ReadOnlyMemory<char> v = default; g(ref v); return v.ToString(); }; }
            case NumberDataViewType: { var g = row.GetGetter<float>(c); return () => { float v = 0; g(ref v); return v; }; }
            case BooleanDataViewType: { var g = row.GetGetter<bool>(c); return () => { bool v = false; g(ref v); return v; }; }
            case KeyDataViewType: { var g = row.GetGetter<uint>(c); return () => { uint v = 0; g(ref v); return v; }; }
            case VectorDataViewType: { var g = row.GetGetter<VBuffer<float>>(c); return () => { VBuffer<float> v = default; g(ref v); return v.DenseValues(); }; }
            default: throw new NotSupportedException($"column '{c.Name}' of type {c.Type}");
        }
    }

    /// <inheritdoc/>
    public override string ToString()
        => string.Join(Environment.NewLine, RowView.Select(r => string.Join(" | ", r.Select(kv => $"{kv.Key}={Format(kv.Value)}"))));

    private static string Format(object v) => v switch
    {
        float[] a => a.Length <= 8 ? "[" + string.Join(", ", a) + "]" : $"[{a.Length} values]",
        _ => Convert.ToString(v, System.Globalization.CultureInfo.InvariantCulture) ?? "",
    };
}
