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

    /// <summary>Tables wider than this are narrowed before SDCA (<see cref="Narrow"/>).</summary>
    public const int NarrowFrom = 20_000;

    /// <summary>The L1 threshold for SDCA over this table (null: ML.NET picks it from the width); <see cref="Narrow"/> sets the full width's.</summary>
    public float? SdcaL1 { get; init; }

    /// <summary>
    /// The table restricted to the columns that are non-zero in at least one of <paramref name="rows"/> (training rows;
    /// the other training rows are left out), with every test row restricted the same way. SDCA's cost per pass grows
    /// with the vector's width — FeaturizeText's defaults make 2 million columns on IMDB, of which a few hundred reviews
    /// use some tens of thousands — and the weights of columns no training row uses stay zero, so a classifier fitted
    /// on the narrow table scores every document as the full-width one would. The narrow table's featurizer is the
    /// full chain followed by ML.NET's <c>SelectFeaturesBasedOnCount</c> (count 1) fitted on the same rows, which keeps
    /// exactly these columns in order, so a saved model reads text as before. <see cref="SdcaL1"/> keeps the L1
    /// threshold ML.NET derives from the full width (SDCA picks it from the number of columns when unset).
    /// Returns this table when narrowing would keep most columns.
    /// </summary>
    public FeatureTable Narrow(IReadOnlyList<int> rows, CancellationToken ct)
    {
        var used = new bool[Size];
        int width = 0;
        foreach (int r in rows)
        {
            var v = Train[r];
            var values = v.GetValues();
            var indices = v.IsDense ? default : v.GetIndices();
            for (int j = 0; j < values.Length; j++)
            {
                int column = v.IsDense ? j : indices[j];
                if (values[j] != 0 && !used[column]) { used[column] = true; width++; }
            }
        }
        if (width > Size * 0.8) return this;
        var map = new int[Size];
        for (int j = 0, k = 0; j < Size; j++) map[j] = used[j] ? k++ : -1;
        var train = new VBuffer<float>[Train.Length];
        foreach (int r in rows) train[r] = Remap(Train[r], map, width);
        VBuffer<float>[]? test = null;
        if (Test is not null)
        {
            test = new VBuffer<float>[Test.Length];
            for (int i = 0; i < Test.Length; i++)
            {
                if ((i & 4095) == 0) ct.ThrowIfCancellationRequested();
                test[i] = Remap(Test[i], map, width);
            }
        }
        // The same selection as an ML.NET step of the saved chain, fitted on the full-width rows.
        var ml = new MLContext(1);
        var labels = new string[Train.Length];
        Array.Fill(labels, "");
        var selector = ml.Transforms.FeatureSelection.SelectFeaturesBasedOnCount(CandidatePipelines.FeaturesColumn, CandidatePipelines.FeaturesColumn, count: 1)
            .Fit(View(ml, false, rows, labels));
        var selected = selector.GetOutputSchema(View(ml, false, Array.Empty<int>(), labels).Schema)[CandidatePipelines.FeaturesColumn].Type as VectorDataViewType;
        if (selected?.Size != width)
            throw new InvalidOperationException($"SelectFeaturesBasedOnCount kept {selected?.Size} columns where {width} are used; the narrow table would not match the saved model");
        return new FeatureTable
        {
            Train = train, Test = test, Size = width,
            Featurizer = new TransformerChain<ITransformer>(Featurizer, selector),
            Seconds = Seconds, PeakMemoryMb = PeakMemoryMb,
            // ML.NET's SDCA picks L1 = 1 for more than 10,000 columns when none is given: keep the full width's choice.
            SdcaL1 = 1f,
        };
    }

    private static VBuffer<float> Remap(in VBuffer<float> v, int[] map, int width)
    {
        var values = v.GetValues();
        var indices = v.IsDense ? default : v.GetIndices();
        int kept = 0;
        for (int j = 0; j < values.Length; j++)
            if (map[v.IsDense ? j : indices[j]] >= 0 && values[j] != 0) kept++;
        var outValues = new float[kept];
        var outIndices = new int[kept];
        for (int j = 0, k = 0; j < values.Length; j++)
        {
            int column = map[v.IsDense ? j : indices[j]];
            if (column >= 0 && values[j] != 0) { outIndices[k] = column; outValues[k++] = values[j]; }
        }
        return new VBuffer<float>(width, kept, outValues, outIndices);
    }

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
