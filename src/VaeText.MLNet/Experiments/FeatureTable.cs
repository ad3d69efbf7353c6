using Microsoft.ML;
using Microsoft.ML.Data;

namespace VaeText.Experiments;

/// <summary>
/// The output of one fitted featurizer chain, computed once and kept in memory: the <see cref="CandidatePipelines.FeaturesColumn"/>
/// vector of every training and test document, and the fitted chain itself (text → features) for the saved model.
/// Classifier fits and evaluations read row subsets of it as ML.NET data views.
/// </summary>
internal sealed class FeatureTable
{
    /// <summary>Name of the class-name column in the views.</summary>
    public const string LabelTextColumn = "LabelText";

    /// <summary>Features of the training documents.</summary>
    public required VBuffer<float>[] Train { get; init; }
    /// <summary>Features of the test documents (null without a test split).</summary>
    public VBuffer<float>[]? Test { get; init; }
    /// <summary>Vector length.</summary>
    public required int Size { get; init; }
    /// <summary>The fitted featurizer chain: the data's text column → <see cref="CandidatePipelines.FeaturesColumn"/>.</summary>
    public required ITransformer Featurizer { get; init; }
    /// <summary>Seconds spent fitting the featurizer (shared parts counted in full).</summary>
    public double Seconds { get; init; }
    /// <summary>Peak memory above the baseline while the featurizer was fitted, MB.</summary>
    public double PeakMemoryMb { get; init; }

    /// <summary>A data view over the given rows: <see cref="LabelTextColumn"/> (class name) and the features.</summary>
    public IDataView View(MLContext ml, bool test, IReadOnlyList<int> rows, IReadOnlyList<string> labels)
    {
        var source = test ? Test ?? throw new InvalidOperationException("no test features") : Train;
        var def = SchemaDefinition.Create(typeof(Row));
        def[nameof(Row.Features)].ColumnType = new VectorDataViewType(NumberDataViewType.Single, Size);
        def[nameof(Row.LabelText)].ColumnName = LabelTextColumn;
        def[nameof(Row.Features)].ColumnName = CandidatePipelines.FeaturesColumn;
        var list = new List<Row>(rows.Count);
        foreach (int r in rows) list.Add(new Row { LabelText = labels[r], Features = source[r] });
        return ml.Data.LoadFromEnumerable(list, def);
    }

    /// <summary>Reads a vector column of every row of <paramref name="view"/> into separate buffers.</summary>
    public static (VBuffer<float>[] Rows, int Size) Read(IDataView view, string column, CancellationToken ct)
    {
        var col = view.Schema[column];
        int size = col.Type is VectorDataViewType { Size: > 0 } v ? v.Size
            : throw new InvalidOperationException($"column '{column}' is {col.Type}, expected a vector of known size");
        var result = new List<VBuffer<float>>();
        using var cursor = view.GetRowCursor([col]);
        var getter = cursor.GetGetter<VBuffer<float>>(col);
        VBuffer<float> buffer = default;
        while (cursor.MoveNext())
        {
            if ((result.Count & 1023) == 0) ct.ThrowIfCancellationRequested();
            getter(ref buffer);
            VBuffer<float> copy = default;
            buffer.CopyTo(ref copy);
            result.Add(copy);
        }
        return (result.ToArray(), size);
    }

    /// <summary>Row i of the result is <paramref name="left"/>[i] followed by <paramref name="right"/>[i] (what ML.NET's Concatenate produces).</summary>
    public static VBuffer<float>[] Concatenate(VBuffer<float>[] left, int leftSize, VBuffer<float>[] right, int rightSize)
    {
        if (left.Length != right.Length) throw new ArgumentException($"cannot concatenate {left.Length} rows with {right.Length} rows");
        var result = new VBuffer<float>[left.Length];
        for (int i = 0; i < left.Length; i++)
        {
            var a = left[i];
            var b = right[i];
            var aValues = a.GetValues();
            var bValues = b.GetValues();
            var values = new float[aValues.Length + bValues.Length];
            var indices = new int[values.Length];
            int k = 0;
            if (a.IsDense) for (int j = 0; j < aValues.Length; j++) { indices[k] = j; values[k++] = aValues[j]; }
            else { var ai = a.GetIndices(); for (int j = 0; j < aValues.Length; j++) { indices[k] = ai[j]; values[k++] = aValues[j]; } }
            if (b.IsDense) for (int j = 0; j < bValues.Length; j++) { indices[k] = leftSize + j; values[k++] = bValues[j]; }
            else { var bi = b.GetIndices(); for (int j = 0; j < bValues.Length; j++) { indices[k] = leftSize + bi[j]; values[k++] = bValues[j]; } }
            result[i] = new VBuffer<float>(leftSize + rightSize, values.Length, values, indices);
        }
        return result;
    }

    private sealed class Row
    {
        public string LabelText { get; set; } = "";
        public VBuffer<float> Features { get; set; }
    }
}
