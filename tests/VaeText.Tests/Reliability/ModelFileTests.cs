using System.Buffers.Binary;
using VaeText.Tests.Support;
using System.IO.Compression;
using System.Text;
using System.Text.Json.Nodes;
using NUnit.Framework;
using VaeText.Data;
using VaeText.IO;
using VaeText.Reliability;
using VaeText.Transforms;

namespace VaeText.Tests.Reliability;

/// <summary>Damaged model files are rejected quickly, with a clear message and bounded memory; saves are atomic.</summary>
public class ModelFileTests
{
    private static List<(string Name, byte[] Bytes)>? s_seeds;
    private static List<(string Name, byte[] Bytes)> Seeds => s_seeds ??= Fuzzer.ModelSeeds();
    private static byte[] Pipeline => Seeds.First(s => s.Name == "pipeline-vae-sdca").Bytes;

    private static InvalidDataException Rejected(byte[] bytes, long maxAllocated = 64L << 20)
    {
        long before = GC.GetAllocatedBytesForCurrentThread();
        var sw = System.Diagnostics.Stopwatch.StartNew();
        var e = Assert.Throws<InvalidDataException>(() => new VaeTextContext(1).Model.Load(new MemoryStream(bytes), out _))!;
        Assert.That(GC.GetAllocatedBytesForCurrentThread() - before, Is.LessThan(maxAllocated), "bounded memory: " + e.Message);
        Assert.That(sw.Elapsed.TotalSeconds, Is.LessThan(5), "rejected quickly");
        return e;
    }

    private static List<(string Name, byte[] Bytes)> Entries(byte[] zip)
    {
        var list = new List<(string, byte[])>();
        using var z = new ZipArchive(new MemoryStream(zip), ZipArchiveMode.Read);
        foreach (var e in z.Entries) { using var s = e.Open(); var ms = new MemoryStream(); s.CopyTo(ms); list.Add((e.FullName, ms.ToArray())); }
        return list;
    }

    /// <summary>Rewrites a zip with one entry replaced and the manifest's size and CRC made to match, so that the decoder sees the damage.</summary>
    private static byte[] ReplaceEntry(byte[] zip, string name, byte[] content)
    {
        var entries = Entries(zip);
        var manifest = JsonNode.Parse(entries[0].Bytes)!;
        foreach (var e in manifest["entries"]!.AsArray())
            if (e!["name"]!.GetValue<string>() == name) { e["size"] = content.Length; e["crc32"] = Crc32.Compute(content); }
        var o = new MemoryStream();
        using (var z = new ZipArchive(o, ZipArchiveMode.Create, true))
            foreach (var (n, b) in entries)
            {
                using var s = z.CreateEntry(n).Open();
                s.Write(n == "manifest.json" ? Encoding.UTF8.GetBytes(manifest.ToJsonString()) : n == name ? content : b);
            }
        return o.ToArray();
    }

    private static string EntryOfType(byte[] zip, string type)
    {
        var manifest = JsonNode.Parse(Entries(zip)[0].Bytes)!;
        return manifest["entries"]!.AsArray().First(e => e!["type"]!.GetValue<string>() == type)!["name"]!.GetValue<string>();
    }

    [Test]
    public void TruncatedAnywhere()
    {
        var good = Pipeline;
        for (int i = 0; i < 40; i++)
        {
            int cut = (int)((long)good.Length * i / 40);
            var e = Rejected(good[..cut]);
            Assert.That(e.Message, Does.Contain("zip").Or.Contain("truncated").Or.Contain("manifest"), $"cut at {cut}");
        }
    }

    [Test]
    public void BitFlipsAreCaughtByTheChecksumsOrAreHarmless()
    {
        var good = Pipeline;
        var ctx = new VaeTextContext(1);
        var probe = Fuzzer.ProbeData(ctx);
        var expected = VaeText.Tests.Pipeline.Workout.ReadAll(ctx.Model.Load(new MemoryStream(good), out _).Transform(probe));
        var rng = new VaeText.Core.Rng(5);
        int rejected = 0, harmless = 0;
        for (int i = 0; i < 300; i++)
        {
            var bad = (byte[])good.Clone();
            bad[rng.NextInt(bad.Length)] ^= (byte)(1 << rng.NextInt(8));
            ITransformer m;
            try { m = ctx.Model.Load(new MemoryStream(bad), out _); }
            catch (InvalidDataException) { rejected++; continue; }
            // A flip outside the checked content (a zip timestamp, say) loads: then the outputs must be identical.
            var actual = VaeText.Tests.Pipeline.Workout.ReadAll(m.Transform(probe));
            Assert.That(actual.Count, Is.EqualTo(expected.Count));
            for (int r = 0; r < actual.Count; r++) Assert.That(actual[r], Is.EqualTo(expected[r]), $"flip {i} changed the output silently");
            harmless++;
        }
        TestContext.Out.WriteLine($"{rejected} rejected, {harmless} harmless");
        Assert.That(rejected, Is.GreaterThan(200));
    }

