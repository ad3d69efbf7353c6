using System.Text;
using CsvHelper;

namespace VaeText.Data;

/// <summary>
/// Streams the records of a delimited text file (TSV or CSV, UTF-8 with or without a byte order mark) without
/// loading the whole file. Every record must have as many fields as the header (or, without a header, as the
/// first record); text must be valid UTF-8. Problems are reported as <see cref="DataFormatException"/> naming the
/// file, the 1-based line and, where it applies, the column.
/// </summary>
/// <remarks>
/// A file that holds a header but no record is not an error: <see cref="ReadRows"/> then yields nothing and the
/// loaders built on this reader decide what an empty result means. A file with no content at all (nothing but a
/// byte order mark or empty lines) is an error.
/// </remarks>
public sealed class DelimitedReader : IDisposable
{
    private static readonly UTF8Encoding StrictUtf8 = new(encoderShouldEmitUTF8Identifier: false, throwOnInvalidBytes: true);

    private readonly CsvReader _csv;
    private readonly string[] _header;
    private DelimitedRow? _pending;   // the first record, read ahead when there is no header
    private bool _enumerated;
    private bool _disposed;

    private DelimitedReader(string path, char separator, bool quoting, bool hasHeader, CsvReader csv)
    {
        Path = path;
        Separator = separator;
        Quoting = quoting;
        HasHeader = hasHeader;
        _csv = csv;
        if (hasHeader)
        {
            string[] names;
            try
            {
                names = csv.Headers.ToArray();
            }
            catch (CsvFormatException e)
            {
                throw Wrap(e);
            }
            if (names.Length == 0)
            {
                throw new DataFormatException("the file is empty: expected a header line with the column names", path, 1);
            }
            for (int i = 0; i < names.Length; i++)
            {
                if (names[i].Contains('\uFFFD'))
                {
                    throw new DataFormatException("the header line is not valid UTF-8", path, 1, columnNumber: i + 1);
                }
            }
            _header = names;
            FieldCount = names.Length;
        }
        else
        {
            _header = [];
            _pending = Next();
            if (_pending is null)
            {
                throw new DataFormatException("the file is empty: expected at least one record", path, 1);
            }
            FieldCount = _pending.Count;
        }
    }

    /// <summary>The path of the file, as given to <see cref="Open"/>.</summary>
    public string Path { get; }

    /// <summary>The field separator in use.</summary>
    public char Separator { get; }

    /// <summary>Whether RFC 4180 quoting is in effect.</summary>
    public bool Quoting { get; }

    /// <summary>Whether the file has a header line.</summary>
    public bool HasHeader { get; }

    /// <summary>The column names from the header line; empty when the file has no header.</summary>
    public IReadOnlyList<string> Header => _header;

    /// <summary>The number of fields of every record (from the header, or from the first record without one).</summary>
    public int FieldCount { get; }

