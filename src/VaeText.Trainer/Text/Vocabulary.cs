using System.Text;

namespace VaeText.Text;

/// <summary>
/// An immutable mapping between terms and dense ids 0..<see cref="Count"/>-1. Built vocabularies rank terms by
/// document frequency (descending), ties broken by ordinal order of the Unicode code points (the order of
/// Python's string sort), so the same documents always give the same ids.
/// </summary>
public sealed class Vocabulary
{
    /// <summary>The largest number of terms <see cref="ReadFrom"/> accepts.</summary>
    public const int MaxSerializedTerms = 50_000_000;

    /// <summary>The longest term, in UTF-8 bytes, <see cref="ReadFrom"/> accepts.</summary>
    public const int MaxSerializedTermBytes = 1 << 20;

    private const int FormatVersion = 1;
    private static readonly byte[] Magic = "VTVOCAB\0"u8.ToArray();

    private readonly string[] _terms;
    private readonly int[] _df;
    private readonly Dictionary<string, int> _ids;
    private readonly Dictionary<string, int>.AlternateLookup<ReadOnlySpan<char>> _spanIds;

    /// <summary>A vocabulary of the given terms, whose ids are their positions; document frequencies are unknown (0).</summary>
    /// <exception cref="ArgumentException">A term is null, empty or repeated.</exception>
    public Vocabulary(IEnumerable<string> terms) : this(ToArray(terms), null, 0) { }

    /// <summary>A vocabulary of the given terms with their document frequencies over <paramref name="documentCount"/> documents.</summary>
    /// <exception cref="ArgumentException">A term is null, empty or repeated, the lengths differ, or a frequency is outside [0, documentCount].</exception>
    public Vocabulary(IReadOnlyList<string> terms, IReadOnlyList<int> documentFrequencies, int documentCount)
        : this(ToArray(terms), ToArray(documentFrequencies), documentCount) { }

    private Vocabulary(string[] terms, int[]? df, int documentCount)
    {
        if (documentCount < 0) throw new ArgumentOutOfRangeException(nameof(documentCount), documentCount, "must be non-negative");
        df ??= new int[terms.Length];
        if (df.Length != terms.Length)
            throw new ArgumentException($"{terms.Length} terms but {df.Length} document frequencies", nameof(df));
        _ids = new Dictionary<string, int>(terms.Length, StringComparer.Ordinal);
        for (int i = 0; i < terms.Length; i++)
        {
            string? t = terms[i];
            if (string.IsNullOrEmpty(t)) throw new ArgumentException($"term {i} is null or empty", nameof(terms));
            if (!_ids.TryAdd(t, i)) throw new ArgumentException($"term '{t}' appears twice (ids {_ids[t]} and {i})", nameof(terms));
            if (df[i] < 0 || df[i] > documentCount)
                throw new ArgumentException($"document frequency {df[i]} of term '{t}' is outside [0, {documentCount}]", nameof(df));
        }
        _terms = terms;
        _df = df;
        DocumentCount = documentCount;
        _spanIds = _ids.GetAlternateLookup<ReadOnlySpan<char>>();
    }

    private static T[] ToArray<T>(IEnumerable<T> items)
    {
        ArgumentNullException.ThrowIfNull(items);
        return [.. items];
    }

    /// <summary>The number of terms.</summary>
    public int Count => _terms.Length;

    /// <summary>The term with id <paramref name="id"/>.</summary>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="id"/> is not in [0, <see cref="Count"/>).</exception>
    public string this[int id] => (uint)id < (uint)_terms.Length
        ? _terms[id]
        : throw new ArgumentOutOfRangeException(nameof(id), id, $"the vocabulary has {_terms.Length} terms");

    /// <summary>The terms in id order.</summary>
    public IReadOnlyList<string> Terms => _terms;

    /// <summary>The document frequency of every term, in id order (0 when unknown).</summary>
    public IReadOnlyList<int> DocumentFrequencies => _df;

    /// <summary>The number of documents the vocabulary was built from (0 when unknown).</summary>
    public int DocumentCount { get; }

    /// <summary>Looks up a term's id.</summary>
    public bool TryGetId(string term, out int id)
    {
        ArgumentNullException.ThrowIfNull(term);
        return _ids.TryGetValue(term, out id);
    }

