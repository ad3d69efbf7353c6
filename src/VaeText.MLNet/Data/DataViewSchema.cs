using System.Collections;

namespace VaeText.Data;

/// <summary>
/// The ordered, immutable list of columns of an <see cref="IDataView"/> (ML.NET's <c>DataViewSchema</c>).
/// When a transform adds a column whose name already exists, the older one stays (so column indices stay stable)
/// but becomes <see cref="Column.IsHidden"/>; looking up by name returns the newest visible column.
/// </summary>
public sealed class DataViewSchema : IReadOnlyList<DataViewSchema.Column>
{
    private readonly Column[] _columns;
    private readonly Dictionary<string, int> _byName;

    private DataViewSchema(Column[] columns)
    {
        _columns = columns;
        _byName = new Dictionary<string, int>(StringComparer.Ordinal);
        for (int i = 0; i < columns.Length; i++) _byName[columns[i].Name] = i;
    }

    /// <summary>Number of columns, hidden ones included.</summary>
    public int Count => _columns.Length;
    /// <summary>The column at <paramref name="index"/>.</summary>
    public Column this[int index] => (uint)index < (uint)_columns.Length ? _columns[index] : throw new ArgumentOutOfRangeException(nameof(index), index, $"schema has {_columns.Length} columns");
    /// <summary>The visible column named <paramref name="name"/>.</summary>
    /// <exception cref="ArgumentOutOfRangeException">No such column (the message lists the available ones).</exception>
    public Column this[string name] => GetColumnOrNull(name) ?? throw new ArgumentOutOfRangeException(nameof(name), name, $"column '{name}' not found; available: {string.Join(", ", VisibleNames())}");

    /// <summary>The visible column named <paramref name="name"/>, or null.</summary>
    public Column? GetColumnOrNull(string name) => name is not null && _byName.TryGetValue(name, out int i) ? _columns[i] : null;

    private IEnumerable<string> VisibleNames() => _columns.Where(c => !c.IsHidden).Select(c => $"'{c.Name}' ({c.Type})");

    /// <inheritdoc/>
    public IEnumerator<Column> GetEnumerator() => ((IEnumerable<Column>)_columns).GetEnumerator();
    IEnumerator IEnumerable.GetEnumerator() => GetEnumerator();

    /// <summary>Visible columns as "Name: Type" lines.</summary>
    public override string ToString() => string.Join(Environment.NewLine, _columns.Where(c => !c.IsHidden).Select(c => $"{c.Name}: {c.Type}"));

    /// <summary>One column: name, position, type and annotations (key values, slot names).</summary>
    public sealed class Column
    {
        /// <summary>Column name.</summary>
        public string Name { get; }
        /// <summary>Position in the schema.</summary>
        public int Index { get; }
        /// <summary>True when a later column with the same name hides this one.</summary>
        public bool IsHidden { get; }
        /// <summary>The column type.</summary>
        public DataViewType Type { get; }
        /// <summary>Extra typed data about the column (<see cref="AnnotationUtils.KeyValues"/>, <see cref="AnnotationUtils.SlotNames"/>).</summary>
        public Annotations Annotations { get; }

        internal Column(string name, int index, bool isHidden, DataViewType type, Annotations annotations)
        { Name = name; Index = index; IsHidden = isHidden; Type = type; Annotations = annotations; }

        /// <inheritdoc/>
        public override string ToString() => $"{Name} ({Index}): {Type}{(IsHidden ? " [hidden]" : "")}";
    }

    /// <summary>Named, typed values attached to a column (ML.NET's annotations/metadata).</summary>
    public sealed class Annotations
    {
        private readonly (string Name, DataViewType Type, object Value)[] _items;
        /// <summary>No annotations.</summary>
        public static Annotations Empty { get; } = new([]);

        internal Annotations((string Name, DataViewType Type, object Value)[] items) { _items = items; }

        /// <summary>Names and types of the annotations present.</summary>
        public IEnumerable<(string Name, DataViewType Type)> Kinds => _items.Select(i => (i.Name, i.Type));
        /// <summary>True when annotation <paramref name="name"/> is present.</summary>
        public bool Has(string name) => _items.Any(i => i.Name == name);
        /// <summary>The type of annotation <paramref name="name"/>, or null.</summary>
        public DataViewType? GetTypeOrNull(string name) { foreach (var i in _items) if (i.Name == name) return i.Type; return null; }

        /// <summary>Reads annotation <paramref name="name"/> into <paramref name="value"/>.</summary>
        /// <exception cref="InvalidOperationException">Absent, or stored as a different .NET type.</exception>
        public void GetValue<T>(string name, ref T value)
        {
            foreach (var i in _items)
            {
                if (i.Name != name) continue;
                if (i.Value is T t) { value = t; return; }
                throw new InvalidOperationException($"annotation '{name}' has type {i.Type}, not {typeof(T).Name}");
            }
            throw new InvalidOperationException($"annotation '{name}' is not present");
        }

