using System.Text;

namespace VaeText.Data;

/// <summary>
/// Thrown when a data file (or in-memory data) does not have the expected format. The message always names the
/// file, the 1-based line and the column when they are known, e.g.
/// <c>train.tsv, line 17, column 'text' (field 2): expected 2 fields but found 3</c>.
/// </summary>
public class DataFormatException : FormatException
{
    /// <summary>The file that holds the problem, or <c>null</c> when it does not come from a file.</summary>
    public string? FilePath { get; }

    /// <summary>The 1-based physical line number of the problem, or <c>null</c> when unknown.</summary>
    public long? Line { get; }

    /// <summary>The name of the column that holds the problem, or <c>null</c> when unknown.</summary>
    public string? ColumnName { get; }

    /// <summary>The 1-based index of the column that holds the problem, or <c>null</c> when unknown.</summary>
    public int? ColumnNumber { get; }

    /// <summary>
    /// The column as it appears in the message: <c>'name' (field n)</c>, <c>'name'</c>, <c>n</c> or <c>null</c>.
    /// </summary>
    public string? Column => ColumnName is not null
        ? ColumnNumber is int n ? $"'{ColumnName}' (field {n})" : $"'{ColumnName}'"
        : ColumnNumber?.ToString(System.Globalization.CultureInfo.InvariantCulture);

    /// <summary>The problem itself, without the location prefix.</summary>
    public string Detail { get; }

    /// <summary>Creates the exception; the message is the location (those parts that are known) followed by <paramref name="detail"/>.</summary>
    /// <param name="detail">What is wrong, e.g. "expected 2 fields but found 3".</param>
    /// <param name="filePath">The file, or <c>null</c>.</param>
    /// <param name="line">The 1-based line, or <c>null</c>.</param>
    /// <param name="columnName">The column's name, or <c>null</c>.</param>
    /// <param name="columnNumber">The column's 1-based index, or <c>null</c>.</param>
    /// <param name="innerException">The underlying exception, or <c>null</c>.</param>
    public DataFormatException(string detail, string? filePath = null, long? line = null, string? columnName = null,
        int? columnNumber = null, Exception? innerException = null)
        : base(Compose(detail, filePath, line, columnName, columnNumber), innerException)
    {
        Detail = detail ?? string.Empty;
        FilePath = filePath;
        Line = line;
        ColumnName = columnName;
        ColumnNumber = columnNumber;
    }

    private static string Compose(string? detail, string? filePath, long? line, string? columnName, int? columnNumber)
    {
        var sb = new StringBuilder();
        if (filePath is not null) sb.Append(filePath);
        if (line is long l)
        {
            if (sb.Length > 0) sb.Append(", ");
            sb.Append("line ").Append(l.ToString(System.Globalization.CultureInfo.InvariantCulture));
        }
        if (columnName is not null || columnNumber is not null)
        {
            if (sb.Length > 0) sb.Append(", ");
            sb.Append("column ");
            if (columnName is not null)
            {
                // A column name can be huge (a file without line breaks): quote at most 60 characters of it.
                sb.Append('\'').Append(columnName.Length <= 60 ? columnName : columnName[..60] + "…").Append('\'');
                if (columnNumber is int n) sb.Append(" (field ").Append(n.ToString(System.Globalization.CultureInfo.InvariantCulture)).Append(')');
            }
            else
            {
                sb.Append(columnNumber!.Value.ToString(System.Globalization.CultureInfo.InvariantCulture));
            }
        }
        if (sb.Length > 0) sb.Append(": ");
        sb.Append(detail ?? "invalid data");
        return sb.ToString();
    }
}