    /// <summary>Looks up a term's id without allocating a string.</summary>
    public bool TryGetId(ReadOnlySpan<char> term, out int id) => _spanIds.TryGetValue(term, out id);

    /// <summary>Whether the vocabulary holds <paramref name="term"/>.</summary>
    public bool Contains(string term) => TryGetId(term, out _);

    /// <summary>
    /// Builds a vocabulary from tokenized documents: counts in how many documents each term occurs, drops stop
    /// words and terms outside the frequency limits, ranks the rest by document frequency (descending, ties by
    /// code-point order) and keeps the first <see cref="VocabularyOptions.MaxSize"/>.
    /// </summary>
    /// <param name="tokenizedDocs">Each document's tokens.</param>
    /// <param name="options">Limits, or <c>null</c> for the defaults.</param>
    /// <exception cref="ArgumentException">A setting is out of range, or no term survives the filtering.</exception>
    public static Vocabulary Build(IEnumerable<IReadOnlyList<string>> tokenizedDocs, VocabularyOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(tokenizedDocs);
        options ??= new VocabularyOptions();
        options.Validate();
        var df = new Dictionary<string, int>(StringComparer.Ordinal);
        var seen = new HashSet<string>(StringComparer.Ordinal);
        int docs = 0;
        foreach (var doc in tokenizedDocs)
        {
            if (doc is null) throw new ArgumentException($"document {docs} is null", nameof(tokenizedDocs));
            seen.Clear();
            for (int i = 0; i < doc.Count; i++)
            {
                string t = doc[i];
                if (string.IsNullOrEmpty(t)) continue;
                if (seen.Add(t))
                {
                    ref int c = ref System.Runtime.InteropServices.CollectionsMarshal.GetValueRefOrAddDefault(df, t, out _);
                    c++;
                }
            }
            docs++;
        }
        var terms = new string[df.Count];
        var counts = new int[df.Count];
        int k = 0;
        foreach (var kv in df) { terms[k] = kv.Key; counts[k] = kv.Value; k++; }
        return Select(terms, counts, docs, options);
    }

    /// <summary>Filters, ranks and cuts candidate terms with their document frequencies (shared by the builders).</summary>
    internal static Vocabulary Select(string[] terms, int[] counts, int documentCount, VocabularyOptions options)
    {
        double maxDf = options.MaxDocumentFrequency * documentCount;
        var order = new List<int>(terms.Length);
        for (int i = 0; i < terms.Length; i++)
        {
            int c = counts[i];
            if (c < options.MinDocumentFrequency) continue;
            if (options.MaxDocumentFrequency < 1.0 && c > maxDf) continue;
            if (options.StopWords is { } stop && stop.Contains(terms[i])) continue;
            order.Add(i);
        }
        if (order.Count == 0)
        {
            throw new ArgumentException(
                $"vocabulary is empty after filtering: {documentCount} documents, {terms.Length} distinct terms, min df={options.MinDocumentFrequency}, " +
                $"max df={options.MaxDocumentFrequency.ToString(System.Globalization.CultureInfo.InvariantCulture)} (fraction), " +
                $"{(options.StopWords is null ? "no stop words" : options.StopWords.Count + " stop words")}");
        }
        order.Sort((a, b) =>
        {
            int c = counts[b].CompareTo(counts[a]);
            return c != 0 ? c : CompareCodePoints(terms[a], terms[b]);
        });
        int n = options.MaxSize > 0 ? Math.Min(options.MaxSize, order.Count) : order.Count;
        var outTerms = new string[n];
        var outDf = new int[n];
        for (int i = 0; i < n; i++) { outTerms[i] = terms[order[i]]; outDf[i] = counts[order[i]]; }
        return new Vocabulary(outTerms, outDf, documentCount);
    }

