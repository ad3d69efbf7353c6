using System.Globalization;
using VaeText.Data;
using VaeText.IO;

namespace VaeText.Transforms;

/// <summary>
/// Maps text (or Single) values to keys (ML.NET's <c>ValueToKeyMappingEstimator</c>). Fit reads only the input
/// column and collects distinct values, ordered by first appearance (ML.NET's default) or by value. At Transform an
/// unseen value maps to the missing key 0, as in ML.NET. Single values are keyed by their round-trip text form.
/// The output carries the key values annotation (text).
/// </summary>
public sealed class ValueToKeyMappingEstimator : IEstimator<ValueToKeyMappingTransformer>
{
    /// <summary>How key ids are ordered.</summary>
    public enum KeyOrdinality
    {
        /// <summary>In order of first appearance (default).</summary>
        ByOccurrence,
        /// <summary>Sorted by value (ordinal text order, numeric order for Single).</summary>
        ByValue,
    }

    /// <summary>Defaults.</summary>
    public static class Defaults
    {
        /// <summary>Maximum number of keys.</summary>
        public const int MaximumNumberOfKeys = 1_000_000;
        /// <summary>Key order.</summary>
        public const KeyOrdinality Ordinality = KeyOrdinality.ByOccurrence;
    }

    private readonly string _output, _input;
    private readonly int _maxKeys;
    private readonly KeyOrdinality _order;

    internal ValueToKeyMappingEstimator(string outputColumnName, string? inputColumnName, int maximumNumberOfKeys, KeyOrdinality keyOrdinality)
    {
        ArgumentException.ThrowIfNullOrEmpty(outputColumnName);
        if (maximumNumberOfKeys < 1) throw new ArgumentOutOfRangeException(nameof(maximumNumberOfKeys), maximumNumberOfKeys, "must be positive");
        _output = outputColumnName; _input = inputColumnName ?? outputColumnName; _maxKeys = maximumNumberOfKeys; _order = keyOrdinality;
    }

    internal static bool Accepts(DataViewType t) => t is TextDataViewType or NumberDataViewType;
    internal const string Expected = "Text or Single";

    /// <inheritdoc/>
    public SchemaShape GetOutputSchema(SchemaShape inputSchema)
    {
        ArgumentNullException.ThrowIfNull(inputSchema);
        if (!inputSchema.TryFindColumn(_input, out var c)) throw new ArgumentOutOfRangeException(nameof(inputSchema), _input, $"input column '{_input}' not found; it must be {Expected}");
        if (c.Kind != SchemaShape.VectorKind.Scalar || c.IsKey || c.ItemType is not (TextDataViewType or NumberDataViewType))
            throw new ArgumentOutOfRangeException(nameof(inputSchema), _input, $"input column '{_input}' is {c}; it must be {Expected}");
        return new SchemaShape(inputSchema.Append(new SchemaShape.Column(_output, SchemaShape.VectorKind.Scalar, null, true, [AnnotationUtils.KeyValues])));
    }

    /// <inheritdoc/>
    public ValueToKeyMappingTransformer Fit(IDataView input)
    {
        ArgumentNullException.ThrowIfNull(input);
        GetOutputSchema(SchemaShape.Create(input.Schema));
        var col = input.Schema[_input];
        var values = new List<string>();
        var seen = new HashSet<string>(StringComparer.Ordinal);
        var floats = new Dictionary<string, float>(StringComparer.Ordinal);
        using (var cur = input.GetRowCursor([col]))
        {
            var get = ValueToKeyMappingTransformer.TextGetter(cur, col);
            while (cur.MoveNext())
            {
                var (s, f) = get();
                if (s is null) continue;
                if (seen.Add(s))
                {
                    if (values.Count >= _maxKeys) throw new InvalidOperationException($"column '{_input}' has more than {_maxKeys} distinct values (maximumNumberOfKeys)");
                    values.Add(s);
                    if (f is float ff) floats[s] = ff;
                }
            }
        }
        if (values.Count == 0) throw new InvalidOperationException($"column '{_input}' has no non-missing values to build keys from");
        if (_order == KeyOrdinality.ByValue)
        {
            if (col.Type is NumberDataViewType) values.Sort((a, b) => floats[a].CompareTo(floats[b]));
            else values.Sort(StringComparer.Ordinal);
        }
        return new ValueToKeyMappingTransformer(_output, _input, values.ToArray());
    }
}

