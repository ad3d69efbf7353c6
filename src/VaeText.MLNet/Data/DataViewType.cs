namespace VaeText.Data;

/// <summary>
/// The type of a column in a <see cref="DataViewSchema"/> (ML.NET's <c>DataViewType</c>). Every type names the .NET
/// type a getter returns through <see cref="RawType"/>:
/// text → <see cref="ReadOnlyMemory{T}"/> of <see cref="char"/>, single → <see cref="float"/>,
/// boolean → <see cref="bool"/>, key → <see cref="uint"/> (0 = missing, 1..Count = values),
/// vector → <see cref="VBuffer{T}"/> of <see cref="float"/>.
/// </summary>
public abstract class DataViewType : IEquatable<DataViewType>
{
    /// <summary>The .NET type of a value of this column (what <c>GetGetter&lt;T&gt;</c> must be called with).</summary>
    public Type RawType { get; }

    private protected DataViewType(Type rawType) { RawType = rawType; }

    /// <inheritdoc/>
    public abstract bool Equals(DataViewType? other);
    /// <inheritdoc/>
    public override bool Equals(object? obj) => obj is DataViewType t && Equals(t);
    /// <inheritdoc/>
    public override int GetHashCode() => (ToString() ?? "").GetHashCode(StringComparison.Ordinal);
}

/// <summary>Text: values are <see cref="ReadOnlyMemory{T}"/> of <see cref="char"/> (as in ML.NET; an empty memory is the empty/missing text).</summary>
public sealed class TextDataViewType : DataViewType
{
    /// <summary>The single instance.</summary>
    public static TextDataViewType Instance { get; } = new();
    private TextDataViewType() : base(typeof(ReadOnlyMemory<char>)) { }
    /// <inheritdoc/>
    public override bool Equals(DataViewType? other) => other is TextDataViewType;
    /// <inheritdoc/>
    public override string ToString() => "Text";
}

/// <summary>Numbers. VaeText columns use 32-bit floats only (<see cref="Single"/>); NaN is the missing value.</summary>
public sealed class NumberDataViewType : DataViewType
{
    /// <summary>32-bit floating point (<see cref="float"/>).</summary>
    public static NumberDataViewType Single { get; } = new();
    private NumberDataViewType() : base(typeof(float)) { }
    /// <inheritdoc/>
    public override bool Equals(DataViewType? other) => other is NumberDataViewType;
    /// <inheritdoc/>
    public override string ToString() => "Single";
}

/// <summary>Booleans (<see cref="bool"/>).</summary>
public sealed class BooleanDataViewType : DataViewType
{
    /// <summary>The single instance.</summary>
    public static BooleanDataViewType Instance { get; } = new();
    private BooleanDataViewType() : base(typeof(bool)) { }
    /// <inheritdoc/>
    public override bool Equals(DataViewType? other) => other is BooleanDataViewType;
    /// <inheritdoc/>
    public override string ToString() => "Boolean";
}

/// <summary>
/// A key (categorical id) stored as <see cref="uint"/>: 0 is the missing key, 1..<see cref="Count"/> are the valid
/// values. The column usually carries a <see cref="AnnotationUtils.KeyValues"/> annotation (a text vector of length
/// <see cref="Count"/>) naming each key.
/// </summary>
public sealed class KeyDataViewType : DataViewType
{
    /// <summary>Number of valid keys (at least 1).</summary>
    public ulong Count { get; }

    /// <summary>Creates a key type with <paramref name="count"/> valid values.</summary>
    public KeyDataViewType(ulong count) : base(typeof(uint))
    {
        if (count == 0 || count > uint.MaxValue) throw new ArgumentOutOfRangeException(nameof(count), count, "key count must be in [1, uint.MaxValue]");
        Count = count;
    }
    /// <inheritdoc/>
    public override bool Equals(DataViewType? other) => other is KeyDataViewType k && k.Count == Count;
    /// <inheritdoc/>
    public override string ToString() => $"Key<UInt32, 0-{Count - 1}>";
}

/// <summary>
/// A vector of <see cref="float"/> values (<see cref="VBuffer{T}"/>), dense or sparse. <see cref="Size"/> 0 means
/// variable length (not produced by VaeText transforms, accepted by some consumers).
/// </summary>
public sealed class VectorDataViewType : DataViewType
{
    /// <summary>The item type (always <see cref="NumberDataViewType.Single"/> or <see cref="TextDataViewType"/> for annotation vectors).</summary>
    public DataViewType ItemType { get; }
    /// <summary>The fixed length, or 0 for variable length.</summary>
    public int Size { get; }
    /// <summary>True when <see cref="Size"/> is positive.</summary>
    public bool IsKnownSize => Size > 0;

    /// <summary>Creates a vector type.</summary>
    /// <param name="itemType">Single (for columns) or Text (for annotation values).</param>
    /// <param name="size">Fixed length, or 0 for variable length.</param>
    public VectorDataViewType(DataViewType itemType, int size = 0)
        : base(itemType is TextDataViewType ? typeof(VBuffer<ReadOnlyMemory<char>>) : typeof(VBuffer<float>))
    {
        ArgumentNullException.ThrowIfNull(itemType);
        if (itemType is not (NumberDataViewType or TextDataViewType))
            throw new ArgumentException($"vector items must be Single or Text, got {itemType}", nameof(itemType));
        if (size < 0) throw new ArgumentOutOfRangeException(nameof(size), size, "must be non-negative");
        ItemType = itemType; Size = size;
    }
    /// <inheritdoc/>
    public override bool Equals(DataViewType? other) => other is VectorDataViewType v && v.Size == Size && v.ItemType.Equals(ItemType);
    /// <inheritdoc/>
    public override string ToString() => $"Vector<{ItemType}, {(Size > 0 ? Size.ToString(System.Globalization.CultureInfo.InvariantCulture) : "*")}>";
}
