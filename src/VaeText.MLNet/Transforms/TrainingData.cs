using VaeText.Data;
using VaeText.Tensors;

namespace VaeText.Transforms;

/// <summary>How a trainer reads its label column.</summary>
public enum LabelKind
{
    /// <summary>Boolean label (or Single where &gt; 0 is true); stored as 0/1.</summary>
    Binary,
    /// <summary>Key label; stored as the 0-based class index (key − 1).</summary>
    Multiclass,
    /// <summary>Single label, stored as is.</summary>
    Regression,
}

/// <summary>
/// Label and feature columns read into arrays for a trainer (the only materialisation a trainer's Fit does; only
/// these two columns are read). Rows with a missing label (NaN, key 0) or any NaN feature are skipped.
/// Features are either <see cref="Dense"/> (row-major <c>[Rows, FeatureCount]</c>) or <see cref="Sparse"/> (CSR,
/// rows = examples) — exactly one is non-null, as requested.
/// </summary>
public sealed class TrainingData
{
    /// <summary>Number of examples kept.</summary>
    public int Rows { get; }
    /// <summary>Feature vector length.</summary>
    public int FeatureCount { get; }
    /// <summary>Labels: 0/1 (binary), class index 0..ClassCount-1 (multiclass), value (regression). [Rows]</summary>
    public float[] Labels { get; }
    /// <summary>Number of classes (key count) for multiclass, 2 for binary, 0 for regression.</summary>
    public int ClassCount { get; }
    /// <summary>Names of the classes (key values) for multiclass, else null.</summary>
    public IReadOnlyList<string>? ClassNames { get; }
    /// <summary>Dense features, row-major [Rows, FeatureCount], or null.</summary>
    public float[]? Dense { get; }
    /// <summary>Sparse features [Rows, FeatureCount], or null.</summary>
    public CsrMatrix? Sparse { get; }
    /// <summary>Slot names of the feature column, or null.</summary>
    public IReadOnlyList<string>? FeatureNames { get; }
    /// <summary>Rows skipped for a missing label or a NaN feature.</summary>
    public long SkippedRows { get; }

    private TrainingData(int rows, int features, float[] labels, int classes, IReadOnlyList<string>? classNames, float[]? dense, CsrMatrix? sparse, IReadOnlyList<string>? featureNames, long skipped)
    {
        Rows = rows; FeatureCount = features; Labels = labels; ClassCount = classes; ClassNames = classNames;
        Dense = dense; Sparse = sparse; FeatureNames = featureNames; SkippedRows = skipped;
    }

    /// <summary>Checks the label column suits <paramref name="kind"/> (message names the column and the type it needs).</summary>
    public static void CheckLabel(SchemaShape schema, string labelColumn, LabelKind kind)
    {
        string need = NeedLabel(kind);
        if (!schema.TryFindColumn(labelColumn, out var c)) throw new ArgumentOutOfRangeException(nameof(labelColumn), labelColumn, $"label column '{labelColumn}' not found; it must be {need}");
        bool ok = kind switch
        {
            LabelKind.Binary => c.Kind == SchemaShape.VectorKind.Scalar && !c.IsKey && c.ItemType is BooleanDataViewType or NumberDataViewType,
            LabelKind.Multiclass => c.Kind == SchemaShape.VectorKind.Scalar && c.IsKey,
            _ => c.IsSingle,
        };
        if (!ok) throw new ArgumentOutOfRangeException(nameof(labelColumn), labelColumn, $"label column '{labelColumn}' is {c}; it must be {need}");
    }

    /// <summary>Checks the feature column is a known-size Single vector.</summary>
    public static void CheckFeatures(SchemaShape schema, string featureColumn)
    {
        const string need = "a known-size vector of Single";
        if (!schema.TryFindColumn(featureColumn, out var c)) throw new ArgumentOutOfRangeException(nameof(featureColumn), featureColumn, $"feature column '{featureColumn}' not found; it must be {need}");
        if (!c.IsFloatVector) throw new ArgumentOutOfRangeException(nameof(featureColumn), featureColumn, $"feature column '{featureColumn}' is {c}; it must be {need}");
    }

    private static string NeedLabel(LabelKind kind) => kind switch
    {
        LabelKind.Binary => "Boolean (or Single, > 0 meaning true)",
        LabelKind.Multiclass => "a Key (use MapValueToKey)",
        _ => "Single",
    };

