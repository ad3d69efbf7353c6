using System.IO.Compression;
using System.Text.Json;
using System.Text.Json.Serialization;
using VaeText.Data;
using VaeText.Transforms;

namespace VaeText.IO;

/// <summary>
/// The model file: a zip holding <c>manifest.json</c>, <c>schema.bin</c> (the input schema) and one
/// <c>transformers/NNN.bin</c> per top-level transformer of the chain, each an object blob as described in
/// <see cref="ModelSaveContext"/>. The manifest records the format name, the format version written, the oldest
/// reader version able to read it, and per entry its name, loader type, role, size and CRC-32.
/// Loading reads everything in memory (nothing is extracted to disk) with bounded sizes and checks every field.
/// </summary>
internal static class ModelZip
{
    public const string FormatName = "VaeText.Model";
    public const int FormatVersion = 1;
    public const int FormatMinReadableVersion = 1;
    public const string ManifestName = "manifest.json";
    public const long MaxManifestBytes = 1 << 20;
    public const long MaxEntryBytes = 1L << 30;
    public const int MaxEntries = 10_000;
    /// <summary>Entries up to this size are not checked for their compression ratio.</summary>
    public const long MaxRatioFreeBytes = 1 << 20;
    /// <summary>Largest accepted uncompressed/compressed ratio of a larger entry (model data compresses far less).</summary>
    public const long MaxCompressionRatio = 250;

    internal sealed class Manifest
    {
        [JsonPropertyName("format")] public string? Format { get; set; }
        [JsonPropertyName("version")] public int Version { get; set; }
        [JsonPropertyName("minReadableVersion")] public int MinReadableVersion { get; set; }
        [JsonPropertyName("library")] public string? Library { get; set; }
        [JsonPropertyName("entries")] public List<ManifestEntry>? Entries { get; set; }
    }

    internal sealed class ManifestEntry
    {
        [JsonPropertyName("name")] public string? Name { get; set; }
        [JsonPropertyName("role")] public string? Role { get; set; }
        [JsonPropertyName("type")] public string? Type { get; set; }
        [JsonPropertyName("size")] public long Size { get; set; }
        [JsonPropertyName("crc32")] public uint Crc32 { get; set; }
    }

    private static readonly JsonSerializerOptions s_json = new() { WriteIndented = true };

    public static void Save(ITransformer model, DataViewSchema inputSchema, Stream stream)
    {
        ArgumentNullException.ThrowIfNull(model);
        ArgumentNullException.ThrowIfNull(inputSchema);
        ArgumentNullException.ThrowIfNull(stream);
        // Fail before writing when the model cannot take this schema.
        model.GetOutputSchema(inputSchema);
        var parts = model is ITransformerChainAccessor chain ? chain.Transformers : [model];
        var blobs = new List<(string Name, string Role, string Type, byte[] Bytes)>();
        blobs.Add(("schema.bin", "schema", SavedSchema.Signature, Serialize(new SavedSchema(inputSchema))));
        for (int i = 0; i < parts.Count; i++)
        {
            if (parts[i] is not ICanSaveModel s)
                throw new NotSupportedException($"transformer {i} ({parts[i].GetType().Name}) cannot be saved: it does not implement ICanSaveModel");
            var bytes = Serialize(s);
            blobs.Add(($"transformers/{i:D3}.bin", "transformer", ReadSignature(bytes), bytes));
        }
        var manifest = new Manifest
        {
            Format = FormatName, Version = FormatVersion, MinReadableVersion = FormatMinReadableVersion,
            Library = typeof(ModelZip).Assembly.GetName().Version?.ToString(),
            Entries = blobs.Select(b => new ManifestEntry { Name = b.Name, Role = b.Role, Type = b.Type, Size = b.Bytes.Length, Crc32 = IO.Crc32.Compute(b.Bytes) }).ToList(),
        };
        using var zip = new ZipArchive(stream, ZipArchiveMode.Create, leaveOpen: true);
        WriteEntry(zip, ManifestName, JsonSerializer.SerializeToUtf8Bytes(manifest, s_json));
        foreach (var b in blobs) WriteEntry(zip, b.Name, b.Bytes);
    }

    private static byte[] Serialize(ICanSaveModel m)
    {
        var ms = new MemoryStream();
        ModelSaveContext.WriteObject(ms, m);
        return ms.ToArray();
    }

    private static string ReadSignature(byte[] blob)
    {
        using var r = new BinaryReader(new MemoryStream(blob));
        return r.ReadString();
    }