    /// <summary>
    /// Ordinal comparison by Unicode code point (as Python compares strings). It equals UTF-16 ordinal order except
    /// that characters above U+FFFF sort after U+E000..U+FFFF.
    /// </summary>
    internal static int CompareCodePoints(string a, string b)
    {
        int n = Math.Min(a.Length, b.Length);
        for (int i = 0; i < n; i++)
        {
            char x = a[i], y = b[i];
            if (x == y) continue;
            // Surrogates (D800..DFFF) encode code points above FFFF: move them above E000..FFFF.
            int fx = x >= 0xD800 ? (x <= 0xDFFF ? x + 0x2000 : x - 0x800) : x;
            int fy = y >= 0xD800 ? (y <= 0xDFFF ? y + 0x2000 : y - 0x800) : y;
            return fx.CompareTo(fy);
        }
        return a.Length.CompareTo(b.Length);
    }

    // Layout (little-endian), version 1:
    //   8 bytes  magic "VTVOCAB\0"
    //   int32    version written (1); int32 oldest version that can read it (1)
    //   int32    document count (>= 0); int32 term count N (0..MaxSerializedTerms)
    //   N times: int32 UTF-8 byte length L (1..MaxSerializedTermBytes), L bytes of UTF-8, int32 document frequency
    /// <summary>Writes the vocabulary (terms, document frequencies, document count) in a versioned binary layout.</summary>
    public void WriteTo(BinaryWriter writer)
    {
        ArgumentNullException.ThrowIfNull(writer);
        writer.Write(Magic);
        writer.Write(FormatVersion);
        writer.Write(FormatVersion);
        writer.Write(DocumentCount);
        writer.Write(_terms.Length);
        for (int i = 0; i < _terms.Length; i++)
        {
            byte[] bytes = Encoding.UTF8.GetBytes(_terms[i]);
            writer.Write(bytes.Length);
            writer.Write(bytes);
            writer.Write(_df[i]);
        }
    }

    /// <summary>Reads a vocabulary written by <see cref="WriteTo"/>, checking every field.</summary>
    /// <exception cref="InvalidDataException">The data is truncated, corrupt, or from a newer format.</exception>
    public static Vocabulary ReadFrom(BinaryReader reader)
    {
        ArgumentNullException.ThrowIfNull(reader);
        try
        {
            var magic = reader.ReadBytes(Magic.Length);
            if (!magic.AsSpan().SequenceEqual(Magic)) throw new InvalidDataException("not a VaeText vocabulary: bad signature");
            int version = reader.ReadInt32();
            int oldest = reader.ReadInt32();
            if (version < 1 || oldest < 1 || oldest > version)
                throw new InvalidDataException($"vocabulary: invalid version fields (written {version}, oldest reader {oldest})");
            if (oldest > FormatVersion)
                throw new InvalidDataException($"vocabulary format version {version} needs a reader of version {oldest} or later; this one reads version {FormatVersion}");
            int docs = reader.ReadInt32();
            if (docs < 0) throw new InvalidDataException($"vocabulary: document count {docs} is negative");
            int n = reader.ReadInt32();
            if (n < 0 || n > MaxSerializedTerms)
                throw new InvalidDataException($"vocabulary: term count {n} is outside [0, {MaxSerializedTerms}]");
            var strict = new UTF8Encoding(false, true);
            var terms = new string[n];
            var df = new int[n];
            var seen = new HashSet<string>(StringComparer.Ordinal);
            for (int i = 0; i < n; i++)
            {
                int len = reader.ReadInt32();
                if (len < 1 || len > MaxSerializedTermBytes)
                    throw new InvalidDataException($"vocabulary: term {i} has byte length {len}, outside [1, {MaxSerializedTermBytes}]");
                byte[] bytes = reader.ReadBytes(len);
                if (bytes.Length != len) throw new InvalidDataException($"vocabulary: truncated inside term {i} of {n}");
                string t;
                try { t = strict.GetString(bytes); }
                catch (DecoderFallbackException) { throw new InvalidDataException($"vocabulary: term {i} is not valid UTF-8"); }
                if (!seen.Add(t)) throw new InvalidDataException($"vocabulary: term {i} '{t}' is repeated");
                int f = reader.ReadInt32();
                if (f < 0 || f > docs)
                    throw new InvalidDataException($"vocabulary: document frequency {f} of term {i} '{t}' is outside [0, {docs}]");
                terms[i] = t;
                df[i] = f;
            }
            return new Vocabulary(terms, df, docs);
        }
        catch (EndOfStreamException e)
        {
            throw new InvalidDataException("vocabulary: the data ends too early (truncated)", e);
        }
    }
}
