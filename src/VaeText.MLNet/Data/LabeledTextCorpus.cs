namespace VaeText.Data;

/// <summary>
/// A labelled text corpus read from a delimited file with a label column and a text column (the TSV layout of
/// <c>datasets/</c>: header <c>label&lt;TAB&gt;text</c>). Used by the benchmarks, the CLI and the tests.
/// </summary>
public sealed class LabeledTextCorpus
{
    /// <summary>Wraps labels and texts of equal length.</summary>
    /// <exception cref="ArgumentException">The arrays differ in length.</exception>
    public LabeledTextCorpus(string path, string[] labels, string[] texts)
    {
        ArgumentNullException.ThrowIfNull(path);
        ArgumentNullException.ThrowIfNull(labels);
        ArgumentNullException.ThrowIfNull(texts);
        if (labels.Length != texts.Length)
        {
            throw new ArgumentException($"labels ({labels.Length}) and texts ({texts.Length}) must have the same length", nameof(texts));
        }
        Path = path;
        Labels = labels;
        Texts = texts;
    }

    /// <summary>The file the corpus was read from.</summary>
    public string Path { get; }

    /// <summary>The label of every document, in file order.</summary>
    public string[] Labels { get; }

    /// <summary>The text of every document, in file order.</summary>
    public string[] Texts { get; }

    /// <summary>The number of documents.</summary>
    public int Count => Texts.Length;

    /// <summary>The distinct labels in ordinal order.</summary>
    public string[] ClassNames()
    {
        var set = new SortedSet<string>(Labels, StringComparer.Ordinal);
        return [.. set];
    }

    /// <summary>
    /// Reads a corpus. The separator follows the extension (<c>.tsv</c>/<c>.txt</c>: tab without quoting;
    /// <c>.csv</c>: comma with RFC 4180 quoting); columns are found by name (exact, then ignoring case).
    /// </summary>
    /// <param name="path">The file.</param>
    /// <param name="labelColumn">The name of the label column.</param>
    /// <param name="textColumn">The name of the text column.</param>
    /// <exception cref="FileNotFoundException">The file does not exist.</exception>
    /// <exception cref="DataFormatException">The file is malformed, a column is missing, a label is empty, or there is no document.</exception>
    public static LabeledTextCorpus Load(string path, string labelColumn = "label", string textColumn = "text") =>
        Load(path, labelColumn, textColumn, null);

    /// <summary>Reads a corpus with explicit reader settings. See <see cref="Load(string, string, string)"/>.</summary>
    /// <param name="path">The file.</param>
    /// <param name="labelColumn">The name of the label column.</param>
    /// <param name="textColumn">The name of the text column.</param>
    /// <param name="options">Reader settings (separator, quoting); <c>HasHeader</c> must be true.</param>
    /// <exception cref="FileNotFoundException">The file does not exist.</exception>
    /// <exception cref="DataFormatException">The file is malformed, a column is missing, a label is empty, or there is no document.</exception>
    public static LabeledTextCorpus Load(string path, string labelColumn, string textColumn, DelimitedReaderOptions? options)
    {
        ArgumentNullException.ThrowIfNull(labelColumn);
        ArgumentNullException.ThrowIfNull(textColumn);
        if (options is { HasHeader: false })
        {
            throw new ArgumentException("a labelled corpus is found by column names, so the file needs a header (HasHeader = true)", nameof(options));
        }
        using var reader = DelimitedReader.Open(path, options);
        int li = reader.GetColumnIndex(labelColumn);
        int ti = reader.GetColumnIndex(textColumn);
        if (li == ti)
        {
            throw new DataFormatException($"the label column '{labelColumn}' and the text column '{textColumn}' are the same column", path, 1, reader.Header[li], li + 1);
        }
        var labels = new List<string>();
        var texts = new List<string>();
        foreach (var row in reader.ReadRows())
        {
            string label = row[li];
            if (label.Length == 0 || string.IsNullOrWhiteSpace(label))
            {
                throw new DataFormatException("the label is empty", path, row.Line, reader.Header[li], li + 1);
            }
            labels.Add(label);
            texts.Add(row[ti]);
        }
        if (texts.Count == 0)
        {
            throw new DataFormatException("the file has a header but no documents", path);
        }
        return new LabeledTextCorpus(path, [.. labels], [.. texts]);
    }
}
