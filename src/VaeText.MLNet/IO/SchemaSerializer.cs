using VaeText.Data;

namespace VaeText.IO;

/// <summary>
/// Binary form of a <see cref="DataViewSchema"/>. Layout: <c>[int32 columns]</c> then per column
/// <c>[string name][byte kind: 0 text, 1 single, 2 boolean, 3 key, 4 float vector][uint64 keyCount if key]
/// [int32 size if vector][int32 annotations]</c> and per annotation <c>[string name][int32 length][strings...]</c>
/// (only text-vector annotations — key values and slot names — are stored).
/// </summary>
internal static class SchemaSerializer
{
    public static void Write(ModelSaveContext ctx, DataViewSchema schema)
    {
        var w = ctx.Writer;
        w.Write(schema.Count);
        foreach (var c in schema)
        {
            w.Write(c.Name);
            switch (c.Type)
            {
                case TextDataViewType: w.Write((byte)0); break;
                case NumberDataViewType: w.Write((byte)1); break;
                case BooleanDataViewType: w.Write((byte)2); break;
                case KeyDataViewType k: w.Write((byte)3); w.Write(k.Count); break;
                case VectorDataViewType { ItemType: NumberDataViewType } v: w.Write((byte)4); w.Write(v.Size); break;
                default: throw new NotSupportedException($"column '{c.Name}' has type {c.Type}, which cannot be saved");
            }
            var anns = c.Annotations.Kinds.Where(k => k.Type is VectorDataViewType { ItemType: TextDataViewType }).ToList();
            w.Write(anns.Count);
            foreach (var (name, _) in anns)
            {
                var v = default(VBuffer<ReadOnlyMemory<char>>);
                c.Annotations.GetValue(name, ref v);
                w.Write(name);
                w.Write(v.Length);
                var dense = v.DenseValues();
                foreach (var s in dense) w.Write(s.ToString());
            }
        }
    }

    public static DataViewSchema Read(ModelLoadContext ctx)
    {
        var r = ctx.Reader;
        int n = ctx.ReadInt32(0, 100_000, "column count");
        var b = new DataViewSchema.Builder();
        for (int i = 0; i < n; i++)
        {
            string name = ctx.ReadString(10_000);
            ctx.CheckDecode(name.Length > 0, "empty column name");
            byte kind = r.ReadByte();
            DataViewType type = kind switch
            {
                0 => TextDataViewType.Instance,
                1 => NumberDataViewType.Single,
                2 => BooleanDataViewType.Instance,
                3 => ReadKey(ctx),
                4 => new VectorDataViewType(NumberDataViewType.Single, ctx.ReadInt32(0, int.MaxValue, "vector size")),
                _ => throw new InvalidDataException($"model entry '{ctx.EntryName}': unknown column type code {kind} for column '{name}'"),
            };
            int na = ctx.ReadInt32(0, 100, "annotation count");
            var ab = new DataViewSchema.Annotations.Builder();
            for (int j = 0; j < na; j++)
            {
                string an = ctx.ReadString(1000);
                int len = ctx.ReadInt32(0, (int)Math.Min(int.MaxValue, ctx.Remaining), "annotation length");
                var vals = new string[len];
                for (int k = 0; k < len; k++) vals[k] = ctx.ReadString();
                ab.Add(an, new VectorDataViewType(TextDataViewType.Instance, len), AnnotationUtils.TextVector(vals));
            }
            b.AddColumn(name, type, ab.ToAnnotations());
        }
        return b.ToSchema();
    }

    private static KeyDataViewType ReadKey(ModelLoadContext ctx)
    {
        ulong count = ctx.Reader.ReadUInt64();
        ctx.CheckDecode(count >= 1 && count <= uint.MaxValue, $"key count {count} out of range");
        return new KeyDataViewType(count);
    }
}

/// <summary>The input schema, stored as its own zip entry.</summary>
[ModelLoader(Signature)]
internal sealed class SavedSchema(DataViewSchema schema) : ICanSaveModel
{
    public const string Signature = "InputSchema";
    private static readonly VersionInfo s_version = new(Signature, 1, 1);
    public DataViewSchema Schema { get; } = schema;

    public void Save(ModelSaveContext ctx)
    {
        ctx.SetVersionInfo(s_version);
        SchemaSerializer.Write(ctx, Schema);
    }

    private static SavedSchema Load(ModelLoadContext ctx)
    {
        ctx.CheckVersion(s_version);
        return new SavedSchema(SchemaSerializer.Read(ctx));
    }
}