        /// <summary>Builds annotations.</summary>
        public sealed class Builder
        {
            private readonly List<(string, DataViewType, object)> _items = [];
            /// <summary>Adds annotation <paramref name="name"/> of type <paramref name="type"/> with <paramref name="value"/>.</summary>
            public Builder Add<T>(string name, DataViewType type, T value) where T : notnull
            {
                ArgumentException.ThrowIfNullOrEmpty(name);
                ArgumentNullException.ThrowIfNull(type);
                if (type.RawType != typeof(T)) throw new ArgumentException($"annotation '{name}': value type {typeof(T).Name} does not match {type}", nameof(value));
                _items.RemoveAll(i => i.Item1 == name);
                _items.Add((name, type, value));
                return this;
            }
            /// <summary>Adds the key-values annotation (names of keys 1..n).</summary>
            public Builder AddKeyValues(VBuffer<ReadOnlyMemory<char>> values) => Add(AnnotationUtils.KeyValues, new VectorDataViewType(TextDataViewType.Instance, values.Length), values);
            /// <summary>Adds the slot-names annotation (names of vector slots).</summary>
            public Builder AddSlotNames(VBuffer<ReadOnlyMemory<char>> values) => Add(AnnotationUtils.SlotNames, new VectorDataViewType(TextDataViewType.Instance, values.Length), values);
            /// <summary>Copies every annotation from <paramref name="other"/>.</summary>
            public Builder Add(Annotations other) { foreach (var i in other._items) { _items.RemoveAll(x => x.Item1 == i.Name); _items.Add(i); } return this; }
            /// <summary>The finished annotations.</summary>
            public Annotations ToAnnotations() => _items.Count == 0 ? Empty : new Annotations(_items.ToArray());
        }
    }

    /// <summary>Builds a schema column by column.</summary>
    public sealed class Builder
    {
        private readonly List<(string Name, DataViewType Type, Annotations Ann)> _cols = [];
        /// <summary>Appends a column.</summary>
        public Builder AddColumn(string name, DataViewType type, Annotations? annotations = null)
        {
            ArgumentException.ThrowIfNullOrEmpty(name);
            ArgumentNullException.ThrowIfNull(type);
            _cols.Add((name, type, annotations ?? Annotations.Empty));
            return this;
        }
        /// <summary>Appends every column of <paramref name="columns"/> (hidden state is recomputed).</summary>
        public Builder AddColumns(IEnumerable<Column> columns)
        {
            foreach (var c in columns) AddColumn(c.Name, c.Type, c.Annotations);
            return this;
        }
        /// <summary>The finished schema.</summary>
        public DataViewSchema ToSchema()
        {
            var last = new Dictionary<string, int>(StringComparer.Ordinal);
            for (int i = 0; i < _cols.Count; i++) last[_cols[i].Name] = i;
            var cols = new Column[_cols.Count];
            for (int i = 0; i < cols.Length; i++) cols[i] = new Column(_cols[i].Name, i, last[_cols[i].Name] != i, _cols[i].Type, _cols[i].Ann);
            return new DataViewSchema(cols);
        }
    }
}

/// <summary>Well-known annotation names and helpers for reading them.</summary>
public static class AnnotationUtils
{
    /// <summary>Names of key values (text vector of length key count) on a key column.</summary>
    public const string KeyValues = "KeyValues";
    /// <summary>Names of the slots (text vector of the vector's length) on a vector column.</summary>
    public const string SlotNames = "SlotNames";

    /// <summary>The key values of a key column, or null when it has none.</summary>
    public static VBuffer<ReadOnlyMemory<char>>? GetKeyValuesOrNull(this DataViewSchema.Column column)
    {
        if (!column.Annotations.Has(KeyValues)) return null;
        var v = default(VBuffer<ReadOnlyMemory<char>>);
        column.Annotations.GetValue(KeyValues, ref v);
        return v;
    }

    /// <summary>The slot names of a vector column, or null when it has none.</summary>
    public static VBuffer<ReadOnlyMemory<char>>? GetSlotNamesOrNull(this DataViewSchema.Column column)
    {
        if (!column.Annotations.Has(SlotNames)) return null;
        var v = default(VBuffer<ReadOnlyMemory<char>>);
        column.Annotations.GetValue(SlotNames, ref v);
        return v;
    }

    /// <summary>A dense text vector from strings (for key values and slot names).</summary>
    public static VBuffer<ReadOnlyMemory<char>> TextVector(IReadOnlyList<string> names)
    {
        var a = new ReadOnlyMemory<char>[names.Count];
        for (int i = 0; i < a.Length; i++) a[i] = names[i].AsMemory();
        return new VBuffer<ReadOnlyMemory<char>>(a.Length, a);
    }
}
