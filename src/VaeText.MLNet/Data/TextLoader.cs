using System.Globalization;
using CsvHelper;
using VaeText.Core;

namespace VaeText.Data;

/// <summary>The kind of value a <see cref="TextLoader.Column"/> holds.</summary>
public enum DataKind
{
    /// <summary>Text (<see cref="TextDataViewType"/>).</summary>
    String,
    /// <summary>32-bit float; empty fields read as NaN.</summary>
    Single,
    /// <summary>Boolean: true/false/1/0 (case-insensitive).</summary>
    Boolean,
}

/// <summary>
/// A lazy view over a delimited text file (from <c>Data.LoadFromTextFile</c>). Each cursor opens the file and
/// streams it; nothing is held in memory beyond the current row. Bad fields raise <see cref="DataFormatException"/> (a <see cref="FormatException"/>)
/// naming the file, the 1-based line and the column.
/// </summary>
public sealed class TextLoader : IDataView
{
    /// <summary>A column to load: its name, kind and source field(s) by index or header name.</summary>
    public sealed class Column
    {
        /// <summary>Loads field <paramref name="index"/> (0-based).</summary>
        public Column(string name, DataKind kind, int index) : this(name, kind, index, index) { }
        /// <summary>Loads fields <paramref name="start"/>..<paramref name="end"/> (inclusive) as a float vector.</summary>
        public Column(string name, DataKind kind, int start, int end)
        {
            ArgumentException.ThrowIfNullOrEmpty(name);
            if (start < 0 || end < start) throw new ArgumentOutOfRangeException(nameof(end), end, $"need 0 <= start ({start}) <= end");
            if (end > start && kind != DataKind.Single) throw new ArgumentException($"column '{name}': a range of fields must be Single", nameof(kind));
            Name = name; Kind = kind; Start = start; End = end;
        }
        /// <summary>Loads the field whose header is <paramref name="sourceName"/> (needs hasHeader).</summary>
        public Column(string name, DataKind kind, string sourceName)
        {
            ArgumentException.ThrowIfNullOrEmpty(name);
            ArgumentException.ThrowIfNullOrEmpty(sourceName);
            Name = name; Kind = kind; SourceName = sourceName; Start = End = -1;
        }
        /// <summary>Output column name.</summary>
        public string Name { get; }
        /// <summary>Value kind.</summary>
        public DataKind Kind { get; }
        /// <summary>First source field, or -1 when selected by <see cref="SourceName"/>.</summary>
        public int Start { get; }
        /// <summary>Last source field (inclusive).</summary>
        public int End { get; }
        /// <summary>Header name of the source field, or null.</summary>
        public string? SourceName { get; }
    }

    private readonly string _path;
    private readonly char _sep;
    private readonly bool _hasHeader, _quoting;
    private readonly (int Start, int End, DataKind Kind)[] _cols;