/// <summary>The fitted value → key map (immutable, thread-safe).</summary>
[ModelLoader(LoaderSignature)]
public sealed class ValueToKeyMappingTransformer : RowToRowTransformerBase
{
    internal const string LoaderSignature = "ValueToKeyMapping";
    private static readonly VersionInfo s_version = new(LoaderSignature, 1, 1);
    private readonly string _output, _input;
    private readonly string[] _keys;
    private readonly Dictionary<string, uint> _index;

    internal ValueToKeyMappingTransformer(string output, string input, string[] keys)
    {
        _output = output; _input = input; _keys = keys;
        _index = new Dictionary<string, uint>(StringComparer.Ordinal);
        for (int i = 0; i < keys.Length; i++) _index[keys[i]] = (uint)(i + 1);
    }

    /// <summary>The key values: key k (1-based) is <c>KeyValues[k - 1]</c>.</summary>
    public IReadOnlyList<string> KeyValues => _keys;

    internal static Func<(string?, float?)> TextGetter(DataViewRow row, DataViewSchema.Column col)
    {
        if (col.Type is TextDataViewType)
        {
            var g = row.GetGetter<ReadOnlyMemory<char>>(col);
            return () => { ReadOnlyMemory<char> v = default; g(ref v); return v.IsEmpty ? (null, null) : (v.ToString(), null); };
        }
        var gf = row.GetGetter<float>(col);
        return () => { float v = 0; gf(ref v); return float.IsNaN(v) ? (null, null) : (v.ToString("R", CultureInfo.InvariantCulture), v); };
    }

    /// <inheritdoc/>
    protected internal override RowMapper MakeRowMapper(DataViewSchema inputSchema) => new Mapper(this, inputSchema);

    private sealed class Mapper : RowMapper
    {
        private readonly ValueToKeyMappingTransformer _t;
        private readonly DataViewSchema.Column _in;
        public Mapper(ValueToKeyMappingTransformer t, DataViewSchema schema) : base(schema)
        {
            _t = t;
            _in = FindInput(schema, t._input, ValueToKeyMappingEstimator.Expected, ValueToKeyMappingEstimator.Accepts);
            OutputColumns = [new OutputColumn(t._output, new KeyDataViewType((ulong)t._keys.Length),
                new DataViewSchema.Annotations.Builder().AddKeyValues(AnnotationUtils.TextVector(t._keys)).ToAnnotations())];
        }
        public override IReadOnlyList<OutputColumn> OutputColumns { get; }
        public override IEnumerable<DataViewSchema.Column> GetDependencies(Func<int, bool> active) => active(0) ? [_in] : [];
        public override Delegate?[] CreateGetters(DataViewRow input, Func<int, bool> active)
        {
            if (!active(0)) return [null];
            var get = TextGetter(input, _in);
            var index = _t._index;
            return [(ValueGetter<uint>)((ref uint v) => { var (s, _) = get(); v = s is not null && index.TryGetValue(s, out uint k) ? k : 0; })];
        }
    }

    // Layout: [string output][string input][strings keys]
    /// <inheritdoc/>
    public override void Save(ModelSaveContext ctx)
    {
        ctx.SetVersionInfo(s_version);
        ctx.Writer.Write(_output); ctx.Writer.Write(_input);
        ctx.WriteStrings(_keys);
    }

    private static ValueToKeyMappingTransformer Load(ModelLoadContext ctx)
    {
        ctx.CheckVersion(s_version);
        string o = ctx.ReadString(), i = ctx.ReadString();
        ctx.CheckDecode(o.Length > 0 && i.Length > 0, "empty column name");
        var keys = ctx.ReadStrings("key values");
        ctx.CheckDecode(keys.Length > 0, "no key values");
        ctx.CheckDecode(keys.Distinct(StringComparer.Ordinal).Count() == keys.Length, "duplicate key values");
        return new ValueToKeyMappingTransformer(o, i, keys);
    }
}