    /// <summary>Opens <paramref name="path"/> and reads its header (or its first record when there is no header).</summary>
    /// <param name="path">The file to read.</param>
    /// <param name="options">Settings, or <c>null</c> for the defaults.</param>
    /// <returns>A reader positioned before the first record; dispose it to close the file.</returns>
    /// <exception cref="ArgumentException"><paramref name="path"/> is empty, the separator is not ASCII, or it cannot be inferred from the extension.</exception>
    /// <exception cref="FileNotFoundException">The file does not exist.</exception>
    /// <exception cref="DataFormatException">The file is empty or its header is malformed.</exception>
    public static DelimitedReader Open(string path, DelimitedReaderOptions? options = null)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(path);
        options ??= new DelimitedReaderOptions();
        char separator = options.Separator ?? InferSeparator(path);
        if (separator > 127 || separator is '\r' or '\n' or '"')
        {
            throw new ArgumentException($"separator '{separator}' (U+{(int)separator:X4}) is not usable: it must be an ASCII character other than CR, LF and the quote", nameof(options));
        }
        if (Directory.Exists(path))
        {
            throw new FileNotFoundException($"data file not found: '{path}' is a directory", path);
        }
        if (!File.Exists(path))
        {
            throw new FileNotFoundException($"data file not found: '{path}' (full path '{System.IO.Path.GetFullPath(path)}')", path);
        }
        bool quoting = options.Quoting ?? separator == ',';
        var csvOptions = new CsvReaderOptions
        {
            Separator = separator,
            HasHeader = options.HasHeader,
            Mode = quoting ? CsvMode.Rfc4180 : CsvMode.NoEscape,
            TrackLineNumbers = true,
            SkipEmptyLines = options.SkipEmptyLines,
            MalformedData = CsvMalformedDataHandling.Throw,
            FieldCountMismatch = CsvFieldCountHandling.Throw,
            MissingField = CsvMissingFieldHandling.Throw,
            PoolStrings = false,
        };
        var csv = CsvReader.FromFile(path, csvOptions);
        try
        {
            return new DelimitedReader(path, separator, quoting, options.HasHeader, csv);
        }
        catch
        {
            csv.Dispose();
            throw;
        }
    }

    /// <summary>The separator that the file's extension implies: comma for <c>.csv</c>; tab for <c>.tsv</c>, <c>.tab</c>, <c>.txt</c>.</summary>
    /// <exception cref="ArgumentException">The extension is none of those.</exception>
    public static char InferSeparator(string path)
    {
        ArgumentNullException.ThrowIfNull(path);
        string ext = System.IO.Path.GetExtension(path).ToLowerInvariant();
        return ext switch
        {
            ".csv" => ',',
            ".tsv" or ".tab" or ".txt" => '\t',
            _ => throw new ArgumentException(
                $"cannot infer the field separator of '{path}' from its extension '{ext}': use .tsv, .txt, .tab or .csv, or set the separator explicitly", nameof(path)),
        };
    }

    /// <summary>
    /// The 0-based index of the column called <paramref name="name"/>: an exact (case-sensitive) match first, then
    /// a unique case-insensitive one.
    /// </summary>
    /// <exception cref="DataFormatException">The file has no header, no column has that name, or several match it ignoring case; the message lists the available names.</exception>
    public int GetColumnIndex(string name)
    {
        ArgumentNullException.ThrowIfNull(name);
        if (!HasHeader)
        {
            throw new DataFormatException($"the file has no header line, so column '{name}' cannot be found by name; refer to the column by its 0-based index (0..{FieldCount - 1})", Path, columnName: name);
        }
        int exact = Array.IndexOf(_header, name);
        if (exact >= 0) return exact;
        int found = -1;
        for (int i = 0; i < _header.Length; i++)
        {
            if (string.Equals(_header[i], name, StringComparison.OrdinalIgnoreCase))
            {
                if (found >= 0)
                {
                    throw new DataFormatException($"column '{name}' matches several columns when case is ignored ('{_header[found]}' and '{_header[i]}'); use the exact name", Path, 1, name);
                }
                found = i;
            }
        }
        if (found >= 0) return found;
        throw new DataFormatException($"no column named '{name}'; the header has {DescribeHeader()}{SeparatorHint()}", Path, 1, name);
    }

    /// <summary>Checks a 0-based column index against <see cref="FieldCount"/> and returns it.</summary>
    /// <exception cref="DataFormatException">The index is outside [0, <see cref="FieldCount"/>).</exception>
    public int GetColumnIndex(int index)
    {
        if ((uint)index >= (uint)FieldCount)
        {
            throw new DataFormatException($"column index {index} is out of range: the file has {FieldCount} columns (0-based indices 0..{FieldCount - 1}){(HasHeader ? "; the header has " + DescribeHeader() : "")}", Path);
        }
        return index;
    }

    /// <summary>The name of the column at a 0-based index, or <c>null</c> without a header.</summary>
    public string? GetColumnName(int index) => HasHeader && (uint)index < (uint)_header.Length ? _header[index] : null;

    /// <summary>
    /// The records, in file order, read as they are enumerated. The sequence can be enumerated only once.
    /// </summary>
    /// <exception cref="DataFormatException">(During enumeration) a record has the wrong number of fields, a quoted field is never closed, a quote is misplaced, or the text is not valid UTF-8.</exception>
    /// <exception cref="InvalidOperationException">The rows were already enumerated.</exception>
    public IEnumerable<DelimitedRow> ReadRows()
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        if (_enumerated) throw new InvalidOperationException($"the rows of '{Path}' were already read; open the file again to read them again");
        _enumerated = true;
        return Enumerate();
    }

    private IEnumerable<DelimitedRow> Enumerate()
    {
        if (_pending is not null)
        {
            var first = _pending;
            _pending = null;
            yield return first;
        }
        while (Next() is { } row) yield return row;
    }

    private DelimitedRow? Next()
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        bool ok;
        try
        {
            ok = _csv.Read();
        }
        catch (CsvFormatException e)
        {
            throw Wrap(e);
        }
        if (!ok) return null;
        long line = _csv.LineNumber;
        int n = _csv.FieldCount;
        var fields = new string[n];
        for (int i = 0; i < n; i++)
        {
            ReadOnlySpan<byte> bytes = _csv.GetSpan(i);
            if (bytes.IsEmpty)
            {
                fields[i] = string.Empty;
                continue;
            }
            try
            {
                fields[i] = StrictUtf8.GetString(bytes);
            }
            catch (DecoderFallbackException e)
            {
                long badLine = line + CountLineBreaks(bytes[..Math.Max(0, Math.Min(bytes.Length, e.Index))]);
                string where = e.BytesUnknown is { Length: > 0 } b ? $" (byte 0x{b[0]:X2} at byte {e.Index + 1} of the field)" : "";
                throw new DataFormatException($"the text is not valid UTF-8{where}", Path, badLine, GetColumnName(i), i + 1, e);
            }
        }
        return new DelimitedRow(line, fields);
    }

    private static int CountLineBreaks(ReadOnlySpan<byte> s)
    {
        int n = 0;
        for (int i = 0; i < s.Length; i++)
        {
            if (s[i] == (byte)'\n') n++;
            else if (s[i] == (byte)'\r' && (i + 1 >= s.Length || s[i + 1] != (byte)'\n')) n++;
        }
        return n;
    }

    private DataFormatException Wrap(CsvFormatException e)
    {
        string detail = e.Message;
        // CsvHelper's messages start with "Malformed CSV in record N (line L): " or "Record N (line L) "; the line
        // is ours to state, so keep only the description.
        int colon = detail.IndexOf("): ", StringComparison.Ordinal);
        if (detail.StartsWith("Malformed", StringComparison.Ordinal) && colon > 0) detail = detail[(colon + 3)..];
        else if (detail.StartsWith("Record ", StringComparison.Ordinal) && detail.IndexOf(") ", StringComparison.Ordinal) is int p and > 0)
            detail = "the record " + detail[(p + 2)..];
        detail = detail.TrimEnd('.');
        if (e.Message.Contains("quote", StringComparison.OrdinalIgnoreCase) && Separator == '\t' && Quoting)
        {
            detail += " (quoting is on: for a TSV file whose text contains quotes, turn Quoting off)";
        }
        return new DataFormatException(detail, Path, e.LineNumber > 0 ? e.LineNumber : null, innerException: e);
    }

    /// <summary>When the header is one column holding another common separator, says so (a wrong separator is the usual cause).</summary>
    private string SeparatorHint()
    {
        if (_header.Length != 1) return "";
        foreach (var (c, what) in new[] { (',', "commas"), ('\t', "tabs"), (';', "semicolons"), ('|', "vertical bars") })
        {
            if (c != Separator && _header[0].Contains(c))
                return $"; the header line contains {what} but the separator is {Describe(Separator)}: is the file {what[..^1]}-separated? (use the matching extension, .csv for commas and .tsv for tabs, or set the separator)";
        }
        return "";
    }

    private static string Describe(char c) => c switch { '\t' => "a tab", ',' => "a comma", _ => $"'{c}'" };

    private string DescribeHeader()
    {
        var sb = new StringBuilder();
        sb.Append(_header.Length).Append(_header.Length == 1 ? " column: " : " columns: ");
        // Bounded: a file with no line break (or a binary file) can make the "header" megabytes long.
        const int maxShown = 20, maxChars = 60;
        for (int i = 0; i < Math.Min(_header.Length, maxShown); i++)
        {
            if (i > 0) sb.Append(", ");
            string name = _header[i];
            sb.Append('\'').Append(name.Length <= maxChars ? name : name[..maxChars] + $"… ({name.Length} characters)").Append('\'');
        }
        if (_header.Length > maxShown) sb.Append($", … ({_header.Length - maxShown} more)");
        return sb.ToString();
    }

    /// <summary>Closes the file.</summary>
    public void Dispose()
    {
        if (_disposed) return;
        _disposed = true;
        _csv.Dispose();
    }
}
