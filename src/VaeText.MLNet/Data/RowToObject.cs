namespace VaeText.Data;

/// <summary>
/// Fills objects of <typeparamref name="T"/> from a row (for <c>CreateEnumerable</c> and prediction engines).
/// Column → member conversions: Text → string/ReadOnlyMemory; Single → float/double; Boolean → bool; Key → uint;
/// Vector → float[] (dense copy) or VBuffer&lt;float&gt;.
/// </summary>
internal sealed class RowToObject<T> where T : class, new()
{
    private readonly Action<T>[] _setters;

    /// <summary>Binds every writable member of <typeparamref name="T"/> to the same-named column of <paramref name="row"/>.</summary>
    /// <param name="row">The row to read.</param>
    /// <param name="ignoreMissingColumns">Skip members with no column (otherwise throw).</param>
    public RowToObject(DataViewRow row, bool ignoreMissingColumns)
    {
        var setters = new List<Action<T>>();
        foreach (var m in MemberMap.For(typeof(T), forWriting: true))
        {
            var col = row.Schema.GetColumnOrNull(m.ColumnName);
            if (col is null)
            {
                if (ignoreMissingColumns) continue;
                throw new ArgumentOutOfRangeException(nameof(row), m.ColumnName, $"{typeof(T).Name}.{m.Member.Name} needs column '{m.ColumnName}', which the data does not have");
            }
            setters.Add(MakeSetter(row, col, m));
        }
        _setters = setters.ToArray();
    }

    public static IEnumerable<DataViewSchema.Column> NeededColumns(DataViewSchema schema)
        => MemberMap.For(typeof(T), forWriting: true).Select(m => schema.GetColumnOrNull(m.ColumnName)).Where(c => c is not null).Select(c => c!);

    public void Fill(T obj) { foreach (var s in _setters) s(obj); }

    private static Action<T> MakeSetter(DataViewRow row, DataViewSchema.Column col, MemberMap m)
    {
        Exception Mismatch() => new ArgumentOutOfRangeException(nameof(row), col.Name, $"column '{col.Name}' has type {col.Type}, which cannot be written to {typeof(T).Name}.{m.Member.Name} of type {m.MemberType.Name}");
        var mt = m.MemberType;
        switch (col.Type)
        {
            case TextDataViewType:
            {
                var g = row.GetGetter<ReadOnlyMemory<char>>(col);
                if (mt == typeof(string)) return o => { ReadOnlyMemory<char> v = default; g(ref v); m.SetValue(o, v.ToString()); };
                if (mt == typeof(ReadOnlyMemory<char>)) return o => { ReadOnlyMemory<char> v = default; g(ref v); m.SetValue(o, v); };
                throw Mismatch();
            }
            case NumberDataViewType:
            {
                var g = row.GetGetter<float>(col);
                if (mt == typeof(float)) return o => { float v = 0; g(ref v); m.SetValue(o, v); };
                if (mt == typeof(double)) return o => { float v = 0; g(ref v); m.SetValue(o, (double)v); };
                throw Mismatch();
            }
            case BooleanDataViewType:
            {
                var g = row.GetGetter<bool>(col);
                if (mt == typeof(bool)) return o => { bool v = false; g(ref v); m.SetValue(o, v); };
                throw Mismatch();
            }
            case KeyDataViewType:
            {
                var g = row.GetGetter<uint>(col);
                if (mt == typeof(uint)) return o => { uint v = 0; g(ref v); m.SetValue(o, v); };
                throw Mismatch();
            }
            case VectorDataViewType { ItemType: NumberDataViewType }:
            {
                var g = row.GetGetter<VBuffer<float>>(col);
                if (mt == typeof(float[])) return o => { VBuffer<float> v = default; g(ref v); m.SetValue(o, v.DenseValues()); };
                if (mt == typeof(VBuffer<float>)) return o => { VBuffer<float> v = default; g(ref v); m.SetValue(o, v); };
                throw Mismatch();
            }
        }
        throw Mismatch();
    }
}