    [Test]
    public void ForeignZip()
    {
        var o = new MemoryStream();
        using (var z = new ZipArchive(o, ZipArchiveMode.Create, true))
        {
            using (var s = z.CreateEntry("word/document.xml").Open()) s.Write("<xml/>"u8);
            using (var s = z.CreateEntry("manifest.json").Open()) s.Write("{\"format\": \"Something.Else\", \"version\": 1}"u8);
        }
        Assert.That(Rejected(o.ToArray()).Message, Does.Contain("not a VaeText model"));
        Assert.That(Rejected("PK\u0003\u0004 not really a zip"u8.ToArray()).Message, Does.Contain("not a VaeText model"));
    }

    [Test]
    public void NewerEntryLayoutVersion()
    {
        var good = Pipeline;
        string name = EntryOfType(good, "VaeLatentTransformer");
        var blob = Entries(good).First(e => e.Name == name).Bytes;
        int sigLen = blob[0] + 1; // 7-bit length prefix (signature is short)
        var newer = (byte[])blob.Clone();
        BinaryPrimitives.WriteInt32LittleEndian(newer.AsSpan(sigLen), 9);
        BinaryPrimitives.WriteInt32LittleEndian(newer.AsSpan(sigLen + 4), 9);
        var e = Rejected(ReplaceEntry(good, name, newer));
        Assert.That(e.Message, Does.Contain("newer version").And.Contain(name));
    }

    [Test]
    public void AbsurdDeclaredTensorSizes()
    {
        var good = Pipeline;
        string name = EntryOfType(good, "VaeLatentTransformer");
        var blob = Entries(good).First(e => e.Name == name).Bytes;
        // The parameter tensor is the last length-prefixed float array: find its count and claim 2^31 − 1 floats.
        int at = -1;
        for (int o = blob.Length - 8; o >= 0; o--)
            if (BinaryPrimitives.ReadInt32LittleEndian(blob.AsSpan(o)) == (blob.Length - o - 4) / 4 && (blob.Length - o - 4) % 4 == 0 && blob.Length - o - 4 > 16) { at = o; break; }
        Assert.That(at, Is.GreaterThan(0));
        var huge = (byte[])blob.Clone();
        BinaryPrimitives.WriteInt32LittleEndian(huge.AsSpan(at), int.MaxValue);
        var e = Rejected(ReplaceEntry(good, name, huge));
        Assert.That(e.Message, Does.Contain("exceeds").And.Contain(name));
        // The manifest claiming a 2^40-byte entry.
        var entries = Entries(good);
        var manifest = JsonNode.Parse(entries[0].Bytes)!;
        manifest["entries"]![1]!["size"] = 1L << 40;
        var o2 = new MemoryStream();
        using (var z = new ZipArchive(o2, ZipArchiveMode.Create, true))
            foreach (var (n, b) in entries) { using var s = z.CreateEntry(n).Open(); s.Write(n == "manifest.json" ? Encoding.UTF8.GetBytes(manifest.ToJsonString()) : b); }
        Assert.That(Rejected(o2.ToArray()).Message, Does.Contain("size 1099511627776"));
        // A TextVae file whose header claims a 2^40-byte payload.
        var tv = (byte[])Seeds.First(s => s.Name == "textvae").Bytes.Clone();
        BinaryPrimitives.WriteInt64LittleEndian(tv.AsSpan(16), 1L << 40);
        Assert.That(Assert.Throws<InvalidDataException>(() => VaeText.Models.TextVae.Load(new MemoryStream(tv)))!.Message, Does.Contain("payload length"));
    }

    [Test]
    public void ZipBombIsRejectedBeforeInflating()
    {
        var good = Pipeline;
        var entries = Entries(good);
        string name = entries[1].Name;
        const long bomb = 200L << 20;
        var manifest = JsonNode.Parse(entries[0].Bytes)!;
        manifest["entries"]!.AsArray().First(e => e!["name"]!.GetValue<string>() == name)!["size"] = bomb;
        var o = new MemoryStream();
        using (var z = new ZipArchive(o, ZipArchiveMode.Create, true))
            foreach (var (n, b) in entries)
            {
                using var s = z.CreateEntry(n, CompressionLevel.Optimal).Open();
                if (n == name)
                {
                    var zeros = new byte[1 << 20];
                    for (long w = 0; w < bomb; w += zeros.Length) s.Write(zeros);
                }
                else s.Write(n == "manifest.json" ? Encoding.UTF8.GetBytes(manifest.ToJsonString()) : b);
            }
        var bytes = o.ToArray();
        Assert.That(bytes.Length, Is.LessThan(2 << 20), "the bomb file itself is small");
        var e = Rejected(bytes, maxAllocated: 16L << 20);
        Assert.That(e.Message, Does.Contain("zip bomb").And.Contain(name));
    }

