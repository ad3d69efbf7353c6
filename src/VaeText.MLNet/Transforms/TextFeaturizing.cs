using System.Text;
using VaeText.Data;
using VaeText.IO;

namespace VaeText.Transforms;

/// <summary>
/// Turns a text column into a sparse vector of word and character n-gram weights (ML.NET's <c>FeaturizeText</c>),
/// with ML.NET's defaults: lower-case, words split on white space, word 1- and 2-grams, character 3-grams over the
/// text framed by U+0002/U+0003, TF weighting, L2 normalization. Slot names are <c>w:word</c>, <c>w:word|word</c>
/// and <c>c:abc</c>, words first, each in order of first appearance. Fit streams the column once, counting
/// document frequencies (it never stores the documents).
/// </summary>
public sealed class TextFeaturizingEstimator : IEstimator<TextFeaturizingTransformer>
{
    /// <summary>How n-gram counts become weights.</summary>
    public enum WeightingCriteria
    {
        /// <summary>Term frequency (count in the document).</summary>
        Tf,
        /// <summary>Inverse document frequency (ln(N/df)) for every present term.</summary>
        Idf,
        /// <summary>Count × ln(N/df).</summary>
        TfIdf,
    }

    /// <summary>Vector normalization applied last.</summary>
    public enum NormFunction
    {
        /// <summary>No normalization.</summary>
        None,
        /// <summary>Divide by the sum of absolute values.</summary>
        L1,
        /// <summary>Divide by the Euclidean norm (default).</summary>
        L2,
        /// <summary>Divide by the largest absolute value.</summary>
        Infinity,
    }

    /// <summary>How the text is split into words.</summary>
    public enum WordTokenizerKind
    {
        /// <summary>Split on white space (ML.NET's default).</summary>
        Whitespace,
        /// <summary>
        /// VaeText's Unicode tokenizer (<see cref="VaeText.Text.Tokenizer.Default"/>): NFKC, lower-case, maximal runs of
        /// letters or digits, CJK characters as single tokens (the tokens the VAE sees).
        /// </summary>
        Unicode,
    }

    /// <summary>Settings; the defaults are ML.NET's.</summary>
    public sealed class Options
    {
        /// <summary>How words are found (default <see cref="WordTokenizerKind.Whitespace"/>).</summary>
        public WordTokenizerKind WordTokenizer { get; set; } = WordTokenizerKind.Whitespace;
        /// <summary>Use 1 + ln(count) instead of the count as term frequency (sublinear TF; default false).</summary>
        public bool SublinearTf { get; set; }
        /// <summary>Smooth IDF: ln((N + 1) / (df + 1)) + 1 instead of ln(N / df) (default false).</summary>
        public bool SmoothIdf { get; set; }
        /// <summary>N-grams found in fewer documents are dropped (default 1: keep all).</summary>
        public int MinimumDocumentFrequency { get; set; } = 1;
        /// <summary>Lower-case the text first (default true).</summary>
        public bool LowerCase { get; set; } = true;
        /// <summary>Longest word n-gram (all lengths 1..n are used); 0 disables word features. Default 2.</summary>
        public int WordNgramLength { get; set; } = 2;
        /// <summary>Character n-gram length (only this length); 0 disables character features. Default 3.</summary>
        public int CharNgramLength { get; set; } = 3;
        /// <summary>Weighting (default TF).</summary>
        public WeightingCriteria Weighting { get; set; } = WeightingCriteria.Tf;
        /// <summary>Normalization (default L2).</summary>
        public NormFunction Norm { get; set; } = NormFunction.L2;
        /// <summary>Most word n-grams kept (most frequent by document frequency). Default 100,000.</summary>
        public int MaximumWordNgrams { get; set; } = 100_000;
        /// <summary>Most character n-grams kept. Default 100,000.</summary>
        public int MaximumCharNgrams { get; set; } = 100_000;
    }

    private readonly string _output, _input;
    private readonly Options _o;

    internal TextFeaturizingEstimator(string output, string? input, Options? options)
    {
        ArgumentException.ThrowIfNullOrEmpty(output);
        _o = options ?? new Options();
        if (_o.WordNgramLength is < 0 or > 10) throw new ArgumentOutOfRangeException(nameof(options), _o.WordNgramLength, "WordNgramLength must be in [0, 10]");
        if (_o.CharNgramLength is < 0 or > 10) throw new ArgumentOutOfRangeException(nameof(options), _o.CharNgramLength, "CharNgramLength must be in [0, 10]");
        if (_o.WordNgramLength == 0 && _o.CharNgramLength == 0) throw new ArgumentException("both word and character n-grams are disabled", nameof(options));
        if (_o.MaximumWordNgrams < 1 || _o.MaximumCharNgrams < 1) throw new ArgumentOutOfRangeException(nameof(options), "MaximumWordNgrams/MaximumCharNgrams must be positive");
        if (_o.MinimumDocumentFrequency < 1) throw new ArgumentOutOfRangeException(nameof(options), _o.MinimumDocumentFrequency, "MinimumDocumentFrequency must be at least 1");
        if (!Enum.IsDefined(_o.WordTokenizer)) throw new ArgumentOutOfRangeException(nameof(options), _o.WordTokenizer, "unknown WordTokenizer");
        _output = output; _input = input ?? output;
    }

