using System.Text;
using Microsoft.ML;
using Microsoft.ML.Data;

namespace VaeText.Pipelines;

/// <summary>
/// A delimited text file with a header row (TSV, or CSV with quoting), checked in one pass before ML.NET's
/// <see cref="TextLoader"/> reads it: ML.NET's loader silently pads short rows, drops extra fields and replaces
/// invalid UTF-8, so a broken file is refused here with a message naming the file, line and column instead.
/// Columns are chosen by their header name (exact, else ignoring case) and loaded as text.
/// </summary>
internal sealed class DelimitedTextFile
{
    private const int MaxQuoted = 80;

    /// <summary>Full path of the file.</summary>
    public string Path { get; }
    /// <summary>Field separator.</summary>
    public char Separator { get; }
    /// <summary>True for CSV-style quoting ("a, b" and "" escapes; a quoted field may span lines).</summary>
    public bool Quoting { get; }
    /// <summary>Column names of the header row.</summary>
    public IReadOnlyList<string> Header { get; }
    /// <summary>Number of data rows (blank lines are not rows).</summary>
    public int Rows { get; }

    private DelimitedTextFile(string path, char separator, bool quoting, IReadOnlyList<string> header, int rows)
    {
        Path = path; Separator = separator; Quoting = quoting; Header = header; Rows = rows;
    }

    /// <summary>
    /// The separator for a file: <paramref name="separator"/> when given ("tab", "comma", "semicolon", "pipe" or one
    /// character), else by extension (<c>.csv</c> comma, anything else tab). Quoting is on for every separator but tab.
    /// </summary>
    public static (char Separator, bool Quoting) SeparatorFor(string path, string? separator)
    {
        char c;
        if (string.IsNullOrEmpty(separator))
            c = path.EndsWith(".csv", StringComparison.OrdinalIgnoreCase) ? ',' : '\t';
        else
        {
            c = separator.ToLowerInvariant() switch
            {
                "tab" or "\\t" or "\t" => '\t',
                "comma" or "," => ',',
                "semicolon" or ";" => ';',
                "pipe" or "|" => '|',
                _ when separator.Length == 1 && separator[0] != '"' && separator[0] != '\n' && separator[0] != '\r' => separator[0],
                _ => throw new ArgumentException($"--separator must be tab, comma, semicolon, pipe or one character other than a quote or newline (got '{separator}')."),
            };
        }
        return (c, c != '\t');
    }

    /// <summary>
    /// Reads the whole file once and checks it: not empty, a header row, a data row, every row with as many fields as
    /// the header, valid UTF-8, closed quotes. Throws <see cref="InvalidDataException"/> naming the file, line and
    /// column otherwise; <see cref="FileNotFoundException"/> when it does not exist.
    /// </summary>
    public static DelimitedTextFile Open(string path, string? separator = null, CancellationToken ct = default)
    {
        string full = System.IO.Path.GetFullPath(path);
        if (!File.Exists(full)) throw new FileNotFoundException($"file not found: {path}", path);
        var (sep, quoting) = SeparatorFor(full, separator);
        string name = System.IO.Path.GetFileName(full);
        using var stream = new FileStream(full, FileMode.Open, FileAccess.Read, FileShare.Read, 1 << 16);
        var reader = new RecordReader(stream, (byte)sep, quoting);
        List<string>? header = null;
        int rows = 0;
        while (reader.Next(out var record, out int line))
        {
            if (((rows + 1) & 4095) == 0) ct.ThrowIfCancellationRequested();
            if (record.Fields.Count == 1 && record.Fields[0].Length == 0) continue; // a blank line
            int bad = record.FirstInvalidUtf8Field();
            if (bad >= 0)
                throw new InvalidDataException($"{name}: line {line}, column {bad + 1}{(header is not null && bad < header.Count ? " ('" + Short(header[bad]) + "')" : "")}: the text is not valid UTF-8; save the file as UTF-8.");
            if (header is null)
            {
                header = record.Fields.Select(f => Encoding.UTF8.GetString(f.Span)).ToList();
                if (header[0].Length > 0 && header[0][0] == '\uFEFF') header[0] = header[0][1..];
                continue;
            }
            if (record.Fields.Count != header.Count)
                throw new InvalidDataException($"{name}: line {line} has {record.Fields.Count} field{(record.Fields.Count == 1 ? "" : "s")}, the header has {header.Count} " +
                    $"({(quoting ? "an unquoted separator in a text, or a missing field?" : "a tab inside a text, or a missing field?")}).");
            rows++;
        }
        if (reader.OpenQuoteLine is int open)
            throw new InvalidDataException($"{name}: line {open}: a quote opened here is never closed.");
        if (header is null)
            throw new InvalidDataException($"{name}: the file is empty; expected a header row (e.g. label{(sep == '\t' ? "<TAB>" : sep.ToString())}text) and one document per line.");
        if (rows == 0) throw new InvalidDataException($"{name}: no documents after the header row.");
        return new DelimitedTextFile(full, sep, quoting, header, rows);
    }