    internal TextLoader(string path, Column[] columns, bool hasHeader, char separatorChar, bool allowQuoting)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        ArgumentNullException.ThrowIfNull(columns);
        if (columns.Length == 0) throw new ArgumentException("at least one column is needed", nameof(columns));
        if (!File.Exists(path)) throw new FileNotFoundException($"data file '{path}' not found", path);
        if (separatorChar is '\n' or '\r' or '"') throw new ArgumentOutOfRangeException(nameof(separatorChar), separatorChar, "cannot be a newline or quote");
        _path = path; _sep = separatorChar; _hasHeader = hasHeader; _quoting = allowQuoting;
        string[]? header = null;
        if (hasHeader)
        {
            using var csv = Open();
            try { header = csv.Headers.ToArray(); }
            catch (CsvFormatException e) { throw new DataFormatException($"bad header: {e.Message}", path, 1, innerException: e); }
            if (header.Length == 0) throw new DataFormatException("the file is empty but hasHeader is true", path, 1);
        }
        _cols = new (int, int, DataKind)[columns.Length];
        var b = new DataViewSchema.Builder();
        for (int i = 0; i < columns.Length; i++)
        {
            var c = columns[i] ?? throw new ArgumentNullException(nameof(columns), $"column {i} is null");
            int s = c.Start, e = c.End;
            if (c.SourceName is not null)
            {
                if (header is null) throw new ArgumentException($"column '{c.Name}' selects field '{c.SourceName}' by name, which needs hasHeader: true", nameof(columns));
                s = e = Array.IndexOf(header, c.SourceName);
                if (s < 0) throw new ArgumentException($"{path}: header has no field '{c.SourceName}' (fields: {string.Join(", ", header)})", nameof(columns));
            }
            else if (header is not null && e >= header.Length)
                throw new ArgumentException($"{path}: column '{c.Name}' reads field {e}, but the header has {header.Length} fields", nameof(columns));
            _cols[i] = (s, e, c.Kind);
            DataViewType t = e > s ? new VectorDataViewType(NumberDataViewType.Single, e - s + 1)
                : c.Kind switch { DataKind.String => TextDataViewType.Instance, DataKind.Single => NumberDataViewType.Single, _ => BooleanDataViewType.Instance };
            b.AddColumn(c.Name, t);
        }
        Schema = b.ToSchema();
    }

    private CsvReader Open() => CsvReader.FromFile(_path, new CsvReaderOptions
    {
        Separator = _sep,
        HasHeader = _hasHeader,
        Mode = _quoting ? CsvMode.Rfc4180 : CsvMode.NoEscape,
        TrackLineNumbers = true,
        SkipEmptyLines = true,
        MalformedData = CsvMalformedDataHandling.Throw,
        FieldCountMismatch = CsvFieldCountHandling.Allow,
        MissingField = CsvMissingFieldHandling.Throw,
        PoolStrings = false,
    });

    private static readonly System.Text.UTF8Encoding s_utf8 = new(false, true);

    /// <inheritdoc/>
    public DataViewSchema Schema { get; }
    /// <inheritdoc/>
    public bool CanShuffle => false;
    /// <inheritdoc/>
    public long? GetRowCount() => null;

    /// <inheritdoc/>
    public DataViewRowCursor GetRowCursor(IEnumerable<DataViewSchema.Column> columnsNeeded, Rng? rand = null)
    {
        var active = new bool[Schema.Count];
        foreach (var c in columnsNeeded) active[c.Index] = true;
        return new Cursor(this, active);
    }

    private sealed class Cursor : DataViewRowCursor
    {
        private readonly TextLoader _p;
        private readonly bool[] _active;
        private readonly CsvReader _csv;
        private readonly object?[] _values;
        private long _pos = -1;

        public Cursor(TextLoader p, bool[] active)
        {
            _p = p; _active = active; _csv = p.Open(); _values = new object?[p._cols.Length];
            if (p._hasHeader) _ = _csv.Headers;
        }

        public override DataViewSchema Schema => _p.Schema;
        public override long Position => _pos;
        public override bool IsColumnActive(DataViewSchema.Column column) => _active[column.Index];

        public override bool MoveNext()
        {
            try { if (!_csv.Read()) return false; }
            catch (CsvFormatException e) { throw new DataFormatException(e.Message, _p._path, e.LineNumber > 0 ? e.LineNumber : null, innerException: e); }
            _pos++;
            long line = _csv.LineNumber;
            int n = _csv.FieldCount;
            for (int i = 0; i < _p._cols.Length; i++)
            {
                if (!_active[i]) continue;
                var (s, e, kind) = _p._cols[i];
                if (e >= n) throw new DataFormatException($"the column reads field {e + 1}, but the line has {n} fields", _p._path, line, _p.Schema[i].Name, e + 1);
                if (e > s)
                {
                    var a = new float[e - s + 1];
                    for (int f = s; f <= e; f++) a[f - s] = ParseSingle(Field(f, line, i), line, f, i);
                    _values[i] = new VBuffer<float>(a.Length, a);
                }
                else
                {
                    string field = Field(s, line, i);
                    _values[i] = kind switch
                    {
                        DataKind.String => field.AsMemory(),
                        DataKind.Single => ParseSingle(field, line, s, i),
                        _ => ParseBool(field, line, s, i),
                    };
                }
            }
            return true;
        }

        private string Field(int i, long line, int col)
        {
            var bytes = _csv.GetSpan(i);
            if (bytes.IsEmpty) return string.Empty;
            try { return s_utf8.GetString(bytes); }
            catch (System.Text.DecoderFallbackException e) { throw new DataFormatException("the text is not valid UTF-8", _p._path, line, _p.Schema[col].Name, i + 1, e); }
        }

        private float ParseSingle(string f, long line, int field, int col)
        {
            if (f.Length == 0 || f == "?") return float.NaN;
            if (float.TryParse(f, NumberStyles.Float, CultureInfo.InvariantCulture, out float v)) return v;
            throw new DataFormatException($"'{Trim(f)}' is not a number", _p._path, line, _p.Schema[col].Name, field + 1);
        }

        private bool ParseBool(string f, long line, int field, int col)
        {
            var t = f.Trim();
            if (t == "1" || t.Equals("true", StringComparison.OrdinalIgnoreCase)) return true;
            if (t == "0" || t.Equals("false", StringComparison.OrdinalIgnoreCase)) return false;
            throw new DataFormatException($"'{Trim(f)}' is not a boolean (true/false/1/0)", _p._path, line, _p.Schema[col].Name, field + 1);
        }

        private static string Trim(string s) => s.Length > 40 ? s[..40] + "…" : s;

        public override ValueGetter<TValue> GetGetter<TValue>(DataViewSchema.Column column)
        {
            CheckGetter<TValue>(column);
            int i = column.Index;
            return (ref TValue value) =>
            {
                if (_pos < 0) throw new InvalidOperationException("the cursor is not on a row (call MoveNext first)");
                value = (TValue)_values[i]!;
            };
        }

        protected override void Dispose(bool disposing) { if (disposing) _csv.Dispose(); }
    }
}
