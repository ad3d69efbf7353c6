using System.Reflection;

namespace VaeText.Data;

/// <summary>
/// How a .NET class maps to data-view columns: public instance fields and properties (unless
/// <see cref="NoColumnAttribute"/>), named by <see cref="ColumnNameAttribute"/> or the member name.
/// Member types: <c>string</c> / <c>ReadOnlyMemory&lt;char&gt;</c> → Text; <c>float</c>, <c>double</c>, <c>int</c> → Single;
/// <c>bool</c> → Boolean; <c>uint</c> with <see cref="KeyTypeAttribute"/> → Key; <c>float[]</c> or
/// <c>VBuffer&lt;float&gt;</c> → Vector (fixed size with <see cref="VectorTypeAttribute"/>).
/// </summary>
internal sealed class MemberMap
{
    public required MemberInfo Member { get; init; }
    public required string ColumnName { get; init; }
    public required DataViewType Type { get; init; }
    public required Type MemberType { get; init; }
    public LoadColumnAttribute? Load { get; init; }

    public object? GetValue(object o) => Member is PropertyInfo p ? p.GetValue(o) : ((FieldInfo)Member).GetValue(o);
    public void SetValue(object o, object? v)
    {
        if (Member is PropertyInfo p) p.SetValue(o, v); else ((FieldInfo)Member).SetValue(o, v);
    }
    public bool CanWrite => Member is PropertyInfo p ? p.CanWrite && p.SetMethod!.IsPublic : !((FieldInfo)Member).IsInitOnly;
    public bool CanRead => Member is PropertyInfo p ? p.CanRead && p.GetMethod!.IsPublic : true;

    public static List<MemberMap> For(Type t, bool forWriting)
    {
        var list = new List<MemberMap>();
        var members = t.GetMembers(BindingFlags.Public | BindingFlags.Instance)
            .Where(m => m is FieldInfo || m is PropertyInfo pi && pi.GetIndexParameters().Length == 0)
            .OrderBy(m => m.MetadataToken);
        foreach (var m in members)
        {
            if (m.GetCustomAttribute<NoColumnAttribute>() is not null) continue;
            var mt = m is PropertyInfo p ? p.PropertyType : ((FieldInfo)m).FieldType;
            var name = m.GetCustomAttribute<ColumnNameAttribute>()?.Name ?? m.Name;
            var vec = m.GetCustomAttribute<VectorTypeAttribute>();
            var key = m.GetCustomAttribute<KeyTypeAttribute>();
            DataViewType? type =
                mt == typeof(string) || mt == typeof(ReadOnlyMemory<char>) ? TextDataViewType.Instance :
                mt == typeof(float) || mt == typeof(double) || mt == typeof(int) ? NumberDataViewType.Single :
                mt == typeof(bool) ? BooleanDataViewType.Instance :
                mt == typeof(uint) ? (key is not null ? new KeyDataViewType(key.Count) : null) :
                mt == typeof(float[]) || mt == typeof(VBuffer<float>) ? new VectorDataViewType(NumberDataViewType.Single, vec?.Size ?? 0) :
                null;
            if (type is null)
                throw new ArgumentException($"{t.Name}.{m.Name}: type {mt.Name} cannot map to a column (use string, float, double, int, bool, uint with [KeyType], float[] or VBuffer<float>; or mark it [NoColumn])");
            var mm = new MemberMap { Member = m, ColumnName = name, Type = type, MemberType = mt, Load = m.GetCustomAttribute<LoadColumnAttribute>() };
            if (forWriting ? !mm.CanWrite : !mm.CanRead) continue;
            list.Add(mm);
        }
        var dup = list.GroupBy(x => x.ColumnName).FirstOrDefault(g => g.Count() > 1);
        if (dup is not null) throw new ArgumentException($"{t.Name}: two members map to column '{dup.Key}'");
        return list;
    }

    /// <summary>Converts a member value to the column's raw value.</summary>
    public object ToRaw(object? v, long row)
    {
        switch (Type)
        {
            case TextDataViewType:
                return v switch { null => ReadOnlyMemory<char>.Empty, string s => s.AsMemory(), ReadOnlyMemory<char> m => m, _ => throw Bad(v) };
            case NumberDataViewType:
                return v switch { float f => f, double d => (float)d, int i => (float)i, _ => throw Bad(v) };
            case BooleanDataViewType:
                return (bool)v!;
            case KeyDataViewType k:
                uint key = (uint)v!;
                if (key > k.Count) throw new InvalidOperationException($"row {row}, column '{ColumnName}': key {key} exceeds the key count {k.Count}");
                return key;
            case VectorDataViewType vt:
                VBuffer<float> buf = v switch
                {
                    null => new VBuffer<float>(0, []),
                    float[] a => new VBuffer<float>(a.Length, (float[])a.Clone()),
                    VBuffer<float> b => b,
                    _ => throw Bad(v),
                };
                if (vt.IsKnownSize && buf.Length != vt.Size)
                    throw new InvalidOperationException($"row {row}, column '{ColumnName}': vector has {buf.Length} slots, [VectorType] declares {vt.Size}");
                return buf;
        }
        throw Bad(v);
        Exception Bad(object? x) => new InvalidOperationException($"row {row}, column '{ColumnName}': cannot convert {x?.GetType().Name ?? "null"} to {Type}");
    }
}