    /// <inheritdoc/>
    public SchemaShape GetOutputSchema(SchemaShape inputSchema)
    {
        ArgumentNullException.ThrowIfNull(inputSchema);
        if (!inputSchema.TryFindColumn(_input, out var c)) throw new ArgumentOutOfRangeException(nameof(inputSchema), _input, $"input column '{_input}' not found; it must be Text");
        if (!c.IsText) throw new ArgumentOutOfRangeException(nameof(inputSchema), _input, $"input column '{_input}' is {c}; it must be Text");
        return new SchemaShape(inputSchema.Append(new SchemaShape.Column(_output, SchemaShape.VectorKind.Vector, NumberDataViewType.Single, false, [AnnotationUtils.SlotNames])));
    }

    /// <inheritdoc/>
    public TextFeaturizingTransformer Fit(IDataView input)
    {
        ArgumentNullException.ThrowIfNull(input);
        GetOutputSchema(SchemaShape.Create(input.Schema));
        var col = input.Schema[_input];
        var df = new Dictionary<string, (int Df, long First)>(StringComparer.Ordinal);
        long order = 0;
        int docs = 0;
        var terms = new List<string>();
        var seen = new HashSet<string>(StringComparer.Ordinal);
        using (var cur = input.GetRowCursor([col]))
        {
            var g = cur.GetGetter<ReadOnlyMemory<char>>(col);
            ReadOnlyMemory<char> v = default;
            while (cur.MoveNext())
            {
                g(ref v);
                docs++;
                terms.Clear(); seen.Clear();
                TextFeaturizingTransformer.Extract(v.Span, _o.LowerCase, _o.WordTokenizer, _o.WordNgramLength, _o.CharNgramLength, terms);
                foreach (var t in terms)
                {
                    if (!seen.Add(t)) continue;
                    df[t] = df.TryGetValue(t, out var e) ? (e.Df + 1, e.First) : (1, order++);
                }
            }
        }
        if (docs == 0) throw new InvalidOperationException($"column '{_input}' has no rows to build n-grams from");
        int minDf = _o.MinimumDocumentFrequency;
        string[] Pick(char prefix, int max) => df.Where(kv => kv.Key[0] == prefix && kv.Value.Df >= minDf)
            .OrderByDescending(kv => kv.Value.Df).ThenBy(kv => kv.Value.First).Take(max)
            .OrderBy(kv => kv.Value.First).Select(kv => kv.Key).ToArray();
        var vocab = Pick('w', _o.MaximumWordNgrams).Concat(Pick('c', _o.MaximumCharNgrams)).ToArray();
        if (vocab.Length == 0) throw new InvalidOperationException($"column '{_input}' produced no n-grams (all texts empty?)");
        var idf = vocab.Select(t => (float)(_o.SmoothIdf ? Math.Log((docs + 1.0) / (df[t].Df + 1.0)) + 1 : Math.Log((double)docs / df[t].Df))).ToArray();
        return new TextFeaturizingTransformer(_output, _input, _o.LowerCase, _o.WordTokenizer, _o.WordNgramLength, _o.CharNgramLength, _o.Weighting, _o.SublinearTf, _o.Norm, vocab, idf);
    }
}

/// <summary>The fitted featurizer: n-gram vocabulary and IDF weights. Immutable, thread-safe.</summary>
[ModelLoader(LoaderSignature)]
public sealed class TextFeaturizingTransformer : RowToRowTransformerBase
{
    internal const string LoaderSignature = "TextFeaturizing";
    // Version 2 added the word tokenizer and sublinear TF (version 1 files read as white space, plain TF).
    private static readonly VersionInfo s_version = new(LoaderSignature, 2, 1);
    private readonly string _output, _input;
    private readonly bool _lower, _sublinear;
    private readonly TextFeaturizingEstimator.WordTokenizerKind _tokenizer;
    private readonly int _wordN, _charN;
    private readonly TextFeaturizingEstimator.WeightingCriteria _weighting;
    private readonly TextFeaturizingEstimator.NormFunction _norm;
    private readonly string[] _vocab;
    private readonly float[] _idf;
    private readonly Dictionary<string, int> _ids;

