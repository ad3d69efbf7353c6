using VaeText.Data;
using VaeText.Evaluation;
using VaeText.Transforms;

namespace VaeText;

/// <summary><c>Evaluate</c> and <c>CrossValidate</c> on the classification catalogs (ML.NET names).</summary>
public static class EvaluationCatalogExtensions
{
    private static Func<float> LabelReader(DataViewRowCursor cur, DataViewSchema.Column c) => c.Type switch
    {
        BooleanDataViewType => () => { bool b = false; cur.GetGetter<bool>(c)(ref b); return b ? 1 : 0; },
        KeyDataViewType => () => { uint k = 0; cur.GetGetter<uint>(c)(ref k); return k == 0 ? float.NaN : k - 1; },
        NumberDataViewType when c.Type.RawType == typeof(float) => () => { float f = 0; cur.GetGetter<float>(c)(ref f); return f; },
        _ => throw new ArgumentOutOfRangeException("labelColumnName", c.Name, $"label column '{c.Name}' is {c.Type}; it must be Boolean, Single or Key"),
    };

    private static DataViewSchema.Column Find(IDataView data, string name, string argName, string need)
        => data.Schema.GetColumnOrNull(name) ?? throw new ArgumentOutOfRangeException(argName, name, $"column '{name}' not found; it must be {need}");

    /// <summary>
    /// Binary metrics of scored data (the output of a binary prediction transformer). Rows with a missing label are
    /// skipped. Without a Probability column, probabilities are σ(score).
    /// </summary>
    public static BinaryClassificationMetrics Evaluate(this BinaryClassificationCatalog catalog, IDataView data, string labelColumnName = "Label",
        string scoreColumnName = "Score", string probabilityColumnName = "Probability", string predictedLabelColumnName = "PredictedLabel")
    {
        ArgumentNullException.ThrowIfNull(catalog); ArgumentNullException.ThrowIfNull(data);
        var lc = Find(data, labelColumnName, nameof(labelColumnName), "Boolean or Single");
        var sc = Find(data, scoreColumnName, nameof(scoreColumnName), "Single");
        var pc = data.Schema.GetColumnOrNull(probabilityColumnName);
        var plc = data.Schema.GetColumnOrNull(predictedLabelColumnName);
        var cols = new List<DataViewSchema.Column> { lc, sc };
        if (pc != null) cols.Add(pc);
        if (plc != null) cols.Add(plc);
        var y = new List<bool>(); var s = new List<double>(); var p = new List<double>(); var pred = new List<bool>();
        using (var cur = data.GetRowCursor(cols))
        {
            var lab = LabelReader(cur, lc);
            var sg = cur.GetGetter<float>(sc);
            var pg = pc != null ? cur.GetGetter<float>(pc) : null;
            var plg = plc != null ? cur.GetGetter<bool>(plc) : null;
            while (cur.MoveNext())
            {
                float l = lab();
                if (float.IsNaN(l)) continue;
                float score = 0; sg(ref score);
                float prob = 0;
                if (pg != null) pg(ref prob); else prob = (float)Trainers.Sdca.LinearBinaryModel.Probability(score);
                bool pl = false; if (plg != null) plg(ref pl); else pl = score > 0;
                y.Add(l > 0); s.Add(score); p.Add(prob); pred.Add(pl);
            }
        }
        return ClassificationEvaluator.EvaluateBinary(y.ToArray(), s.ToArray(), p.ToArray(), pred.ToArray());
    }

