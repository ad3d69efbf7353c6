namespace VaeText.Data;

/// <summary>Settings of <see cref="DelimitedReader"/>. The defaults read a TSV or CSV file with a header line.</summary>
public sealed class DelimitedReaderOptions
{
    /// <summary>
    /// The field separator (an ASCII character), or <c>null</c> (the default) to infer it from the file's
    /// extension: <c>.csv</c> gives a comma; <c>.tsv</c>, <c>.tab</c> and <c>.txt</c> give a tab.
    /// </summary>
    public char? Separator { get; set; }

    /// <summary>Whether the first non-empty line holds the column names. Default <c>true</c>.</summary>
    public bool HasHeader { get; set; } = true;

    /// <summary>
    /// Whether fields may be quoted as in RFC 4180 (a field that starts with <c>"</c> may contain separators, line
    /// breaks and doubled quotes). <c>null</c> (the default) means: on for a comma separator, off for every other
    /// separator, so that a TSV text field may contain quotes freely.
    /// </summary>
    public bool? Quoting { get; set; }

    /// <summary>Whether completely empty lines are skipped (they still count for line numbers). Default <c>true</c>.</summary>
    public bool SkipEmptyLines { get; set; } = true;
}