    /// <summary>Reads the label and feature columns of <paramref name="data"/> (streaming the view once).</summary>
    /// <param name="data">The training view.</param>
    /// <param name="labelColumn">Label column name.</param>
    /// <param name="featureColumn">Feature column name (known-size Single vector).</param>
    /// <param name="kind">How to read the label.</param>
    /// <param name="sparse">True for <see cref="Sparse"/> output, false for <see cref="Dense"/>.</param>
    /// <exception cref="ArgumentOutOfRangeException">A column is missing or mistyped.</exception>
    /// <exception cref="InvalidOperationException">No usable rows.</exception>
    public static TrainingData Load(IDataView data, string labelColumn, string featureColumn, LabelKind kind, bool sparse)
    {
        ArgumentNullException.ThrowIfNull(data);
        var shape = SchemaShape.Create(data.Schema);
        CheckLabel(shape, labelColumn, kind);
        CheckFeatures(shape, featureColumn);
        var lc = data.Schema[labelColumn];
        var fc = data.Schema[featureColumn];
        int nf = ((VectorDataViewType)fc.Type).Size;
        int classes = kind == LabelKind.Multiclass ? (int)((KeyDataViewType)lc.Type).Count : kind == LabelKind.Binary ? 2 : 0;
        IReadOnlyList<string>? classNames = kind == LabelKind.Multiclass ? lc.GetKeyValuesOrNull()?.DenseValues().Select(m => m.ToString()).ToArray() : null;
        IReadOnlyList<string>? featureNames = fc.GetSlotNamesOrNull()?.DenseValues().Select(m => m.ToString()).ToArray();

        var labels = new List<float>();
        var dense = sparse ? null : new List<float>();
        var rowPtr = sparse ? new List<int> { 0 } : null;
        var idx = sparse ? new List<int>() : null;
        var val = sparse ? new List<float>() : null;
        long skipped = 0;
        using var cur = data.GetRowCursor([lc, fc]);
        Func<float> label = lc.Type switch
        {
            BooleanDataViewType => Bool(cur.GetGetter<bool>(lc)),
            KeyDataViewType => Key(cur.GetGetter<uint>(lc)),
            _ => Single(cur.GetGetter<float>(lc), kind == LabelKind.Binary),
        };
        var fg = cur.GetGetter<VBuffer<float>>(fc);
        var buf = default(VBuffer<float>);
        while (cur.MoveNext())
        {
            float y = label();
            fg(ref buf);
            if (buf.Length != nf) throw new InvalidOperationException($"row {cur.Position}: feature column '{featureColumn}' has {buf.Length} slots, schema says {nf}");
            var v = buf.GetValues();
            bool nan = float.IsNaN(y);
            for (int i = 0; i < v.Length && !nan; i++) nan = float.IsNaN(v[i]);
            if (nan) { skipped++; continue; }
            labels.Add(y);
            if (dense is not null)
            {
                int start = dense.Count;
                for (int i = 0; i < nf; i++) dense.Add(0f);
                var span = System.Runtime.InteropServices.CollectionsMarshal.AsSpan(dense).Slice(start, nf);
                buf.CopyTo(span);
            }
            else
            {
                if (buf.IsDense) { for (int i = 0; i < v.Length; i++) if (v[i] != 0) { idx!.Add(i); val!.Add(v[i]); } }
                else
                {
                    var ix = buf.GetIndices();
                    for (int i = 0; i < ix.Length; i++) if (v[i] != 0) { idx!.Add(ix[i]); val!.Add(v[i]); }
                }
                rowPtr!.Add(idx!.Count);
            }
        }
        if (labels.Count == 0) throw new InvalidOperationException($"no training rows with a label in '{labelColumn}' and finite features in '{featureColumn}' ({skipped} skipped)");
        CsrMatrix? csr = sparse ? new CsrMatrix(labels.Count, nf, rowPtr!.ToArray(), idx!.ToArray(), val!.ToArray()) : null;
        return new TrainingData(labels.Count, nf, labels.ToArray(), classes, classNames, dense?.ToArray(), csr, featureNames, skipped);

        Func<float> Bool(ValueGetter<bool> g) => () => { bool b = false; g(ref b); return b ? 1f : 0f; };
        Func<float> Key(ValueGetter<uint> g) => () => { uint k = 0; g(ref k); return k == 0 ? float.NaN : k - 1; };
        Func<float> Single(ValueGetter<float> g, bool binary) => () => { float f = 0; g(ref f); return binary && !float.IsNaN(f) ? (f > 0 ? 1f : 0f) : f; };
    }
}