    /// <summary>Multiclass metrics of scored data (Score = class probabilities, label = Key).</summary>
    public static MulticlassClassificationMetrics Evaluate(this MulticlassClassificationCatalog catalog, IDataView data, string labelColumnName = "Label",
        string scoreColumnName = "Score", int topKPredictionCount = 1)
    {
        ArgumentNullException.ThrowIfNull(catalog); ArgumentNullException.ThrowIfNull(data);
        var lc = Find(data, labelColumnName, nameof(labelColumnName), "a Key");
        if (lc.Type is not KeyDataViewType kt) throw new ArgumentOutOfRangeException(nameof(labelColumnName), labelColumnName, $"label column '{labelColumnName}' is {lc.Type}; it must be a Key");
        var sc = Find(data, scoreColumnName, nameof(scoreColumnName), "a vector of Single");
        int K = (int)kt.Count;
        if (sc.Type is not VectorDataViewType { Size: var size } || size != K)
            throw new ArgumentOutOfRangeException(nameof(scoreColumnName), scoreColumnName, $"score column '{scoreColumnName}' is {sc.Type}; it must be a vector of {K} Single");
        var names = lc.GetKeyValuesOrNull()?.DenseValues().Select(m => m.ToString()).ToArray();
        var y = new List<int>(); var p = new List<double>();
        using (var cur = data.GetRowCursor([lc, sc]))
        {
            var lg = cur.GetGetter<uint>(lc); var sg = cur.GetGetter<VBuffer<float>>(sc);
            uint key = 0; var buf = default(VBuffer<float>);
            var dense = new float[K];
            while (cur.MoveNext())
            {
                lg(ref key);
                if (key == 0) continue;
                sg(ref buf); buf.CopyTo(dense);
                y.Add((int)key - 1);
                foreach (var v in dense) p.Add(v);
            }
        }
        return ClassificationEvaluator.EvaluateMulticlass(y.ToArray(), p.ToArray(), K, names, topKPredictionCount);
    }

    private static int[] ReadStrata(IDataView data, string labelColumnName)
    {
        var lc = Find(data, labelColumnName, nameof(labelColumnName), "Boolean, Single or Key");
        var strata = new List<int>();
        using var cur = data.GetRowCursor([lc]);
        var lab = LabelReader(cur, lc);
        while (cur.MoveNext()) { float l = lab(); strata.Add(float.IsNaN(l) ? -1 : (int)Math.Round(l)); }
        return strata.ToArray();
    }

    private static IReadOnlyList<CrossValidationResult<ITransformer, TMetrics>> Cv<TMetrics>(IDataView data, IEstimator<ITransformer> estimator,
        int numberOfFolds, string labelColumnName, int seed, Func<IDataView, TMetrics> evaluate)
    {
        ArgumentNullException.ThrowIfNull(data); ArgumentNullException.ThrowIfNull(estimator);
        var strata = ReadStrata(data, labelColumnName);
        var folds = CrossValidation.StratifiedFolds(strata, numberOfFolds, seed);
        var results = new List<CrossValidationResult<ITransformer, TMetrics>>();
        for (int f = 0; f < numberOfFolds; f++)
        {
            int fold = f;
            var train = new RowFilterDataView(data, pos => folds[pos] != fold);
            var test = new RowFilterDataView(data, pos => folds[pos] == fold);
            var model = estimator.Fit(train);
            var metrics = evaluate(model.Transform(test));
            var testRows = Enumerable.Range(0, folds.Length).Where(i => folds[i] == fold).ToArray();
            results.Add(new CrossValidationResult<ITransformer, TMetrics>(f, model, metrics, testRows));
        }
        return results;
    }

    /// <summary>Stratified k-fold cross-validation of a binary pipeline: per-fold metrics and fitted models.</summary>
    public static IReadOnlyList<CrossValidationResult<ITransformer, BinaryClassificationMetrics>> CrossValidate(this BinaryClassificationCatalog catalog,
        IDataView data, IEstimator<ITransformer> estimator, int numberOfFolds = 5, string labelColumnName = "Label", int? seed = null)
    {
        ArgumentNullException.ThrowIfNull(catalog);
        return Cv(data, estimator, numberOfFolds, labelColumnName, seed ?? catalog.Context.NextSeed(), v => catalog.Evaluate(v, labelColumnName));
    }

    /// <summary>Stratified k-fold cross-validation of a multiclass pipeline: per-fold metrics and fitted models.</summary>
    public static IReadOnlyList<CrossValidationResult<ITransformer, MulticlassClassificationMetrics>> CrossValidate(this MulticlassClassificationCatalog catalog,
        IDataView data, IEstimator<ITransformer> estimator, int numberOfFolds = 5, string labelColumnName = "Label", int? seed = null)
    {
        ArgumentNullException.ThrowIfNull(catalog);
        return Cv(data, estimator, numberOfFolds, labelColumnName, seed ?? catalog.Context.NextSeed(), v => catalog.Evaluate(v, labelColumnName));
    }
}
