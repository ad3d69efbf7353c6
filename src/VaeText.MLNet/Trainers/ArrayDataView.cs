using VaeText.Core;
using VaeText.Data;
using VaeText.Transforms;

namespace VaeText.Trainers;

/// <summary>
/// An in-memory two-column view over <see cref="TrainingData"/>: a Boolean label derived from the class labels
/// (for one-versus-all) and the feature vector. Used to refit a binary estimator per class.
/// </summary>
internal sealed class ArrayDataView : IDataView
{
    private readonly TrainingData _d;
    private readonly Func<float, bool> _label;

    public ArrayDataView(TrainingData data, string labelName, string featureName, Func<float, bool> label)
    {
        _d = data; _label = label;
        Schema = new DataViewSchema.Builder()
            .AddColumn(labelName, BooleanDataViewType.Instance)
            .AddColumn(featureName, new VectorDataViewType(NumberDataViewType.Single, data.FeatureCount))
            .ToSchema();
    }

    public DataViewSchema Schema { get; }
    public bool CanShuffle => false;
    public long? GetRowCount() => _d.Rows;

    public DataViewRowCursor GetRowCursor(IEnumerable<DataViewSchema.Column> columnsNeeded, Rng? rand = null) => new Cursor(this);

    private sealed class Cursor(ArrayDataView v) : DataViewRowCursor
    {
        private long _pos = -1;
        public override DataViewSchema Schema => v.Schema;
        public override long Position => _pos;
        public override bool IsColumnActive(DataViewSchema.Column column) => true;
        public override bool MoveNext() => ++_pos < v._d.Rows;
        public override ValueGetter<TValue> GetGetter<TValue>(DataViewSchema.Column column)
        {
            var d = v._d;
            if (column.Index == 0)
                return (ValueGetter<TValue>)(Delegate)(ValueGetter<bool>)((ref bool b) => b = v._label(d.Labels[_pos]));
            int f = d.FeatureCount;
            return (ValueGetter<TValue>)(Delegate)(ValueGetter<VBuffer<float>>)((ref VBuffer<float> b) =>
            {
                if (d.Dense != null) b = new VBuffer<float>(f, d.Dense.AsSpan((int)_pos * f, f).ToArray());
                else
                {
                    var s = d.Sparse!; int p0 = s.RowPtr[_pos], n = s.RowPtr[_pos + 1] - p0;
                    b = new VBuffer<float>(f, n, s.Values.AsSpan(p0, n).ToArray(), s.Indices.AsSpan(p0, n).ToArray());
                }
            });
        }
    }
}