    [Test]
    public void EntryThatInflatesBeyondItsDeclaredSize()
    {
        // The central directory claims 100 bytes; the data inflates to 8 MiB.
        var o = new MemoryStream();
        using (var z = new ZipArchive(o, ZipArchiveMode.Create, true))
        {
            using var s = z.CreateEntry("manifest.json", CompressionLevel.Optimal).Open();
            s.Write(new byte[8 << 20]);
        }
        var bytes = o.ToArray();
        PatchUncompressedSize(bytes, 100);
        var e = Rejected(bytes, maxAllocated: 16L << 20);
        Assert.That(e.Message, Does.Contain("manifest.json").Or.Contain("zip"));
    }

    /// <summary>Sets the uncompressed size of every local and central header (4-byte signatures 0x04034b50 and 0x02014b50).</summary>
    private static void PatchUncompressedSize(byte[] zip, uint size)
    {
        for (int i = 0; i + 4 <= zip.Length; i++)
        {
            uint sig = BinaryPrimitives.ReadUInt32LittleEndian(zip.AsSpan(i));
            if (sig == 0x04034b50 && i + 26 <= zip.Length) BinaryPrimitives.WriteUInt32LittleEndian(zip.AsSpan(i + 22), size);
            else if (sig == 0x02014b50 && i + 28 <= zip.Length) BinaryPrimitives.WriteUInt32LittleEndian(zip.AsSpan(i + 24), size);
        }
    }

    private sealed class Unsaveable : ITransformer
    {
        public DataViewSchema GetOutputSchema(DataViewSchema inputSchema) => inputSchema;
        public IDataView Transform(IDataView input) => input;
        public bool IsRowToRowMapper => true;
    }

    [Test]
    public void AFailedSaveLeavesThePreviousModelIntact()
    {
        var dir = TestFiles.TempDir();
        try
        {
            var ctx = new VaeTextContext(1);
            var model = ctx.Model.Load(new MemoryStream(Pipeline), out var schema);
            string path = Path.Combine(dir, "model.zip");
            ctx.Model.Save(model, schema, path);
            var before = File.ReadAllBytes(path);
            Assert.Throws<NotSupportedException>(() => ctx.Model.Save(new TransformerChain<ITransformer>([model, new Unsaveable()]), schema, path));
            Assert.That(File.ReadAllBytes(path), Is.EqualTo(before), "the old model is untouched");
            Assert.That(Directory.GetFiles(dir).Select(Path.GetFileName), Is.EqualTo(new[] { "model.zip" }), "no temporary file is left");
            // Saving is byte-deterministic (fixed timestamps), so a re-save equals the old bytes.
            ctx.Model.Save(model, schema, path);
            Assert.That(File.ReadAllBytes(path), Is.EqualTo(before));
        }
        finally { Directory.Delete(dir, true); }
    }
}

public class ModelArchitectureSizeTests
{
    [Test]
    public void ACorruptWidthIsRejectedBeforeTheModelIsBuilt()
    {
        // A sequence VAE file whose LSTM hidden width claims 4096: rejected from the bytes left, without allocating.
        var o = new VaeText.Models.SeqVaeOptions { VocabularySize = 20, Encoder = VaeText.Models.SeqEncoderKind.Lstm, EmbeddingSize = 4, HiddenSize = 4, LatentSize = 2, MaxLength = 6 };
        var ms = new MemoryStream();
        VaeText.Models.SeqVaeSerializer.Save(new VaeText.Models.SeqVae(o), ms);
        var bytes = ms.ToArray();
        System.Buffers.Binary.BinaryPrimitives.WriteInt32LittleEndian(bytes.AsSpan(8 + 8 + 16), 1 << 12); // HiddenSize: about 67 million parameters (268 MB)
        long before = GC.GetAllocatedBytesForCurrentThread();
        var e = Assert.Throws<InvalidDataException>(() => VaeText.Models.SeqVaeSerializer.Load(new MemoryStream(bytes)))!;
        Assert.That(GC.GetAllocatedBytesForCurrentThread() - before, Is.LessThan(16L << 20));
        Assert.That(e.Message, Does.Contain("bytes remain"));
    }
}
