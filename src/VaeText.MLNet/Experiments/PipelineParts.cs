using VaeText.Data;
using VaeText.IO;
using VaeText.Transforms;

namespace VaeText.Experiments;

/// <summary>
/// A two-class model seen as a multiclass one: scores [1 − p, p] where p = P(class 1). Lets every text classifier of
/// the CLI end in the same columns (Score = class probabilities, PredictedLabel = class key).
/// </summary>
[ModelLoader(LoaderSignature)]
internal sealed class BinaryAsMulticlassModel : IMulticlassPredictor
{
    internal const string LoaderSignature = "BinaryAsMulticlassModel";
    private static readonly VersionInfo s_version = new(LoaderSignature, 1, 1);

    public IBinaryPredictor Binary { get; }

    public BinaryAsMulticlassModel(IBinaryPredictor binary)
    {
        Binary = binary ?? throw new ArgumentNullException(nameof(binary));
        if (!binary.HasProbability) throw new ArgumentException("the binary model needs calibrated probabilities", nameof(binary));
    }

    public int FeatureCount => Binary.FeatureCount;
    public int ClassCount => 2;

    public void GetScores(in VBuffer<float> features, Span<float> scores)
    {
        float p = Binary.GetProbability(Binary.GetScore(features));
        scores[0] = 1 - p;
        scores[1] = p;
    }

    // Layout: [nested binary model]
    public void Save(ModelSaveContext ctx)
    {
        ctx.SetVersionInfo(s_version);
        ctx.SaveNested(Binary);
    }

    private static BinaryAsMulticlassModel Load(ModelLoadContext ctx)
    {
        ctx.CheckVersion(s_version);
        var b = ctx.LoadNested<IBinaryPredictor>();
        ctx.CheckDecode(b.HasProbability, "the binary model has no probabilities");
        return new BinaryAsMulticlassModel(b);
    }
}

/// <summary>
/// Keeps chosen slots of a vector column, in the given order (the tree trainers' view of sparse n-grams: the most
/// frequent columns of the training rows).
/// </summary>
[ModelLoader(LoaderSignature)]
internal sealed class SlotSelectingTransformer : RowToRowTransformerBase
{
    internal const string LoaderSignature = "SlotSelecting";
    private static readonly VersionInfo s_version = new(LoaderSignature, 1, 1);
    private readonly string _output, _input;
    private readonly int _inputSize;
    private readonly int[] _slots;

    public SlotSelectingTransformer(string output, string input, int inputSize, int[] slots)
    {
        ArgumentException.ThrowIfNullOrEmpty(output);
        ArgumentException.ThrowIfNullOrEmpty(input);
        if (slots.Length == 0) throw new ArgumentException("select at least one slot", nameof(slots));
        if (slots.Any(s => s < 0 || s >= inputSize)) throw new ArgumentOutOfRangeException(nameof(slots), $"slots must lie in [0, {inputSize})");
        _output = output; _input = input; _inputSize = inputSize; _slots = slots;
    }

    public IReadOnlyList<int> Slots => _slots;

    protected internal override RowMapper MakeRowMapper(DataViewSchema inputSchema) => new Mapper(this, inputSchema);

    private sealed class Mapper : RowMapper
    {
        private readonly SlotSelectingTransformer _t;
        private readonly DataViewSchema.Column _in;
        public Mapper(SlotSelectingTransformer t, DataViewSchema s) : base(s)
        {
            _t = t;
            _in = FindInput(s, t._input, $"a vector of {t._inputSize} Single", ty => ty is VectorDataViewType { ItemType: NumberDataViewType } v && v.Size == t._inputSize);
            var ann = new DataViewSchema.Annotations.Builder();
            if (_in.GetSlotNamesOrNull() is { } sn)
            {
                var names = sn.DenseValues();
                ann.AddSlotNames(AnnotationUtils.TextVector(t._slots.Select(i => names[i].ToString()).ToArray()));
            }
            OutputColumns = [new OutputColumn(t._output, new VectorDataViewType(NumberDataViewType.Single, t._slots.Length), ann.ToAnnotations())];
        }
        public override IReadOnlyList<OutputColumn> OutputColumns { get; }
        public override IEnumerable<DataViewSchema.Column> GetDependencies(Func<int, bool> active) => active(0) ? [_in] : [];
        public override Delegate?[] CreateGetters(DataViewRow input, Func<int, bool> active)
        {
            if (!active(0)) return [null];
            var g = input.GetGetter<VBuffer<float>>(_in);
            var slots = _t._slots;
            var map = new int[_t._inputSize];
            Array.Fill(map, -1);
            for (int i = 0; i < slots.Length; i++) map[slots[i]] = i;
            return [(ValueGetter<VBuffer<float>>)((ref VBuffer<float> v) =>
            {
                VBuffer<float> b = default; g(ref b);
                var a = new float[slots.Length];
                var vals = b.GetValues();
                if (b.IsDense) { for (int i = 0; i < a.Length; i++) a[i] = vals[slots[i]]; }
                else
                {
                    var idx = b.GetIndices();
                    for (int p = 0; p < idx.Length; p++) if (map[idx[p]] >= 0) a[map[idx[p]]] = vals[p];
                }
                v = new VBuffer<float>(a.Length, a);
            })];
        }
    }

    // Layout: [string output][string input][int32 input size][ints slots]
    public override void Save(ModelSaveContext ctx)
    {
        ctx.SetVersionInfo(s_version);
        ctx.Writer.Write(_output); ctx.Writer.Write(_input); ctx.Writer.Write(_inputSize);
        ctx.WriteInts(_slots);
    }

    private static SlotSelectingTransformer Load(ModelLoadContext ctx)
    {
        ctx.CheckVersion(s_version);
        string o = ctx.ReadString(), i = ctx.ReadString();
        ctx.CheckDecode(o.Length > 0 && i.Length > 0, "empty column name");
        int size = ctx.ReadInt32(1, int.MaxValue, "input size");
        var slots = ctx.ReadInts("slots");
        ctx.CheckDecode(slots.Length > 0 && slots.All(s => s >= 0 && s < size), "slots out of range");
        return new SlotSelectingTransformer(o, i, size, slots);
    }
}