    internal TextFeaturizingTransformer(string output, string input, bool lower, TextFeaturizingEstimator.WordTokenizerKind tokenizer, int wordN, int charN,
        TextFeaturizingEstimator.WeightingCriteria weighting, bool sublinearTf, TextFeaturizingEstimator.NormFunction norm, string[] vocab, float[] idf)
    {
        _output = output; _input = input; _lower = lower; _tokenizer = tokenizer; _wordN = wordN; _charN = charN; _weighting = weighting; _sublinear = sublinearTf; _norm = norm;
        _vocab = vocab; _idf = idf;
        _ids = new Dictionary<string, int>(vocab.Length, StringComparer.Ordinal);
        for (int i = 0; i < vocab.Length; i++) _ids[vocab[i]] = i;
    }

    /// <summary>The n-grams, one per output slot.</summary>
    public IReadOnlyList<string> Vocabulary => _vocab;

    /// <summary>The text column read.</summary>
    public string InputColumnName => _input;

    /// <summary>The feature vector column written.</summary>
    public string OutputColumnName => _output;

    /// <summary>
    /// Featurizes many texts at once (the same values as the row-by-row transform), in parallel:
    /// a CSR matrix [texts.Count, Vocabulary.Count].
    /// </summary>
    internal Tensors.CsrMatrix Featurize(IReadOnlyList<string> texts, int maxThreads = 0)
    {
        ArgumentNullException.ThrowIfNull(texts);
        var idx = new int[texts.Count][];
        var vals = new float[texts.Count][];
        int threads = maxThreads > 0 ? maxThreads : Environment.ProcessorCount;
        Nn.Parallelism.For(texts.Count, 256, threads, (start, end) =>
        {
            var terms = new List<string>();
            var counts = new SortedDictionary<int, float>();
            for (int i = start; i < end; i++) (idx[i], vals[i]) = Weigh(texts[i].AsSpan(), terms, counts);
        });
        var rowPtr = new int[texts.Count + 1];
        for (int i = 0; i < texts.Count; i++) rowPtr[i + 1] = rowPtr[i] + idx[i].Length;
        var allIdx = new int[rowPtr[^1]];
        var allVals = new float[rowPtr[^1]];
        for (int i = 0; i < texts.Count; i++) { idx[i].CopyTo(allIdx, rowPtr[i]); vals[i].CopyTo(allVals, rowPtr[i]); }
        return new Tensors.CsrMatrix(texts.Count, _vocab.Length, rowPtr, allIdx, allVals);
    }

    /// <summary>The weighted, normalised n-gram vector of one text (indices ascending).</summary>
    private (int[] Indices, float[] Values) Weigh(ReadOnlySpan<char> text, List<string> terms, SortedDictionary<int, float> counts)
    {
        terms.Clear(); counts.Clear();
        Extract(text, _lower, _tokenizer, _wordN, _charN, terms);
        foreach (var term in terms)
            if (_ids.TryGetValue(term, out int id)) counts[id] = counts.TryGetValue(id, out float c) ? c + 1 : 1;
        var idx = new int[counts.Count]; var vals = new float[counts.Count];
        int k = 0;
        foreach (var (id, c) in counts)
        {
            idx[k] = id;
            float tf = _sublinear ? 1 + MathF.Log(c) : c;
            vals[k++] = _weighting switch
            {
                TextFeaturizingEstimator.WeightingCriteria.Tf => tf,
                TextFeaturizingEstimator.WeightingCriteria.Idf => _idf[id],
                _ => tf * _idf[id],
            };
        }
        double norm = _norm switch
        {
            TextFeaturizingEstimator.NormFunction.L1 => vals.Sum(x => (double)Math.Abs(x)),
            TextFeaturizingEstimator.NormFunction.L2 => Math.Sqrt(vals.Sum(x => (double)x * x)),
            TextFeaturizingEstimator.NormFunction.Infinity => vals.Length == 0 ? 0 : vals.Max(x => (double)Math.Abs(x)),
            _ => 0,
        };
        if (norm > 0) for (int i = 0; i < vals.Length; i++) vals[i] = (float)(vals[i] / norm);
        return (idx, vals);
    }

    /// <summary>Appends the n-gram keys of <paramref name="text"/> (with repeats) to <paramref name="terms"/>.</summary>
    internal static void Extract(ReadOnlySpan<char> text, bool lower, TextFeaturizingEstimator.WordTokenizerKind tokenizer, int wordN, int charN, List<string> terms)
    {
        string s = lower ? text.ToString().ToLowerInvariant() : text.ToString();
        if (wordN > 0)
        {
            var words = tokenizer == TextFeaturizingEstimator.WordTokenizerKind.Unicode
                ? VaeText.Text.Tokenizer.Default.Tokenize(s).ToArray()
                : s.Split((char[]?)null, StringSplitOptions.RemoveEmptyEntries);
            var sb = new StringBuilder();
            for (int i = 0; i < words.Length; i++)
            {
                sb.Clear().Append("w:");
                for (int n = 1; n <= wordN && i + n <= words.Length; n++)
                {
                    if (n > 1) sb.Append('|');
                    sb.Append(words[i + n - 1]);
                    terms.Add(sb.ToString());
                }
            }
        }
        if (charN > 0)
        {
            string framed = "\u0002" + string.Join(' ', s.Split((char[]?)null, StringSplitOptions.RemoveEmptyEntries)) + "\u0003";
            for (int i = 0; i + charN <= framed.Length; i++) terms.Add(string.Concat("c:", framed.AsSpan(i, charN)));
        }
    }

