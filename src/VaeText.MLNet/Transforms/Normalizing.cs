using VaeText.Data;
using VaeText.IO;

namespace VaeText.Transforms;

/// <summary>
/// Per-slot affine normalization of a Single or known-size Single vector column: <c>y = (x − offset) · scale</c>
/// (ML.NET's <c>NormalizeMeanVariance</c> / <c>NormalizeMinMax</c>). With <c>fixZero</c> (the ML.NET default) the
/// offset is 0, so zeros stay zero and sparse vectors stay sparse: mean-variance scales by 1/σ, min-max by
/// 1/max(|min|, |max|). Without it: (x − μ)/σ and (x − min)/(max − min). A constant slot gets scale 0 when
/// fixZero is false and its spread is 0 (so it maps to 0); scale 1 when its magnitude is 0 too. Fit streams only the input column.
/// </summary>
public sealed class NormalizingEstimator : IEstimator<NormalizingTransformer>
{
    /// <summary>The statistic used.</summary>
    public enum NormalizerMode
    {
        /// <summary>Mean and standard deviation.</summary>
        MeanVariance,
        /// <summary>Minimum and maximum.</summary>
        MinMax,
    }

    private readonly string _output, _input;
    private readonly NormalizerMode _mode;
    private readonly bool _fixZero;

    internal NormalizingEstimator(string output, string? input, NormalizerMode mode, bool fixZero)
    {
        ArgumentException.ThrowIfNullOrEmpty(output);
        _output = output; _input = input ?? output; _mode = mode; _fixZero = fixZero;
    }

    internal const string Expected = "Single or a known-size vector of Single";

    /// <inheritdoc/>
    public SchemaShape GetOutputSchema(SchemaShape inputSchema)
    {
        ArgumentNullException.ThrowIfNull(inputSchema);
        if (!inputSchema.TryFindColumn(_input, out var c)) throw new ArgumentOutOfRangeException(nameof(inputSchema), _input, $"input column '{_input}' not found; it must be {Expected}");
        if (!(c.IsSingle || c.IsFloatVector)) throw new ArgumentOutOfRangeException(nameof(inputSchema), _input, $"input column '{_input}' is {c}; it must be {Expected}");
        return new SchemaShape(inputSchema.Append(new SchemaShape.Column(_output, c.Kind, NumberDataViewType.Single, false, c.Annotations.Contains(AnnotationUtils.SlotNames) ? [AnnotationUtils.SlotNames] : [])));
    }

    /// <inheritdoc/>
    public NormalizingTransformer Fit(IDataView input)
    {
        ArgumentNullException.ThrowIfNull(input);
        GetOutputSchema(SchemaShape.Create(input.Schema));
        var col = input.Schema[_input];
        int n = col.Type is VectorDataViewType v ? v.Size : 1;
        var sum = new double[n]; var sumSq = new double[n];
        var min = new double[n]; var max = new double[n];
        var count = new long[n];   // per slot: NaN (missing) values are left out of that slot's statistics
        long rows = 0;
        using (var cur = input.GetRowCursor([col]))
        {
            var buf = new float[n];
            Action fill;
            if (col.Type is NumberDataViewType) { var g = cur.GetGetter<float>(col); fill = () => { float f = 0; g(ref f); buf[0] = f; }; }
            else { var g = cur.GetGetter<VBuffer<float>>(col); VBuffer<float> b = default; fill = () => { g(ref b); b.CopyTo(buf); }; }
            while (cur.MoveNext())
            {
                fill();
                for (int i = 0; i < n; i++)
                {
                    double x = buf[i];
                    if (double.IsNaN(x)) continue;
                    if (double.IsInfinity(x))
                        throw new InvalidOperationException($"column '{_input}' holds {x} at row {rows}{(n > 1 ? $", slot {i}" : "")}: a normalizer needs finite values (NaN is treated as missing)");
                    sum[i] += x; sumSq[i] += x * x;
                    if (count[i] == 0 || x < min[i]) min[i] = x;
                    if (count[i] == 0 || x > max[i]) max[i] = x;
                    count[i]++;
                }
                rows++;
            }
        }
        if (rows == 0) throw new InvalidOperationException($"column '{_input}' has no rows to compute normalization statistics from");
        var offset = new float[n]; var scale = new float[n];
        for (int i = 0; i < n; i++)
        {
            long c = Math.Max(1, count[i]);
            double mean = sum[i] / c, var = Math.Max(0, sumSq[i] / c - mean * mean), std = Math.Sqrt(var);
            if (_mode == NormalizerMode.MeanVariance)
            {
                if (_fixZero) { offset[i] = 0; scale[i] = std > 0 ? (float)(1 / std) : 1f; }
                else { offset[i] = (float)mean; scale[i] = std > 0 ? (float)(1 / std) : 0f; }
            }
            else
            {
                double m = Math.Max(Math.Abs(min[i]), Math.Abs(max[i]));
                if (_fixZero) { offset[i] = 0; scale[i] = m > 0 ? (float)(1 / m) : 1f; }
                else { offset[i] = (float)min[i]; scale[i] = max[i] > min[i] ? (float)(1 / (max[i] - min[i])) : 0f; }
            }
        }
        return new NormalizingTransformer(_output, _input, offset, scale);
    }
}

