using System.Text;

namespace VaeText.IO;

/// <summary>
/// Where a loader reads an object written through <see cref="ModelSaveContext"/>. Every reader here is bounded by
/// the bytes left in the entry, so a corrupt length can never trigger a huge allocation, and every failure is an
/// <see cref="InvalidDataException"/> naming the entry.
/// </summary>
public sealed class ModelLoadContext
{
    private readonly long _end;

    /// <summary>The reader positioned after the version header.</summary>
    public BinaryReader Reader { get; }
    /// <summary>The loader signature found in the header.</summary>
    public string LoaderSignature { get; }
    /// <summary>The layout version the file was written with.</summary>
    public int Version { get; }
    /// <summary>The oldest reader version the writer declared compatible.</summary>
    public int MinReadableVersion { get; }
    /// <summary>Name of the zip entry being read (for messages).</summary>
    public string EntryName { get; }

    private ModelLoadContext(BinaryReader reader, long end, string entryName)
    {
        Reader = reader; _end = end; EntryName = entryName;
        LoaderSignature = ReadString(200);
        Version = reader.ReadInt32();
        MinReadableVersion = reader.ReadInt32();
        CheckDecode(MinReadableVersion >= 1 && MinReadableVersion <= Version, $"bad version header {Version}/{MinReadableVersion}");
    }

    /// <summary>Bytes left in this object.</summary>
    public long Remaining => _end - Reader.BaseStream.Position;

    internal static object LoadObject(Stream stream, long length, string entryName, bool requireFullRead)
    {
        var reader = new BinaryReader(stream, Encoding.UTF8, leaveOpen: true);
        long end = stream.Position + length;
        ModelLoadContext ctx;
        try { ctx = new ModelLoadContext(reader, end, entryName); }
        catch (EndOfStreamException) { throw new InvalidDataException($"model entry '{entryName}': truncated header"); }
        catch (DecoderFallbackException e) { throw new InvalidDataException($"model entry '{entryName}': the loader signature is not valid UTF-8", e); }
        object result;
        try { result = ModelLoaderRegistry.Invoke(ctx.LoaderSignature, ctx); }
        catch (EndOfStreamException) { throw new InvalidDataException($"model entry '{entryName}' ({ctx.LoaderSignature}): truncated data"); }
        catch (Exception e) when (e is ArgumentException or FormatException or OverflowException or IndexOutOfRangeException or DecoderFallbackException)
        { throw new InvalidDataException($"model entry '{entryName}' ({ctx.LoaderSignature}): invalid data: {e.Message}", e); }
        if (stream.Position > end) throw new InvalidDataException($"model entry '{entryName}' ({ctx.LoaderSignature}): read past its end");
        if (requireFullRead && stream.Position != end)
            throw new InvalidDataException($"model entry '{entryName}' ({ctx.LoaderSignature}): {end - stream.Position} unread trailing bytes");
        stream.Position = end;
        return result;
    }

    /// <summary>
    /// Checks this code can read the file: throws when the file needs a newer reader
    /// (<c>MinReadableVersion &gt; current.Version</c>) or is older than <c>current.MinReadableVersion</c>.
    /// </summary>
    public void CheckVersion(VersionInfo current)
    {
        CheckDecode(LoaderSignature == current.LoaderSignature, $"expected loader '{current.LoaderSignature}', found '{LoaderSignature}'");
        if (MinReadableVersion > current.Version)
            throw new InvalidDataException($"model entry '{EntryName}' ({LoaderSignature}) was written by a newer version (layout {Version}, needs a reader of at least {MinReadableVersion}; this library reads up to {current.Version})");
        if (Version < current.MinReadableVersion)
            throw new InvalidDataException($"model entry '{EntryName}' ({LoaderSignature}) layout {Version} is too old (oldest readable {current.MinReadableVersion})");
    }

    /// <summary>Throws <see cref="InvalidDataException"/> with <paramref name="message"/> when <paramref name="condition"/> is false.</summary>
    public void CheckDecode(bool condition, string message)
    {
        if (!condition) throw new InvalidDataException($"model entry '{EntryName}' ({LoaderSignature}): {message}");
    }

    /// <summary>Reads a nested object written by <see cref="ModelSaveContext.SaveNested"/> and casts it.</summary>
    public T LoadNested<T>() where T : class
    {
        long len = Reader.ReadInt64();
        CheckDecode(len > 0 && len <= Remaining, $"nested object length {len} outside [1, {Remaining}]");
        var o = LoadObject(Reader.BaseStream, len, EntryName, requireFullRead: true);
        return o as T ?? throw new InvalidDataException($"model entry '{EntryName}': nested object is {o.GetType().Name}, expected {typeof(T).Name}");
    }

    /// <summary>Reads an int and checks it lies in [<paramref name="min"/>, <paramref name="max"/>].</summary>
    public int ReadInt32(int min, int max, string what)
    {
        int v = Reader.ReadInt32();
        CheckDecode(v >= min && v <= max, $"{what} = {v} outside [{min}, {max}]");
        return v;
    }

    private int ReadCount(int itemBytes, string what)
    {
        int n = Reader.ReadInt32();
        CheckDecode(n >= 0 && (long)n * itemBytes <= Remaining, $"{what}: declared count {n} exceeds the {Remaining} bytes left");
        return n;
    }

    /// <summary>Reads a length-prefixed float array (bounded by the bytes left).</summary>
    public float[] ReadSingles(string what = "floats")
    {
        var a = new float[ReadCount(4, what)];
        for (int i = 0; i < a.Length; i++) a[i] = Reader.ReadSingle();
        return a;
    }
    /// <summary>Reads a length-prefixed double array.</summary>
    public double[] ReadDoubles(string what = "doubles")
    {
        var a = new double[ReadCount(8, what)];
        for (int i = 0; i < a.Length; i++) a[i] = Reader.ReadDouble();
        return a;
    }
    /// <summary>Reads a length-prefixed int array.</summary>
    public int[] ReadInts(string what = "ints")
    {
        var a = new int[ReadCount(4, what)];
        for (int i = 0; i < a.Length; i++) a[i] = Reader.ReadInt32();
        return a;
    }
    /// <summary>Reads a length-prefixed byte blob.</summary>
    public byte[] ReadBytes(string what = "bytes")
    {
        int n = ReadCount(1, what);
        var b = Reader.ReadBytes(n);
        CheckDecode(b.Length == n, $"{what}: truncated");
        return b;
    }
    /// <summary>Reads a string of at most <paramref name="maxChars"/> bytes of UTF-8.</summary>
    public string ReadString(int maxChars = 1 << 20)
    {
        // BinaryWriter's 7-bit encoded length prefix, checked before allocating.
        int len = 0, shift = 0;
        byte b;
        do
        {
            CheckDecode(shift < 35, "bad string length prefix");
            b = Reader.ReadByte();
            len |= (b & 0x7F) << shift;
            shift += 7;
        } while ((b & 0x80) != 0);
        CheckDecode(len >= 0 && len <= maxChars && len <= Remaining, $"string length {len} outside [0, {Math.Min(maxChars, Remaining)}]");
        var bytes = Reader.ReadBytes(len);
        CheckDecode(bytes.Length == len, "truncated string");
        return new UTF8Encoding(false, true).GetString(bytes);
    }
    /// <summary>Reads a length-prefixed list of strings.</summary>
    public string[] ReadStrings(string what = "strings")
    {
        var a = new string[ReadCount(1, what)];
        for (int i = 0; i < a.Length; i++) a[i] = ReadString();
        return a;
    }
}