    private static void WriteEntry(ZipArchive zip, string name, byte[] bytes)
    {
        var e = zip.CreateEntry(name, CompressionLevel.Optimal);
        e.LastWriteTime = new DateTimeOffset(2000, 1, 1, 0, 0, 0, TimeSpan.Zero); // deterministic bytes
        using var s = e.Open();
        s.Write(bytes);
    }

    public static void SaveToFile(ITransformer model, DataViewSchema inputSchema, string path)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        string full = Path.GetFullPath(path);
        string dir = Path.GetDirectoryName(full) ?? ".";
        if (!Directory.Exists(dir)) throw new DirectoryNotFoundException($"cannot save model to '{path}': folder '{dir}' does not exist");
        string tmp = Path.Combine(dir, $".{Path.GetFileName(full)}.{Environment.ProcessId}.{Guid.NewGuid():N}.tmp");
        try
        {
            using (var fs = new FileStream(tmp, FileMode.CreateNew, FileAccess.Write, FileShare.None))
            {
                Save(model, inputSchema, fs);
                fs.Flush(flushToDisk: true);
            }
            File.Move(tmp, full, overwrite: true);
        }
        finally
        {
            if (File.Exists(tmp)) File.Delete(tmp);
        }
    }

    public static ITransformer LoadFromFile(string path, out DataViewSchema inputSchema)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        if (!File.Exists(path)) throw new FileNotFoundException($"model file '{path}' not found", path);
        using var fs = File.OpenRead(path);
        try { return Load(fs, out inputSchema); }
        catch (InvalidDataException e) { throw new InvalidDataException($"{path}: {e.Message}", e); }
    }

    public static ITransformer Load(Stream stream, out DataViewSchema inputSchema)
    {
        ArgumentNullException.ThrowIfNull(stream);
        ZipArchive zip;
        try { zip = new ZipArchive(stream, ZipArchiveMode.Read, leaveOpen: true); }
        catch (InvalidDataException e) { throw new InvalidDataException($"not a VaeText model: the file is not a readable zip ({e.Message})", e); }
        using (zip)
        {
            if (zip.Entries.Count > MaxEntries) throw new InvalidDataException($"model zip has {zip.Entries.Count} entries (limit {MaxEntries})");
            var byName = new Dictionary<string, ZipArchiveEntry>(StringComparer.Ordinal);
            foreach (var e in zip.Entries)
            {
                CheckEntryName(e.FullName);
                if (!byName.TryAdd(e.FullName, e)) throw new InvalidDataException($"model zip has a duplicate entry '{e.FullName}'");
            }
            if (!byName.TryGetValue(ManifestName, out var me))
                throw new InvalidDataException($"not a VaeText model: the zip has no '{ManifestName}' (a foreign zip?)");
            Manifest manifest;
            try { manifest = JsonSerializer.Deserialize<Manifest>(ReadBounded(me, MaxManifestBytes), s_json) ?? throw new InvalidDataException("manifest is null"); }
            catch (JsonException e) { throw new InvalidDataException($"not a VaeText model: '{ManifestName}' is not valid JSON ({e.Message})", e); }
            if (manifest.Format != FormatName) throw new InvalidDataException($"not a VaeText model: manifest format is '{manifest.Format}', expected '{FormatName}'");
            if (manifest.MinReadableVersion > FormatVersion)
                throw new InvalidDataException($"model was written by a newer VaeText (format version {manifest.Version}, needs a reader of at least {manifest.MinReadableVersion}; this library reads up to {FormatVersion})");
            if (manifest.Version < FormatMinReadableVersion || manifest.MinReadableVersion < 1 || manifest.MinReadableVersion > manifest.Version)
                throw new InvalidDataException($"model manifest has an invalid version pair {manifest.Version}/{manifest.MinReadableVersion}");
            var entries = manifest.Entries ?? throw new InvalidDataException("model manifest lists no entries");
            if (entries.Count > MaxEntries) throw new InvalidDataException($"model manifest lists {entries.Count} entries (limit {MaxEntries})");

            DataViewSchema? schema = null;
            var transformers = new List<ITransformer>();
            var seen = new HashSet<string>(StringComparer.Ordinal);
            foreach (var me2 in entries)
            {
                string name = me2.Name ?? throw new InvalidDataException("model manifest has an entry without a name");
                CheckEntryName(name);
                if (!seen.Add(name)) throw new InvalidDataException($"model manifest lists '{name}' twice");
                if (me2.Size < 0 || me2.Size > MaxEntryBytes) throw new InvalidDataException($"model entry '{name}' declares size {me2.Size} (limit {MaxEntryBytes})");
                if (!byName.TryGetValue(name, out var ze)) throw new InvalidDataException($"model entry '{name}' listed in the manifest is missing from the zip (truncated file?)");
                if (ze.Length != me2.Size) throw new InvalidDataException($"model entry '{name}' has size {ze.Length}, the manifest says {me2.Size}");
                var bytes = ReadBounded(ze, me2.Size);
                if (bytes.Length != me2.Size) throw new InvalidDataException($"model entry '{name}' is truncated: {bytes.Length} of {me2.Size} bytes");
                uint crc = IO.Crc32.Compute(bytes);
                if (crc != me2.Crc32) throw new InvalidDataException($"model entry '{name}' is corrupt: CRC-32 {crc:X8}, the manifest says {me2.Crc32:X8}");
                using var ms = new MemoryStream(bytes, writable: false);
                object obj = ModelLoadContext.LoadObject(ms, bytes.Length, name, requireFullRead: true);
                switch (me2.Role)
                {
                    case "schema":
                        if (schema is not null) throw new InvalidDataException("model manifest has two schema entries");
                        schema = (obj as SavedSchema ?? throw new InvalidDataException($"model entry '{name}' should hold the input schema")).Schema;
                        break;
                    case "transformer":
                        transformers.Add(obj as ITransformer ?? throw new InvalidDataException($"model entry '{name}' holds a {obj.GetType().Name}, not a transformer"));
                        break;
                    default:
                        throw new InvalidDataException($"model entry '{name}' has unknown role '{me2.Role}'");
                }
            }
            inputSchema = schema ?? throw new InvalidDataException("model manifest has no input schema entry");
            if (transformers.Count == 0) throw new InvalidDataException("model holds no transformer");
            ITransformer result = new TransformerChain<ITransformer>(transformers.ToArray());
            try { result.GetOutputSchema(inputSchema); }
            catch (ArgumentException e) { throw new InvalidDataException($"model is inconsistent with its stored input schema: {e.Message}", e); }
            return result;
        }
    }

    /// <summary>Rejects absolute paths, parent references, backslashes, drive letters and odd characters.</summary>
    internal static void CheckEntryName(string name)
    {
        bool bad = string.IsNullOrEmpty(name) || name.Length > 260 || name[0] == '/' || name.Contains('\\') || name.Contains(':')
            || name.Split('/').Any(p => p is ".." or "." or "") || name.Any(ch => char.IsControl(ch));
        if (bad) throw new InvalidDataException($"model zip has an unsafe entry name '{name}'");
    }

    /// <summary>
    /// Reads a whole entry, at most <paramref name="max"/> bytes. The buffer grows as data actually arrives (a
    /// central directory that lies about the size cannot force a huge allocation), an entry that inflates beyond its
    /// declared size is rejected (zip bomb), and so is one whose compression ratio is implausible for model data.
    /// </summary>
    internal static byte[] ReadBounded(ZipArchiveEntry e, long max)
    {
        if (e.Length > max) throw new InvalidDataException($"model entry '{e.FullName}' is {e.Length} bytes (limit {max})");
        if (e.Length > MaxRatioFreeBytes && e.Length > MaxCompressionRatio * Math.Max(1, e.CompressedLength))
            throw new InvalidDataException($"model entry '{e.FullName}' inflates from {e.CompressedLength} to {e.Length} bytes (ratio above {MaxCompressionRatio}): a zip bomb?");
        try
        {
            using var s = e.Open();
            int declared = (int)e.Length;
            var buf = new byte[Math.Min(declared, 1 << 20)];
            int total = 0;
            while (total < declared)
            {
                if (total == buf.Length) Array.Resize(ref buf, (int)Math.Min(declared, 2L * buf.Length));
                int n = s.Read(buf, total, buf.Length - total);
                if (n == 0) break;
                total += n;
            }
            if (total != declared) throw new InvalidDataException($"model entry '{e.FullName}' is truncated: {total} of {e.Length} bytes");
            if (s.ReadByte() != -1) throw new InvalidDataException($"model entry '{e.FullName}' holds more data than its declared size");
            return buf;
        }
        catch (IOException e2) when (e2 is not FileNotFoundException)
        {
            throw new InvalidDataException($"model entry '{e.FullName}' cannot be read: {e2.Message}", e2);
        }
    }
}