/// <summary>The fitted normalizer (per-slot offset and scale). Immutable, thread-safe.</summary>
[ModelLoader(LoaderSignature)]
public sealed class NormalizingTransformer : RowToRowTransformerBase
{
    internal const string LoaderSignature = "Normalizing";
    private static readonly VersionInfo s_version = new(LoaderSignature, 1, 1);
    private readonly string _output, _input;
    private readonly float[] _offset, _scale;

    internal NormalizingTransformer(string output, string input, float[] offset, float[] scale)
    {
        _output = output; _input = input; _offset = offset; _scale = scale;
    }

    /// <summary>Per-slot offsets.</summary>
    public IReadOnlyList<float> Offsets => _offset;
    /// <summary>Per-slot scales.</summary>
    public IReadOnlyList<float> Scales => _scale;

    /// <inheritdoc/>
    protected internal override RowMapper MakeRowMapper(DataViewSchema inputSchema) => new Mapper(this, inputSchema);

    private sealed class Mapper : RowMapper
    {
        private readonly NormalizingTransformer _t;
        private readonly DataViewSchema.Column _in;
        public Mapper(NormalizingTransformer t, DataViewSchema s) : base(s)
        {
            _t = t;
            int n = t._scale.Length;
            string need = n == 1 ? "Single or a vector of 1 Single" : $"a vector of {n} Single";
            _in = FindInput(s, t._input, need, ty => n == 1 && ty is NumberDataViewType || ty is VectorDataViewType { ItemType: NumberDataViewType } v && v.Size == n);
            var ann = new DataViewSchema.Annotations.Builder();
            if (_in.GetSlotNamesOrNull() is { } sn) ann.AddSlotNames(sn);
            OutputColumns = [new OutputColumn(t._output, _in.Type, ann.ToAnnotations())];
        }
        public override IReadOnlyList<OutputColumn> OutputColumns { get; }
        public override IEnumerable<DataViewSchema.Column> GetDependencies(Func<int, bool> active) => active(0) ? [_in] : [];
        public override Delegate?[] CreateGetters(DataViewRow input, Func<int, bool> active)
        {
            if (!active(0)) return [null];
            var off = _t._offset; var sc = _t._scale;
            if (_in.Type is NumberDataViewType)
            {
                var g = input.GetGetter<float>(_in);
                return [(ValueGetter<float>)((ref float v) => { float x = 0; g(ref x); v = (x - off[0]) * sc[0]; })];
            }
            var gv = input.GetGetter<VBuffer<float>>(_in);
            bool anyOffset = off.Any(o => o != 0);
            return [(ValueGetter<VBuffer<float>>)((ref VBuffer<float> v) =>
            {
                VBuffer<float> b = default; gv(ref b);
                if (b.IsDense || anyOffset)
                {
                    var a = b.DenseValues();
                    for (int i = 0; i < a.Length; i++) a[i] = (a[i] - off[i]) * sc[i];
                    v = new VBuffer<float>(a.Length, a);
                }
                else
                {
                    var vals = b.GetValues().ToArray(); var idx = b.GetIndices().ToArray();
                    for (int i = 0; i < vals.Length; i++) vals[i] *= sc[idx[i]];
                    v = new VBuffer<float>(b.Length, vals.Length, vals, idx);
                }
            })];
        }
    }

    // Layout: [string output][string input][floats offset][floats scale]
    /// <inheritdoc/>
    public override void Save(ModelSaveContext ctx)
    {
        ctx.SetVersionInfo(s_version);
        ctx.Writer.Write(_output); ctx.Writer.Write(_input);
        ctx.WriteSingles(_offset); ctx.WriteSingles(_scale);
    }

    private static NormalizingTransformer Load(ModelLoadContext ctx)
    {
        ctx.CheckVersion(s_version);
        string o = ctx.ReadString(), i = ctx.ReadString();
        ctx.CheckDecode(o.Length > 0 && i.Length > 0, "empty column name");
        var off = ctx.ReadSingles("offsets"); var sc = ctx.ReadSingles("scales");
        ctx.CheckDecode(off.Length > 0 && off.Length == sc.Length, "offset/scale lengths differ or are zero");
        ctx.CheckDecode(off.All(float.IsFinite) && sc.All(float.IsFinite), "non-finite normalization statistics");
        return new NormalizingTransformer(o, i, off, sc);
    }
}
