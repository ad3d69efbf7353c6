using VaeText.Data;
using VaeText.IO;

namespace VaeText.Transforms;

/// <summary>
/// A trained binary model: a raw score per feature vector (positive class when score &gt; 0), optionally calibrated
/// into a probability. Implementations must be immutable and thread-safe and saveable (<see cref="ICanSaveModel"/>
/// plus <see cref="ModelLoaderAttribute"/>).
/// </summary>
public interface IBinaryPredictor : ICanSaveModel
{
    /// <summary>Expected feature vector length.</summary>
    int FeatureCount { get; }
    /// <summary>True when <see cref="GetProbability"/> is meaningful (adds a Probability column).</summary>
    bool HasProbability { get; }
    /// <summary>The raw score of one example.</summary>
    float GetScore(in VBuffer<float> features);
    /// <summary>P(positive | score).</summary>
    float GetProbability(float score);
}

/// <summary>A trained multiclass model: one score per class (probabilities summing to 1 recommended). Immutable, thread-safe, saveable.</summary>
public interface IMulticlassPredictor : ICanSaveModel
{
    /// <summary>Expected feature vector length.</summary>
    int FeatureCount { get; }
    /// <summary>Number of classes.</summary>
    int ClassCount { get; }
    /// <summary>Writes the <see cref="ClassCount"/> class scores of one example into <paramref name="scores"/>.</summary>
    void GetScores(in VBuffer<float> features, Span<float> scores);
}

/// <summary>A trained regression model. Immutable, thread-safe, saveable.</summary>
public interface IRegressionPredictor : ICanSaveModel
{
    /// <summary>Expected feature vector length.</summary>
    int FeatureCount { get; }
    /// <summary>The prediction for one example.</summary>
    float Predict(in VBuffer<float> features);
}

/// <summary>
/// Base of the transformers a trainer returns (ML.NET's <c>PredictionTransformerBase</c>): holds the trained
/// <see cref="Model"/> and the feature column name, and appends the prediction columns:
/// binary → Score (Single), PredictedLabel (Boolean), Probability (Single, when calibrated);
/// multiclass → Score (vector of class scores, slot names = class names), PredictedLabel (Key with the class names);
/// regression → Score (Single). Thread-safe: the model is immutable and scratch buffers are per cursor.
/// </summary>
public abstract class PredictionTransformerBase<TModel> : RowToRowTransformerBase where TModel : class, ICanSaveModel
{
    /// <summary>The trained model.</summary>
    public TModel Model { get; }
    /// <summary>The feature column read at prediction time.</summary>
    public string FeatureColumnName { get; }
    private protected abstract int FeatureCount { get; }

    private protected PredictionTransformerBase(TModel model, string featureColumnName)
    {
        Model = model ?? throw new ArgumentNullException(nameof(model));
        ArgumentException.ThrowIfNullOrEmpty(featureColumnName);
        FeatureColumnName = featureColumnName;
    }

    private protected DataViewSchema.Column FindFeatures(DataViewSchema schema)
    {
        string need = $"a vector of {FeatureCount} Single";
        return RowMapper.FindInput(schema, FeatureColumnName, need, t => t is VectorDataViewType { ItemType: NumberDataViewType } v && v.Size == FeatureCount);
    }

    private protected void SaveCore(ModelSaveContext ctx, VersionInfo version)
    {
        ctx.SetVersionInfo(version);
        ctx.Writer.Write(FeatureColumnName);
        ctx.SaveNested(Model);
    }

    private protected static (string Features, TM Model) LoadCore<TM>(ModelLoadContext ctx, VersionInfo version) where TM : class
    {
        ctx.CheckVersion(version);
        string f = ctx.ReadString();
        ctx.CheckDecode(f.Length > 0, "empty feature column name");
        return (f, ctx.LoadNested<TM>());
    }
}

/// <summary>Binary prediction transformer: adds Score, PredictedLabel (score &gt; 0) and, when calibrated, Probability.</summary>
[ModelLoader(LoaderSignature)]
public sealed class BinaryPredictionTransformer : PredictionTransformerBase<IBinaryPredictor>
{
    internal const string LoaderSignature = "BinaryPredictionTransformer";
    private static readonly VersionInfo s_version = new(LoaderSignature, 1, 1);

    /// <summary>Wraps a trained model reading <paramref name="featureColumnName"/>.</summary>
    public BinaryPredictionTransformer(IBinaryPredictor model, string featureColumnName) : base(model, featureColumnName) { }
    private protected override int FeatureCount => Model.FeatureCount;

