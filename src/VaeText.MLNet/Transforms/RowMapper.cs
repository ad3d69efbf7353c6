using VaeText.Data;

namespace VaeText.Transforms;

/// <summary>One column a <see cref="RowMapper"/> adds.</summary>
/// <param name="Name">Output column name (hides an input column of the same name).</param>
/// <param name="Type">Output column type.</param>
/// <param name="Annotations">Key values, slot names, or <see cref="DataViewSchema.Annotations.Empty"/>.</param>
public sealed record OutputColumn(string Name, DataViewType Type, DataViewSchema.Annotations Annotations);

/// <summary>
/// The row-by-row logic of a transformer bound to one input schema (ML.NET's <c>IRowMapper</c>). A mapper is made
/// by <see cref="RowToRowTransformerBase.MakeRowMapper"/>, which validates the input schema; getters are made per
/// cursor, so per-row scratch buffers captured by a getter are never shared between threads.
/// </summary>
public abstract class RowMapper
{
    /// <summary>The input schema this mapper was bound to.</summary>
    public DataViewSchema InputSchema { get; }

    /// <summary>Binds to <paramref name="inputSchema"/>.</summary>
    protected RowMapper(DataViewSchema inputSchema) { InputSchema = inputSchema ?? throw new ArgumentNullException(nameof(inputSchema)); }

    /// <summary>The columns this mapper appends, in order.</summary>
    public abstract IReadOnlyList<OutputColumn> OutputColumns { get; }

    /// <summary>Input columns needed to compute the active outputs.</summary>
    /// <param name="activeOutput">Whether output column i (index into <see cref="OutputColumns"/>) will be read.</param>
    public abstract IEnumerable<DataViewSchema.Column> GetDependencies(Func<int, bool> activeOutput);

    /// <summary>
    /// One getter per output column (a <see cref="ValueGetter{TValue}"/> of the column's raw type), reading
    /// <paramref name="input"/>'s current row; null for inactive outputs.
    /// </summary>
    public abstract Delegate?[] CreateGetters(DataViewRow input, Func<int, bool> activeOutput);

    /// <summary>Finds <paramref name="name"/> in <paramref name="schema"/> or throws naming the column and the type it needs.</summary>
    public static DataViewSchema.Column FindInput(DataViewSchema schema, string name, string expected, Func<DataViewType, bool> accepts)
    {
        var c = schema.GetColumnOrNull(name) ?? throw new ArgumentOutOfRangeException(nameof(schema), name, $"input column '{name}' not found; it must be {expected}");
        if (!accepts(c.Type)) throw new ArgumentOutOfRangeException(nameof(schema), name, $"input column '{name}' has type {c.Type}; it must be {expected}");
        return c;
    }
}

/// <summary>
/// Base class for transformers that append columns computed from the same row (ML.NET's
/// <c>RowToRowTransformerBase</c>). <see cref="Transform"/> returns a lazy view; <see cref="GetOutputSchema"/>
/// validates the input schema through <see cref="MakeRowMapper"/>. Subclasses hold only immutable state, so a
/// fitted transformer is safe to use from many threads at once.
/// </summary>
public abstract class RowToRowTransformerBase : ITransformer, IO.ICanSaveModel
{
    /// <summary>Always true.</summary>
    public bool IsRowToRowMapper => true;

    /// <summary>Validates <paramref name="inputSchema"/> and binds the row logic to it.</summary>
    /// <exception cref="ArgumentOutOfRangeException">A needed column is missing or mistyped.</exception>
    protected internal abstract RowMapper MakeRowMapper(DataViewSchema inputSchema);

    /// <inheritdoc/>
    public DataViewSchema GetOutputSchema(DataViewSchema inputSchema)
    {
        ArgumentNullException.ThrowIfNull(inputSchema);
        return MappedDataView.BuildSchema(MakeRowMapper(inputSchema));
    }

    /// <inheritdoc/>
    public IDataView Transform(IDataView input)
    {
        ArgumentNullException.ThrowIfNull(input);
        return new MappedDataView(input, MakeRowMapper(input.Schema));
    }

    /// <inheritdoc/>
    public abstract void Save(IO.ModelSaveContext ctx);
}

/// <summary>The lazy view a <see cref="RowMapper"/> produces: input columns followed by the mapper's columns.</summary>
internal sealed class MappedDataView : IDataView
{
    private readonly IDataView _input;
    private readonly RowMapper _mapper;
    private readonly int _inputCount;

    public MappedDataView(IDataView input, RowMapper mapper)
    {
        _input = input; _mapper = mapper; _inputCount = input.Schema.Count;
        Schema = BuildSchema(mapper);
    }

    public static DataViewSchema BuildSchema(RowMapper mapper)
    {
        var b = new DataViewSchema.Builder().AddColumns(mapper.InputSchema);
        foreach (var c in mapper.OutputColumns) b.AddColumn(c.Name, c.Type, c.Annotations);
        return b.ToSchema();
    }

    public DataViewSchema Schema { get; }
    public bool CanShuffle => _input.CanShuffle;
    public long? GetRowCount() => _input.GetRowCount();

    public DataViewRowCursor GetRowCursor(IEnumerable<DataViewSchema.Column> columnsNeeded, Core.Rng? rand = null)
    {
        ArgumentNullException.ThrowIfNull(columnsNeeded);
        var active = new bool[Schema.Count];
        foreach (var c in columnsNeeded)
        {
            if (c.Index < 0 || c.Index >= active.Length) throw new ArgumentOutOfRangeException(nameof(columnsNeeded), c.Name, "column is not part of this view");
            active[c.Index] = true;
        }
        Func<int, bool> outActive = i => active[_inputCount + i];
        var inputCols = new HashSet<int>();
        for (int i = 0; i < _inputCount; i++) if (active[i]) inputCols.Add(i);
        foreach (var d in _mapper.GetDependencies(outActive)) inputCols.Add(d.Index);
        var inCursor = _input.GetRowCursor(inputCols.Select(i => _input.Schema[i]).ToArray(), rand);
        return new Cursor(this, inCursor, active, _mapper.CreateGetters(inCursor, outActive));
    }

    private sealed class Cursor(MappedDataView parent, DataViewRowCursor input, bool[] active, Delegate?[] getters) : DataViewRowCursor
    {
        public override DataViewSchema Schema => parent.Schema;
        public override long Position => input.Position;
        public override bool MoveNext() => input.MoveNext();
        public override bool IsColumnActive(DataViewSchema.Column column) => column.Index < active.Length && active[column.Index];

        public override ValueGetter<TValue> GetGetter<TValue>(DataViewSchema.Column column)
        {
            CheckGetter<TValue>(column);
            if (column.Index < parent._inputCount) return input.GetGetter<TValue>(input.Schema[column.Index]);
            return getters[column.Index - parent._inputCount] as ValueGetter<TValue>
                ?? throw new InvalidOperationException($"no getter of {typeof(TValue).Name} for column '{column.Name}'");
        }

        protected override void Dispose(bool disposing)
        {
            if (disposing) input.Dispose();
        }
    }
}
