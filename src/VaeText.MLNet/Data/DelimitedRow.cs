namespace VaeText.Data;

/// <summary>One record of a delimited file: its 1-based physical line number and its fields.</summary>
public sealed class DelimitedRow
{
    private readonly string[] _fields;

    internal DelimitedRow(long line, string[] fields)
    {
        Line = line;
        _fields = fields;
    }

    /// <summary>The 1-based physical line on which the record starts (the header and empty lines are counted).</summary>
    public long Line { get; }

    /// <summary>The fields of the record, in file order.</summary>
    public IReadOnlyList<string> Fields => _fields;

    /// <summary>The number of fields.</summary>
    public int Count => _fields.Length;

    /// <summary>The field at the 0-based <paramref name="index"/>.</summary>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="index"/> is not in [0, <see cref="Count"/>).</exception>
    public string this[int index] => (uint)index < (uint)_fields.Length
        ? _fields[index]
        : throw new ArgumentOutOfRangeException(nameof(index), index, $"the record on line {Line} has {_fields.Length} fields");
}