    /// <inheritdoc/>
    protected internal override RowMapper MakeRowMapper(DataViewSchema inputSchema) => new Mapper(this, inputSchema);

    private sealed class Mapper : RowMapper
    {
        private readonly BinaryPredictionTransformer _t;
        private readonly DataViewSchema.Column _f;
        public Mapper(BinaryPredictionTransformer t, DataViewSchema s) : base(s)
        {
            _t = t; _f = t.FindFeatures(s);
            var cols = new List<OutputColumn>
            {
                new("Score", NumberDataViewType.Single, DataViewSchema.Annotations.Empty),
                new("PredictedLabel", BooleanDataViewType.Instance, DataViewSchema.Annotations.Empty),
            };
            if (t.Model.HasProbability) cols.Add(new("Probability", NumberDataViewType.Single, DataViewSchema.Annotations.Empty));
            OutputColumns = cols;
        }
        public override IReadOnlyList<OutputColumn> OutputColumns { get; }
        public override IEnumerable<DataViewSchema.Column> GetDependencies(Func<int, bool> active) =>
            Enumerable.Range(0, OutputColumns.Count).Any(active) ? [_f] : [];
        public override Delegate?[] CreateGetters(DataViewRow input, Func<int, bool> active)
        {
            var g = input.GetGetter<VBuffer<float>>(_f);
            var model = _t.Model;
            long cachedPos = -2; float score = 0;
            var buf = default(VBuffer<float>);
            float Score() { if (input.Position != cachedPos) { g(ref buf); score = model.GetScore(buf); cachedPos = input.Position; } return score; }
            var r = new Delegate?[OutputColumns.Count];
            if (active(0)) r[0] = (ValueGetter<float>)((ref float v) => v = Score());
            if (active(1)) r[1] = (ValueGetter<bool>)((ref bool v) => v = Score() > 0);
            if (r.Length > 2 && active(2)) r[2] = (ValueGetter<float>)((ref float v) => v = model.GetProbability(Score()));
            return r;
        }
    }

    // Layout: [string featureColumn][nested model]
    /// <inheritdoc/>
    public override void Save(ModelSaveContext ctx) => SaveCore(ctx, s_version);
    private static BinaryPredictionTransformer Load(ModelLoadContext ctx)
    {
        var (f, m) = LoadCore<IBinaryPredictor>(ctx, s_version);
        return new BinaryPredictionTransformer(m, f);
    }
}

/// <summary>Multiclass prediction transformer: adds Score (class scores) and PredictedLabel (Key, arg-max class).</summary>
[ModelLoader(LoaderSignature)]
public sealed class MulticlassPredictionTransformer : PredictionTransformerBase<IMulticlassPredictor>
{
    internal const string LoaderSignature = "MulticlassPredictionTransformer";
    private static readonly VersionInfo s_version = new(LoaderSignature, 1, 1);
    private readonly string[] _classNames;

    /// <summary>Wraps a trained model; <paramref name="classNames"/> are the label key values (one per class).</summary>
    public MulticlassPredictionTransformer(IMulticlassPredictor model, string featureColumnName, IReadOnlyList<string> classNames) : base(model, featureColumnName)
    {
        ArgumentNullException.ThrowIfNull(classNames);
        if (classNames.Count != model.ClassCount) throw new ArgumentException($"{classNames.Count} class names for {model.ClassCount} classes", nameof(classNames));
        _classNames = classNames.ToArray();
    }
    private protected override int FeatureCount => Model.FeatureCount;
    /// <summary>The class names (label key values), class i ↔ key i + 1.</summary>
    public IReadOnlyList<string> ClassNames => _classNames;

    /// <inheritdoc/>
    protected internal override RowMapper MakeRowMapper(DataViewSchema inputSchema) => new Mapper(this, inputSchema);

