using System.Reflection;
using VaeText.Core;
using VaeText.Data;

namespace VaeText;

/// <summary>Loading, converting, previewing and splitting data (ML.NET's <c>DataOperationsCatalog</c>).</summary>
public sealed class DataOperationsCatalog : CatalogBase
{
    internal DataOperationsCatalog(VaeTextContext context) : base(context) { }

    /// <summary>
    /// A lazy view over a delimited text file; rows are streamed by each cursor. Columns pick fields by index or,
    /// with a header, by name.
    /// </summary>
    /// <param name="path">The file.</param>
    /// <param name="columns">The columns to load.</param>
    /// <param name="separatorChar">Field separator (tab by default).</param>
    /// <param name="hasHeader">True when the first line names the fields.</param>
    /// <param name="allowQuoting">True to honour RFC 4180 double quotes.</param>
    public IDataView LoadFromTextFile(string path, TextLoader.Column[] columns, char separatorChar = '\t', bool hasHeader = false, bool allowQuoting = false)
        => new TextLoader(path, columns, hasHeader, separatorChar, allowQuoting);

    /// <summary>
    /// A lazy view over a delimited file whose columns come from <typeparamref name="TInput"/>'s members, each marked
    /// <see cref="LoadColumnAttribute"/> (named by <see cref="ColumnNameAttribute"/> or the member name).
    /// </summary>
    public IDataView LoadFromTextFile<TInput>(string path, char separatorChar = '\t', bool hasHeader = false, bool allowQuoting = false)
    {
        var cols = new List<TextLoader.Column>();
        foreach (var m in MemberMap.For(typeof(TInput), forWriting: false))
        {
            var lc = m.Load ?? throw new ArgumentException($"{typeof(TInput).Name}.{m.Member.Name} has no [LoadColumn] attribute");
            DataKind kind = m.Type switch
            {
                TextDataViewType => DataKind.String,
                BooleanDataViewType => DataKind.Boolean,
                NumberDataViewType or VectorDataViewType => DataKind.Single,
                _ => throw new ArgumentException($"{typeof(TInput).Name}.{m.Member.Name}: type {m.Type} cannot be loaded from text"),
            };
            cols.Add(new TextLoader.Column(m.ColumnName, kind, lc.Start, lc.End));
        }
        return new TextLoader(path, cols.ToArray(), hasHeader, separatorChar, allowQuoting);
    }

    /// <summary>
    /// A lazy view over <paramref name="data"/> (re-enumerated by each cursor, never copied). Columns come from
    /// public fields and properties; see <see cref="ColumnNameAttribute"/>, <see cref="VectorTypeAttribute"/>,
    /// <see cref="KeyTypeAttribute"/> and <see cref="NoColumnAttribute"/>.
    /// </summary>
    public IDataView LoadFromEnumerable<TRow>(IEnumerable<TRow> data) where TRow : class
    {
        ArgumentNullException.ThrowIfNull(data);
        return new EnumerableDataView<TRow>(data);
    }

    /// <summary>Streams the rows of <paramref name="data"/> as new <typeparamref name="TRow"/> objects (members matched to columns by name).</summary>
    /// <param name="data">The view.</param>
    /// <param name="reuseRowObject">Reuse one object for every row (faster; copy what you keep).</param>
    /// <param name="ignoreMissingColumns">Leave members without a column untouched instead of throwing.</param>
    public IEnumerable<TRow> CreateEnumerable<TRow>(IDataView data, bool reuseRowObject, bool ignoreMissingColumns = false) where TRow : class, new()
    {
        ArgumentNullException.ThrowIfNull(data);
        // Validate eagerly, then stream.
        var needed = RowToObject<TRow>.NeededColumns(data.Schema).ToArray();
        using (var probe = data.GetRowCursor(needed)) _ = new RowToObject<TRow>(probe, ignoreMissingColumns);
        return Iterate();

        IEnumerable<TRow> Iterate()
        {
            using var cursor = data.GetRowCursor(needed);
            var map = new RowToObject<TRow>(cursor, ignoreMissingColumns);
            TRow? reused = reuseRowObject ? new TRow() : null;
            while (cursor.MoveNext())
            {
                var o = reused ?? new TRow();
                map.Fill(o);
                yield return o;
            }
        }
    }

    /// <summary>Reads up to <paramref name="maxRows"/> rows into a preview for debugging.</summary>
    public DataDebuggerPreview Preview(IDataView data, int maxRows = 100)
    {
        ArgumentNullException.ThrowIfNull(data);
        if (maxRows < 0) throw new ArgumentOutOfRangeException(nameof(maxRows), maxRows, "must be non-negative");
        return new DataDebuggerPreview(data, maxRows);
    }

    /// <summary>The train and test parts of a split.</summary>
    /// <param name="TrainSet">Rows not chosen for the test set.</param>
    /// <param name="TestSet">Rows chosen for the test set.</param>
    public readonly record struct TrainTestData(IDataView TrainSet, IDataView TestSet);

    /// <summary>
    /// Splits <paramref name="data"/> lazily: each row goes to the test set with probability
    /// <paramref name="testFraction"/>, decided by a hash of (seed, row position), so both parts stream and are
    /// complementary and reproducible.
    /// </summary>
    /// <param name="data">The view to split.</param>
    /// <param name="testFraction">Fraction of rows for the test set, in (0, 1).</param>
    /// <param name="seed">Split seed; null draws one from the context.</param>
    public TrainTestData TrainTestSplit(IDataView data, double testFraction = 0.1, int? seed = null)
    {
        ArgumentNullException.ThrowIfNull(data);
        if (!(testFraction > 0 && testFraction < 1)) throw new ArgumentOutOfRangeException(nameof(testFraction), testFraction, "must be in (0, 1)");
        ulong s = (ulong)(uint)(seed ?? Context.NextSeed());
        bool IsTest(long row)
        {
            var r = new Rng(s * 0x9E3779B97F4A7C15UL ^ (ulong)row);
            return r.NextDouble() < testFraction;
        }
        return new TrainTestData(new RowFilterDataView(data, r => !IsTest(r)), new RowFilterDataView(data, IsTest));
    }
}
