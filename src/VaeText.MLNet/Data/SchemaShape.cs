using System.Collections;

namespace VaeText.Data;

/// <summary>
/// What an estimator promises about a schema before any data is seen (ML.NET's <c>SchemaShape</c>): column names,
/// scalar/vector kind, item type and key-ness, without sizes or annotation values that only training reveals.
/// </summary>
public sealed class SchemaShape : IReadOnlyList<SchemaShape.Column>
{
    private readonly Column[] _columns;

    /// <summary>A shape from columns (later columns hide earlier ones of the same name).</summary>
    public SchemaShape(IEnumerable<Column> columns)
    {
        ArgumentNullException.ThrowIfNull(columns);
        var list = new List<Column>();
        foreach (var c in columns) { list.RemoveAll(x => x.Name == c.Name); list.Add(c); }
        _columns = list.ToArray();
    }

    /// <summary>The shape of an existing schema (visible columns only).</summary>
    public static SchemaShape Create(DataViewSchema schema)
    {
        ArgumentNullException.ThrowIfNull(schema);
        return new SchemaShape(schema.Where(c => !c.IsHidden).Select(Column.From));
    }

    /// <summary>Number of columns.</summary>
    public int Count => _columns.Length;
    /// <summary>The column at <paramref name="index"/>.</summary>
    public Column this[int index] => _columns[index];
    /// <summary>Finds a column by name.</summary>
    public bool TryFindColumn(string name, out Column column)
    {
        foreach (var c in _columns) if (c.Name == name) { column = c; return true; }
        column = default;
        return false;
    }
    /// <inheritdoc/>
    public IEnumerator<Column> GetEnumerator() => ((IEnumerable<Column>)_columns).GetEnumerator();
    IEnumerator IEnumerable.GetEnumerator() => GetEnumerator();
    /// <inheritdoc/>
    public override string ToString() => string.Join(Environment.NewLine, _columns.Select(c => c.ToString()));

    /// <summary>
    /// Checks that every column of this shape exists in <paramref name="schema"/> with the same kind, item type and
    /// key-ness; returns the first mismatch as a message, or null when compatible.
    /// </summary>
    public string? FindMismatch(DataViewSchema schema)
    {
        foreach (var c in _columns)
        {
            var actual = schema.GetColumnOrNull(c.Name);
            if (actual is null) return $"promised column '{c.Name}' is missing";
            var a = Column.From(actual);
            if (!c.IsCompatibleWith(a)) return $"column '{c.Name}': promised {c}, actual {a}";
        }
        return null;
    }

    /// <summary>Scalar, fixed-size vector or variable-size vector.</summary>
    public enum VectorKind
    {
        /// <summary>One value per row.</summary>
        Scalar,
        /// <summary>A vector of known size.</summary>
        Vector,
        /// <summary>A vector whose size varies by row.</summary>
        VariableVector,
    }

    /// <summary>The promised shape of one column.</summary>
    public readonly struct Column
    {
        /// <summary>Column name.</summary>
        public string Name { get; }
        /// <summary>Scalar or vector.</summary>
        public VectorKind Kind { get; }
        /// <summary>
        /// The item type: <see cref="TextDataViewType"/>, <see cref="NumberDataViewType.Single"/>,
        /// <see cref="BooleanDataViewType"/>; for key columns (<see cref="IsKey"/>) the item type is the key type
        /// when known, otherwise null.
        /// </summary>
        public DataViewType? ItemType { get; }
        /// <summary>True for key columns.</summary>
        public bool IsKey { get; }
        /// <summary>Names of the annotations the column will carry.</summary>
        public IReadOnlyList<string> Annotations { get; }

        /// <summary>Creates a column shape.</summary>
        public Column(string name, VectorKind kind, DataViewType? itemType, bool isKey, IReadOnlyList<string>? annotations = null)
        {
            ArgumentException.ThrowIfNullOrEmpty(name);
            if (!isKey && itemType is null) throw new ArgumentNullException(nameof(itemType), "non-key columns need an item type");
            Name = name; Kind = kind; ItemType = itemType; IsKey = isKey; Annotations = annotations ?? [];
        }

        /// <summary>The shape of an actual schema column.</summary>
        public static Column From(DataViewSchema.Column c)
        {
            var ann = c.Annotations.Kinds.Select(k => k.Name).ToArray();
            return c.Type switch
            {
                VectorDataViewType v => new Column(c.Name, v.IsKnownSize ? VectorKind.Vector : VectorKind.VariableVector, v.ItemType, false, ann),
                KeyDataViewType k => new Column(c.Name, VectorKind.Scalar, k, true, ann),
                _ => new Column(c.Name, VectorKind.Scalar, c.Type, false, ann),
            };
        }

        /// <summary>True for a single (scalar) float column.</summary>
        public bool IsSingle => Kind == VectorKind.Scalar && !IsKey && ItemType is NumberDataViewType;
        /// <summary>True for a scalar text column.</summary>
        public bool IsText => Kind == VectorKind.Scalar && ItemType is TextDataViewType;
        /// <summary>True for a known-size float vector.</summary>
        public bool IsFloatVector => Kind == VectorKind.Vector && ItemType is NumberDataViewType;

        /// <summary>Same kind, key-ness and (for non-keys) item type.</summary>
        public bool IsCompatibleWith(Column other) =>
            Name == other.Name && Kind == other.Kind && IsKey == other.IsKey && (IsKey || Equals(ItemType, other.ItemType));

        /// <inheritdoc/>
        public override string ToString() => $"{Name}: {Kind} {(IsKey ? "Key" : ItemType?.ToString())}";
    }
}