    private sealed class Mapper : RowMapper
    {
        private readonly MulticlassPredictionTransformer _t;
        private readonly DataViewSchema.Column _f;
        public Mapper(MulticlassPredictionTransformer t, DataViewSchema s) : base(s)
        {
            _t = t; _f = t.FindFeatures(s);
            var names = AnnotationUtils.TextVector(t._classNames);
            OutputColumns =
            [
                new("Score", new VectorDataViewType(NumberDataViewType.Single, t.Model.ClassCount), new DataViewSchema.Annotations.Builder().AddSlotNames(names).ToAnnotations()),
                new("PredictedLabel", new KeyDataViewType((ulong)t.Model.ClassCount), new DataViewSchema.Annotations.Builder().AddKeyValues(names).ToAnnotations()),
            ];
        }
        public override IReadOnlyList<OutputColumn> OutputColumns { get; }
        public override IEnumerable<DataViewSchema.Column> GetDependencies(Func<int, bool> active) => active(0) || active(1) ? [_f] : [];
        public override Delegate?[] CreateGetters(DataViewRow input, Func<int, bool> active)
        {
            var g = input.GetGetter<VBuffer<float>>(_f);
            var model = _t.Model;
            int k = model.ClassCount;
            long cachedPos = -2;
            var scores = new float[k];
            var buf = default(VBuffer<float>);
            void Compute() { if (input.Position != cachedPos) { g(ref buf); model.GetScores(buf, scores); cachedPos = input.Position; } }
            var r = new Delegate?[2];
            if (active(0)) r[0] = (ValueGetter<VBuffer<float>>)((ref VBuffer<float> v) => { Compute(); v = new VBuffer<float>(k, (float[])scores.Clone()); });
            if (active(1)) r[1] = (ValueGetter<uint>)((ref uint v) =>
            {
                Compute();
                int best = 0;
                for (int i = 1; i < k; i++) if (scores[i] > scores[best]) best = i;
                v = float.IsNaN(scores[best]) ? 0u : (uint)(best + 1);
            });
            return r;
        }
    }

    // Layout: [string featureColumn][nested model][strings classNames]
    /// <inheritdoc/>
    public override void Save(ModelSaveContext ctx)
    {
        SaveCore(ctx, s_version);
        ctx.WriteStrings(_classNames);
    }
    private static MulticlassPredictionTransformer Load(ModelLoadContext ctx)
    {
        var (f, m) = LoadCore<IMulticlassPredictor>(ctx, s_version);
        var names = ctx.ReadStrings("class names");
        ctx.CheckDecode(names.Length == m.ClassCount, $"{names.Length} class names for {m.ClassCount} classes");
        return new MulticlassPredictionTransformer(m, f, names);
    }
}

/// <summary>Regression prediction transformer: adds Score.</summary>
[ModelLoader(LoaderSignature)]
public sealed class RegressionPredictionTransformer : PredictionTransformerBase<IRegressionPredictor>
{
    internal const string LoaderSignature = "RegressionPredictionTransformer";
    private static readonly VersionInfo s_version = new(LoaderSignature, 1, 1);

    /// <summary>Wraps a trained model reading <paramref name="featureColumnName"/>.</summary>
    public RegressionPredictionTransformer(IRegressionPredictor model, string featureColumnName) : base(model, featureColumnName) { }
    private protected override int FeatureCount => Model.FeatureCount;

    /// <inheritdoc/>
    protected internal override RowMapper MakeRowMapper(DataViewSchema inputSchema) => new Mapper(this, inputSchema);

    private sealed class Mapper : RowMapper
    {
        private readonly RegressionPredictionTransformer _t;
        private readonly DataViewSchema.Column _f;
        public Mapper(RegressionPredictionTransformer t, DataViewSchema s) : base(s)
        {
            _t = t; _f = t.FindFeatures(s);
            OutputColumns = [new("Score", NumberDataViewType.Single, DataViewSchema.Annotations.Empty)];
        }
        public override IReadOnlyList<OutputColumn> OutputColumns { get; }
        public override IEnumerable<DataViewSchema.Column> GetDependencies(Func<int, bool> active) => active(0) ? [_f] : [];
        public override Delegate?[] CreateGetters(DataViewRow input, Func<int, bool> active)
        {
            if (!active(0)) return [null];
            var g = input.GetGetter<VBuffer<float>>(_f);
            var model = _t.Model;
            var buf = default(VBuffer<float>);
            return [(ValueGetter<float>)((ref float v) => { g(ref buf); v = model.Predict(buf); })];
        }
    }

    // Layout: [string featureColumn][nested model]
    /// <inheritdoc/>
    public override void Save(ModelSaveContext ctx) => SaveCore(ctx, s_version);
    private static RegressionPredictionTransformer Load(ModelLoadContext ctx)
    {
        var (f, m) = LoadCore<IRegressionPredictor>(ctx, s_version);
        return new RegressionPredictionTransformer(m, f);
    }
}