    /// <inheritdoc/>
    protected internal override RowMapper MakeRowMapper(DataViewSchema inputSchema) => new Mapper(this, inputSchema);

    private sealed class Mapper : RowMapper
    {
        private readonly TextFeaturizingTransformer _t;
        private readonly DataViewSchema.Column _in;
        public Mapper(TextFeaturizingTransformer t, DataViewSchema s) : base(s)
        {
            _t = t;
            _in = FindInput(s, t._input, "Text", ty => ty is TextDataViewType);
            OutputColumns = [new OutputColumn(t._output, new VectorDataViewType(NumberDataViewType.Single, t._vocab.Length),
                new DataViewSchema.Annotations.Builder().AddSlotNames(AnnotationUtils.TextVector(t._vocab)).ToAnnotations())];
        }
        public override IReadOnlyList<OutputColumn> OutputColumns { get; }
        public override IEnumerable<DataViewSchema.Column> GetDependencies(Func<int, bool> active) => active(0) ? [_in] : [];
        public override Delegate?[] CreateGetters(DataViewRow input, Func<int, bool> active)
        {
            if (!active(0)) return [null];
            var g = input.GetGetter<ReadOnlyMemory<char>>(_in);
            var t = _t;
            var terms = new List<string>();
            var counts = new SortedDictionary<int, float>();
            return [(ValueGetter<VBuffer<float>>)((ref VBuffer<float> v) =>
            {
                ReadOnlyMemory<char> text = default; g(ref text);
                var (idx, vals) = t.Weigh(text.Span, terms, counts);
                v = new VBuffer<float>(t._vocab.Length, idx.Length, vals, idx);
            })];
        }
    }

    // Layout: [string output][string input][bool lower][int32 wordN][int32 charN][int32 weighting][int32 norm]
    //   [strings vocabulary][floats idf]; version 2 appends [int32 word tokenizer][bool sublinear TF].
    /// <inheritdoc/>
    public override void Save(ModelSaveContext ctx)
    {
        ctx.SetVersionInfo(s_version);
        var w = ctx.Writer;
        w.Write(_output); w.Write(_input); w.Write(_lower); w.Write(_wordN); w.Write(_charN); w.Write((int)_weighting); w.Write((int)_norm);
        ctx.WriteStrings(_vocab); ctx.WriteSingles(_idf);
        w.Write((int)_tokenizer); w.Write(_sublinear);
    }

    private static TextFeaturizingTransformer Load(ModelLoadContext ctx)
    {
        ctx.CheckVersion(s_version);
        string o = ctx.ReadString(), i = ctx.ReadString();
        ctx.CheckDecode(o.Length > 0 && i.Length > 0, "empty column name");
        bool lower = ctx.Reader.ReadBoolean();
        int wn = ctx.ReadInt32(0, 10, "word n-gram length"), cn = ctx.ReadInt32(0, 10, "char n-gram length");
        var weighting = (TextFeaturizingEstimator.WeightingCriteria)ctx.ReadInt32(0, 2, "weighting");
        var norm = (TextFeaturizingEstimator.NormFunction)ctx.ReadInt32(0, 3, "norm");
        var vocab = ctx.ReadStrings("vocabulary");
        var idf = ctx.ReadSingles("idf");
        ctx.CheckDecode(vocab.Length > 0 && idf.Length == vocab.Length, "vocabulary and idf lengths differ");
        ctx.CheckDecode(vocab.Distinct(StringComparer.Ordinal).Count() == vocab.Length, "duplicate n-grams");
        ctx.CheckDecode(idf.All(float.IsFinite), "non-finite idf");
        var tokenizer = TextFeaturizingEstimator.WordTokenizerKind.Whitespace;
        bool sublinear = false;
        if (ctx.Version >= 2)
        {
            tokenizer = (TextFeaturizingEstimator.WordTokenizerKind)ctx.ReadInt32(0, 1, "word tokenizer");
            sublinear = ctx.Reader.ReadBoolean();
        }
        return new TextFeaturizingTransformer(o, i, lower, tokenizer, wn, cn, weighting, sublinear, norm, vocab, idf);
    }
}