    /// <summary>
    /// The index of the column named <paramref name="column"/> (exact match, else the only one equal ignoring case);
    /// throws <see cref="InvalidDataException"/> naming the file's columns when there is none.
    /// </summary>
    public int ColumnIndex(string column, string option)
    {
        int i = IndexOf(Header, column, StringComparison.Ordinal);
        if (i >= 0) return i;
        var ci = Header.Select((h, k) => (h, k)).Where(p => p.h.Equals(column, StringComparison.OrdinalIgnoreCase)).ToList();
        if (ci.Count == 1) return ci[0].k;
        string name = System.IO.Path.GetFileName(Path);
        string hint = "";
        if (Header.Count == 1)
        {
            if (Separator == '\t' && Header[0].Contains(',')) hint = "; the file looks comma-separated: name it .csv or pass --separator comma";
            else if (Separator == ',' && Header[0].Contains('\t')) hint = "; the file looks tab-separated: name it .tsv or pass --separator tab";
        }
        throw new InvalidDataException($"{name}: no column named '{Short(column)}' in the header (line 1; columns: {string.Join(", ", Header.Take(20).Select(h => "'" + Short(h) + "'"))}{(Header.Count > 20 ? ", ..." : "")}); choose one with {option}{hint}.");
    }

    /// <summary>
    /// Loads the given columns (by field index) as text columns with the given names, in the order given, through
    /// ML.NET's <see cref="TextLoader"/>.
    /// </summary>
    public IDataView Load(MLContext mlContext, params (string Name, int Index)[] columns)
    {
        var loader = mlContext.Data.CreateTextLoader(new TextLoader.Options
        {
            Columns = [.. columns.Select(c => new TextLoader.Column(c.Name, DataKind.String, c.Index))],
            HasHeader = true,
            Separators = [Separator],
            AllowQuoting = Quoting,
            ReadMultilines = Quoting,
            TrimWhitespace = false,
            AllowSparse = false,
        });
        return loader.Load(Path);
    }

    private static int IndexOf(IReadOnlyList<string> list, string value, StringComparison comparison)
    {
        for (int i = 0; i < list.Count; i++) if (string.Equals(list[i], value, comparison)) return i;
        return -1;
    }

    private static string Short(string s) => s.Length <= MaxQuoted ? s : s[..MaxQuoted] + $"... ({s.Length} characters)";

    /// <summary>One record: its fields as raw UTF-8 bytes (quotes removed).</summary>
    private sealed class Record
    {
        public List<ReadOnlyMemory<byte>> Fields { get; } = new();

        public int FirstInvalidUtf8Field()
        {
            for (int i = 0; i < Fields.Count; i++)
                if (!System.Text.Unicode.Utf8.IsValid(Fields[i].Span)) return i;
            return -1;
        }
    }

    /// <summary>Splits a byte stream into records and fields; LF or CRLF line ends; CSV quoting when enabled.</summary>
    private sealed class RecordReader(Stream stream, byte separator, bool quoting)
    {
        private readonly byte[] _buffer = new byte[1 << 16];
        private int _pos, _len;
        private bool _eof, _started;
        private int _line;
        private byte[] _acc = new byte[1 << 12];
        private int _accLen;
        private readonly List<(int Start, int Length)> _spans = new();

        /// <summary>The line of a quote still open at the end of the file, or null.</summary>
        public int? OpenQuoteLine { get; private set; }

        private int ReadByte()
        {
            if (_pos == _len)
            {
                if (_eof) return -1;
                _len = stream.Read(_buffer, 0, _buffer.Length);
                _pos = 0;
                if (_len == 0) { _eof = true; return -1; }
            }
            return _buffer[_pos++];
        }

        private int Peek()
        {
            int b = ReadByte();
            if (b >= 0) _pos--;
            return b;
        }

        private void Append(int b)
        {
            if (_accLen == _acc.Length) Array.Resize(ref _acc, _acc.Length * 2);
            _acc[_accLen++] = (byte)b;
        }

        public bool Next(out Record record, out int line)
        {
            record = new Record();
            int b = ReadByte();
            if (!_started)
            {
                _started = true;
                // A UTF-8 byte-order mark before the header is skipped.
                if (b == 0xEF && Peek() == 0xBB) { ReadByte(); if (Peek() == 0xBF) ReadByte(); b = ReadByte(); }
            }
            if (b < 0) { line = _line; return false; }
            _line++;
            line = _line;
            _accLen = 0;
            _spans.Clear();
            int fieldStart = 0;
            bool inQuotes = false, atFieldStart = true;
            int quoteLine = 0;
            for (; b >= 0; b = ReadByte())
            {
                if (inQuotes)
                {
                    if (b == '"')
                    {
                        if (Peek() == '"') { ReadByte(); Append(b); }
                        else inQuotes = false;
                    }
                    else
                    {
                        if (b == '\n') _line++;
                        Append(b);
                    }
                    continue;
                }
                if (b == separator)
                {
                    _spans.Add((fieldStart, _accLen - fieldStart));
                    fieldStart = _accLen;
                    atFieldStart = true;
                    continue;
                }
                if (b == '\n') break;
                if (b == '\r' && Peek() == '\n') { ReadByte(); break; }
                if (quoting && b == '"' && atFieldStart) { inQuotes = true; quoteLine = _line; }
                else Append(b);
                atFieldStart = false;
            }
            if (inQuotes) OpenQuoteLine = quoteLine;
            _spans.Add((fieldStart, _accLen - fieldStart));
            var bytes = _acc.AsSpan(0, _accLen).ToArray();
            foreach (var (s, l) in _spans) record.Fields.Add(new ReadOnlyMemory<byte>(bytes, s, l));
            return true;
        }
    }
}