/// <summary>
/// Maps keys back to their text values (ML.NET's <c>KeyToValueMappingEstimator</c>); key 0 (missing) maps to the
/// empty text. Needs a key column carrying the key values annotation. There is nothing to train.
/// </summary>
public sealed class KeyToValueMappingEstimator : IEstimator<KeyToValueMappingTransformer>
{
    private readonly string _output, _input;
    internal KeyToValueMappingEstimator(string outputColumnName, string? inputColumnName)
    {
        ArgumentException.ThrowIfNullOrEmpty(outputColumnName);
        _output = outputColumnName; _input = inputColumnName ?? outputColumnName;
    }

    /// <inheritdoc/>
    public SchemaShape GetOutputSchema(SchemaShape inputSchema)
    {
        ArgumentNullException.ThrowIfNull(inputSchema);
        if (!inputSchema.TryFindColumn(_input, out var c)) throw new ArgumentOutOfRangeException(nameof(inputSchema), _input, $"input column '{_input}' not found; it must be a Key with key values");
        if (!c.IsKey || c.Kind != SchemaShape.VectorKind.Scalar) throw new ArgumentOutOfRangeException(nameof(inputSchema), _input, $"input column '{_input}' is {c}; it must be a Key with key values");
        return new SchemaShape(inputSchema.Append(new SchemaShape.Column(_output, SchemaShape.VectorKind.Scalar, TextDataViewType.Instance, false)));
    }

    /// <inheritdoc/>
    public KeyToValueMappingTransformer Fit(IDataView input)
    {
        ArgumentNullException.ThrowIfNull(input);
        var t = new KeyToValueMappingTransformer(_output, _input);
        t.GetOutputSchema(input.Schema);
        return t;
    }
}

/// <summary>The key → text map (stateless apart from column names; reads key values from the input schema).</summary>
[ModelLoader(LoaderSignature)]
public sealed class KeyToValueMappingTransformer : RowToRowTransformerBase
{
    internal const string LoaderSignature = "KeyToValueMapping";
    private static readonly VersionInfo s_version = new(LoaderSignature, 1, 1);
    private readonly string _output, _input;
    internal KeyToValueMappingTransformer(string output, string input) { _output = output; _input = input; }

    /// <inheritdoc/>
    protected internal override RowMapper MakeRowMapper(DataViewSchema inputSchema) => new Mapper(this, inputSchema);

    private sealed class Mapper : RowMapper
    {
        private readonly DataViewSchema.Column _in;
        private readonly ReadOnlyMemory<char>[] _values;
        public Mapper(KeyToValueMappingTransformer t, DataViewSchema schema) : base(schema)
        {
            _in = FindInput(schema, t._input, "a Key with key values", ty => ty is KeyDataViewType);
            var kv = _in.GetKeyValuesOrNull() ?? throw new ArgumentOutOfRangeException(nameof(schema), t._input, $"input column '{t._input}' is a Key without key values; it must be a Key with key values");
            _values = kv.DenseValues();
            OutputColumns = [new OutputColumn(t._output, TextDataViewType.Instance, DataViewSchema.Annotations.Empty)];
        }
        public override IReadOnlyList<OutputColumn> OutputColumns { get; }
        public override IEnumerable<DataViewSchema.Column> GetDependencies(Func<int, bool> active) => active(0) ? [_in] : [];
        public override Delegate?[] CreateGetters(DataViewRow input, Func<int, bool> active)
        {
            if (!active(0)) return [null];
            var g = input.GetGetter<uint>(_in);
            var vals = _values;
            return [(ValueGetter<ReadOnlyMemory<char>>)((ref ReadOnlyMemory<char> v) =>
            {
                uint k = 0; g(ref k);
                v = k >= 1 && k <= vals.Length ? vals[k - 1] : ReadOnlyMemory<char>.Empty;
            })];
        }
    }

    // Layout: [string output][string input]
    /// <inheritdoc/>
    public override void Save(ModelSaveContext ctx)
    {
        ctx.SetVersionInfo(s_version);
        ctx.Writer.Write(_output); ctx.Writer.Write(_input);
    }

    private static KeyToValueMappingTransformer Load(ModelLoadContext ctx)
    {
        ctx.CheckVersion(s_version);
        string o = ctx.ReadString(), i = ctx.ReadString();
        ctx.CheckDecode(o.Length > 0 && i.Length > 0, "empty column name");
        return new KeyToValueMappingTransformer(o, i);
    }
}
