using VaeText.Core;
using VaeText.Data;

namespace VaeText.Transforms;

/// <summary>
/// Runs a fitted transformer on one object at a time (ML.NET's <c>PredictionEngine</c>). Input members map to
/// columns as in <c>LoadFromEnumerable</c>; output members are filled from the same-named output columns.
/// <para>An engine is NOT thread-safe: use one engine per thread (concurrent calls throw
/// <see cref="InvalidOperationException"/>). The transformer behind it is thread-safe, so many engines may share it.</para>
/// </summary>
public sealed class PredictionEngine<TSrc, TDst> : IDisposable where TSrc : class where TDst : class, new()
{
    private readonly SingleRowSource _source;
    private readonly DataViewRowCursor _cursor;
    private readonly RowToObject<TDst> _fill;
    private int _busy;

    /// <summary>The output schema of the transformer.</summary>
    public DataViewSchema OutputSchema { get; }

    internal PredictionEngine(ITransformer transformer, DataViewSchema? inputSchema)
    {
        ArgumentNullException.ThrowIfNull(transformer);
        _source = new SingleRowSource(new EnumerableDataView<TSrc>([]).Schema);
        if (inputSchema is not null)
        {
            foreach (var c in inputSchema.Where(c => !c.IsHidden))
            {
                var mine = _source.Schema.GetColumnOrNull(c.Name);
                if (mine is not null && !mine.Type.Equals(c.Type))
                    throw new ArgumentException($"{typeof(TSrc).Name} maps column '{c.Name}' to {mine.Type}, the model expects {c.Type}", nameof(inputSchema));
            }
        }
        var output = transformer.Transform(_source);
        OutputSchema = output.Schema;
        var needed = RowToObject<TDst>.NeededColumns(OutputSchema).ToArray();
        _cursor = output.GetRowCursor(needed);
        _fill = new RowToObject<TDst>(_cursor, ignoreMissingColumns: false);
    }

    /// <summary>Predicts for one example into a new <typeparamref name="TDst"/>.</summary>
    public TDst Predict(TSrc example)
    {
        var r = new TDst();
        Predict(example, ref r);
        return r;
    }

    /// <summary>Predicts for one example into <paramref name="prediction"/> (reused).</summary>
    public void Predict(TSrc example, ref TDst prediction)
    {
        ArgumentNullException.ThrowIfNull(example);
        prediction ??= new TDst();
        if (Interlocked.Exchange(ref _busy, 1) != 0) throw new InvalidOperationException("PredictionEngine is not thread-safe: create one engine per thread");
        try
        {
            _source.Current = example;
            if (!_cursor.MoveNext()) throw new InvalidOperationException("the pipeline dropped the example (a filtering step cannot be used in a prediction engine)");
            _fill.Fill(prediction);
        }
        finally { Volatile.Write(ref _busy, 0); }
    }

    /// <summary>Releases the cursor.</summary>
    public void Dispose() => _cursor.Dispose();

    /// <summary>An endless view whose every row is the current example.</summary>
    private sealed class SingleRowSource(DataViewSchema schema) : IDataView
    {
        private readonly List<MemberMap> _members = MemberMap.For(typeof(TSrc), forWriting: false);
        public TSrc? Current;
        public DataViewSchema Schema { get; } = schema;
        public bool CanShuffle => false;
        public long? GetRowCount() => null;
        public DataViewRowCursor GetRowCursor(IEnumerable<DataViewSchema.Column> columnsNeeded, Rng? rand = null) => new Cursor(this, columnsNeeded.Select(c => c.Index).ToHashSet());

        private sealed class Cursor(SingleRowSource src, HashSet<int> active) : DataViewRowCursor
        {
            private long _pos = -1;
            public override DataViewSchema Schema => src.Schema;
            public override long Position => _pos;
            public override bool IsColumnActive(DataViewSchema.Column column) => active.Contains(column.Index);
            public override bool MoveNext() { _pos++; return true; }
            public override ValueGetter<TValue> GetGetter<TValue>(DataViewSchema.Column column)
            {
                CheckGetter<TValue>(column);
                var m = src._members[column.Index];
                return (ref TValue v) => v = (TValue)m.ToRaw(m.GetValue(src.Current!), _pos);
            }
        }
    }
}
