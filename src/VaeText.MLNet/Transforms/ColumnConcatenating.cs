using VaeText.Data;
using VaeText.IO;

namespace VaeText.Transforms;

/// <summary>
/// Concatenates Single and known-size Single vector columns into one vector (ML.NET's
/// <c>ColumnConcatenatingEstimator</c>). The output is sparse when any input is sparse, else dense; slot names are
/// the input column name for scalars and "column.slot" for vectors (using the input's slot names when present).
/// </summary>
public sealed class ColumnConcatenatingEstimator : IEstimator<ColumnConcatenatingTransformer>
{
    private readonly string _output;
    private readonly string[] _inputs;

    internal ColumnConcatenatingEstimator(string outputColumnName, string[] inputColumnNames)
    {
        ArgumentException.ThrowIfNullOrEmpty(outputColumnName);
        ArgumentNullException.ThrowIfNull(inputColumnNames);
        if (inputColumnNames.Length == 0) throw new ArgumentException("at least one input column is needed", nameof(inputColumnNames));
        _output = outputColumnName; _inputs = inputColumnNames;
    }

    internal const string Expected = "Single or a known-size vector of Single";

    /// <inheritdoc/>
    public SchemaShape GetOutputSchema(SchemaShape inputSchema)
    {
        ArgumentNullException.ThrowIfNull(inputSchema);
        foreach (var name in _inputs)
        {
            if (!inputSchema.TryFindColumn(name, out var c)) throw new ArgumentOutOfRangeException(nameof(inputSchema), name, $"input column '{name}' not found; it must be {Expected}");
            if (!(c.IsSingle || c.IsFloatVector)) throw new ArgumentOutOfRangeException(nameof(inputSchema), name, $"input column '{name}' is {c}; it must be {Expected}");
        }
        return new SchemaShape(inputSchema.Append(new SchemaShape.Column(_output, SchemaShape.VectorKind.Vector, NumberDataViewType.Single, false, [AnnotationUtils.SlotNames])));
    }

    /// <inheritdoc/>
    public ColumnConcatenatingTransformer Fit(IDataView input)
    {
        ArgumentNullException.ThrowIfNull(input);
        var t = new ColumnConcatenatingTransformer(_output, _inputs);
        t.GetOutputSchema(input.Schema);
        return t;
    }
}

/// <summary>The concatenation (no trained state). Thread-safe.</summary>
[ModelLoader(LoaderSignature)]
public sealed class ColumnConcatenatingTransformer : RowToRowTransformerBase
{
    internal const string LoaderSignature = "ColumnConcatenating";
    private static readonly VersionInfo s_version = new(LoaderSignature, 1, 1);
    private readonly string _output;
    private readonly string[] _inputs;

    internal ColumnConcatenatingTransformer(string output, string[] inputs) { _output = output; _inputs = inputs; }

    /// <inheritdoc/>
    protected internal override RowMapper MakeRowMapper(DataViewSchema inputSchema) => new Mapper(this, inputSchema);

    private sealed class Mapper : RowMapper
    {
        private readonly DataViewSchema.Column[] _cols;
        private readonly int[] _sizes;
        private readonly int _total;
        public Mapper(ColumnConcatenatingTransformer t, DataViewSchema s) : base(s)
        {
            _cols = t._inputs.Select(n => FindInput(s, n, ColumnConcatenatingEstimator.Expected,
                ty => ty is NumberDataViewType || ty is VectorDataViewType { ItemType: NumberDataViewType, IsKnownSize: true })).ToArray();
            _sizes = _cols.Select(c => c.Type is VectorDataViewType v ? v.Size : 1).ToArray();
            _total = _sizes.Sum();
            var names = new List<string>(_total);
            foreach (var c in _cols)
            {
                if (c.Type is not VectorDataViewType v) { names.Add(c.Name); continue; }
                var sn = c.GetSlotNamesOrNull();
                var dense = sn?.DenseValues();
                for (int i = 0; i < v.Size; i++) names.Add(dense is not null && !dense[i].IsEmpty ? $"{c.Name}.{dense[i]}" : $"{c.Name}.{i}");
            }
            OutputColumns = [new OutputColumn(t._output, new VectorDataViewType(NumberDataViewType.Single, _total),
                new DataViewSchema.Annotations.Builder().AddSlotNames(AnnotationUtils.TextVector(names)).ToAnnotations())];
        }
        public override IReadOnlyList<OutputColumn> OutputColumns { get; }
        public override IEnumerable<DataViewSchema.Column> GetDependencies(Func<int, bool> active) => active(0) ? _cols : [];
        public override Delegate?[] CreateGetters(DataViewRow input, Func<int, bool> active)
        {
            if (!active(0)) return [null];
            var getters = _cols.Select<DataViewSchema.Column, Func<VBuffer<float>>>(c =>
            {
                if (c.Type is NumberDataViewType)
                {
                    var g = input.GetGetter<float>(c);
                    return () => { float f = 0; g(ref f); return new VBuffer<float>(1, [f]); };
                }
                var gv = input.GetGetter<VBuffer<float>>(c);
                return () => { VBuffer<float> b = default; gv(ref b); return b; };
            }).ToArray();
            int total = _total;
            var sizes = _sizes;
            string[] names = _cols.Select(c => c.Name).ToArray();
            return [(ValueGetter<VBuffer<float>>)((ref VBuffer<float> v) =>
            {
                var parts = new VBuffer<float>[getters.Length];
                bool sparse = false;
                for (int i = 0; i < parts.Length; i++)
                {
                    parts[i] = getters[i]();
                    if (parts[i].Length != sizes[i]) throw new InvalidOperationException($"row {input.Position}: column '{names[i]}' has {parts[i].Length} slots, the schema says {sizes[i]}");
                    sparse |= !parts[i].IsDense;
                }
                if (!sparse)
                {
                    var a = new float[total];
                    int off = 0;
                    for (int i = 0; i < parts.Length; i++) { parts[i].GetValues().CopyTo(a.AsSpan(off)); off += sizes[i]; }
                    v = new VBuffer<float>(total, a);
                    return;
                }
                int nnz = 0;
                foreach (var p in parts) nnz += p.GetValues().Length;
                var vals = new float[nnz]; var idx = new int[nnz];
                int k = 0, o2 = 0;
                for (int i = 0; i < parts.Length; i++)
                {
                    var pv = parts[i].GetValues();
                    if (parts[i].IsDense) for (int j = 0; j < pv.Length; j++) { idx[k] = o2 + j; vals[k++] = pv[j]; }
                    else { var pi = parts[i].GetIndices(); for (int j = 0; j < pv.Length; j++) { idx[k] = o2 + pi[j]; vals[k++] = pv[j]; } }
                    o2 += sizes[i];
                }
                v = new VBuffer<float>(total, k, vals, idx);
            })];
        }
    }

    // Layout: [string output][strings inputs]
    /// <inheritdoc/>
    public override void Save(ModelSaveContext ctx)
    {
        ctx.SetVersionInfo(s_version);
        ctx.Writer.Write(_output);
        ctx.WriteStrings(_inputs);
    }

    private static ColumnConcatenatingTransformer Load(ModelLoadContext ctx)
    {
        ctx.CheckVersion(s_version);
        string o = ctx.ReadString();
        var i = ctx.ReadStrings("input columns");
        ctx.CheckDecode(o.Length > 0 && i.Length > 0 && i.All(x => x.Length > 0), "empty column names");
        return new ColumnConcatenatingTransformer(o, i);
    }
}
