namespace VaeText.Data;

/// <summary>
/// An immutable vector value, dense or sparse (ML.NET's <c>VBuffer&lt;T&gt;</c>). Dense: <see cref="GetValues"/>
/// has <see cref="Length"/> items. Sparse: <see cref="GetIndices"/> lists the stored slots in strictly ascending
/// order and <see cref="GetValues"/> their values; every other slot is <c>default(T)</c>.
/// The arrays are owned by the buffer once constructed: do not modify them afterwards.
/// </summary>
public readonly struct VBuffer<T>
{
    private readonly T[]? _values;
    private readonly int[]? _indices;
    private readonly int _count;

    /// <summary>The logical length (dimension) of the vector.</summary>
    public int Length { get; }
    /// <summary>True when every slot is stored.</summary>
    public bool IsDense => _indices is null;

    /// <summary>A dense vector over the first <paramref name="length"/> items of <paramref name="values"/>.</summary>
    public VBuffer(int length, T[] values)
    {
        ArgumentNullException.ThrowIfNull(values);
        if (length < 0 || length > values.Length) throw new ArgumentOutOfRangeException(nameof(length), length, $"must be in [0, {values.Length}]");
        Length = length; _values = values; _indices = null; _count = length;
    }

    /// <summary>A sparse vector: <paramref name="count"/> entries, slot <paramref name="indices"/>[i] holding <paramref name="values"/>[i].</summary>
    /// <exception cref="ArgumentException">Indices are not strictly ascending or fall outside [0, length).</exception>
    public VBuffer(int length, int count, T[] values, int[] indices)
    {
        ArgumentNullException.ThrowIfNull(values);
        ArgumentNullException.ThrowIfNull(indices);
        if (length < 0) throw new ArgumentOutOfRangeException(nameof(length), length, "must be non-negative");
        if (count < 0 || count > values.Length || count > indices.Length || count > length)
            throw new ArgumentOutOfRangeException(nameof(count), count, "exceeds the arrays or the length");
        int prev = -1;
        for (int i = 0; i < count; i++)
        {
            if (indices[i] <= prev || indices[i] >= length) throw new ArgumentException($"sparse index {indices[i]} at position {i} is out of order or outside [0, {length})", nameof(indices));
            prev = indices[i];
        }
        Length = length; _values = values; _indices = indices; _count = count;
    }

    /// <summary>The stored values (all <see cref="Length"/> for dense, the explicit entries for sparse).</summary>
    public ReadOnlySpan<T> GetValues() => _values is null ? default : _values.AsSpan(0, _count);
    /// <summary>The slot of each stored value (empty for dense vectors).</summary>
    public ReadOnlySpan<int> GetIndices() => _indices is null ? default : _indices.AsSpan(0, _count);

    /// <summary>The value of slot <paramref name="slot"/>.</summary>
    public T GetItemOrDefault(int slot)
    {
        if ((uint)slot >= (uint)Length) throw new ArgumentOutOfRangeException(nameof(slot), slot, $"must be in [0, {Length})");
        if (_indices is null) return _values![slot];
        int p = Array.BinarySearch(_indices, 0, _count, slot);
        return p >= 0 ? _values![p] : default!;
    }

    /// <summary>Writes all <see cref="Length"/> slots into <paramref name="destination"/> (zeros for unstored slots).</summary>
    public void CopyTo(Span<T> destination)
    {
        if (destination.Length < Length) throw new ArgumentException($"destination has {destination.Length} items, need {Length}", nameof(destination));
        if (_indices is null) { GetValues().CopyTo(destination); return; }
        destination[..Length].Clear();
        var v = GetValues(); var ix = GetIndices();
        for (int i = 0; i < ix.Length; i++) destination[ix[i]] = v[i];
    }

    /// <summary>A new dense array of all slots.</summary>
    public T[] DenseValues()
    {
        var a = new T[Length];
        CopyTo(a);
        return a;
    }

    /// <summary>Enumerates (slot, value) for the stored entries.</summary>
    public IEnumerable<KeyValuePair<int, T>> Items()
    {
        for (int i = 0; i < _count; i++) yield return new(_indices is null ? i : _indices[i], _values![i]);
    }
}
