namespace VaeText.Data;

/// <summary>Source column index (0-based) of a field or property when loading text files with <c>LoadFromTextFile&lt;T&gt;</c>.</summary>
[AttributeUsage(AttributeTargets.Field | AttributeTargets.Property)]
public sealed class LoadColumnAttribute : Attribute
{
    /// <summary>Reads the member from file column <paramref name="columnIndex"/>.</summary>
    public LoadColumnAttribute(int columnIndex)
    {
        if (columnIndex < 0) throw new ArgumentOutOfRangeException(nameof(columnIndex), columnIndex, "must be non-negative");
        Start = End = columnIndex;
    }
    /// <summary>Reads a float vector member from file columns <paramref name="start"/>..<paramref name="end"/> (inclusive).</summary>
    public LoadColumnAttribute(int start, int end)
    {
        if (start < 0 || end < start) throw new ArgumentOutOfRangeException(nameof(end), end, $"need 0 <= start ({start}) <= end");
        Start = start; End = end;
    }
    /// <summary>First file column.</summary>
    public int Start { get; }
    /// <summary>Last file column (inclusive).</summary>
    public int End { get; }
}

/// <summary>The data-view column name of a field or property (default: the member name).</summary>
[AttributeUsage(AttributeTargets.Field | AttributeTargets.Property)]
public sealed class ColumnNameAttribute(string name) : Attribute
{
    /// <summary>The column name.</summary>
    public string Name { get; } = string.IsNullOrEmpty(name) ? throw new ArgumentException("column name must not be empty", nameof(name)) : name;
}

/// <summary>Declares a <c>float[]</c> member as a fixed-size vector of <see cref="Size"/> slots (without it the vector has variable size).</summary>
[AttributeUsage(AttributeTargets.Field | AttributeTargets.Property)]
public sealed class VectorTypeAttribute(int size) : Attribute
{
    /// <summary>The vector size (positive).</summary>
    public int Size { get; } = size > 0 ? size : throw new ArgumentOutOfRangeException(nameof(size), size, "must be positive");
}

/// <summary>Declares a <c>uint</c> member as a key column with <see cref="Count"/> values (0 = missing).</summary>
[AttributeUsage(AttributeTargets.Field | AttributeTargets.Property)]
public sealed class KeyTypeAttribute(ulong count) : Attribute
{
    /// <summary>Number of valid keys.</summary>
    public ulong Count { get; } = count > 0 ? count : throw new ArgumentOutOfRangeException(nameof(count), count, "must be positive");
}

/// <summary>Excludes a public field or property from the data-view mapping.</summary>
[AttributeUsage(AttributeTargets.Field | AttributeTargets.Property)]
public sealed class NoColumnAttribute : Attribute { }
