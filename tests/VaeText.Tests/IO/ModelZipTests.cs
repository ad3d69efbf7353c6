using System.IO.Compression;
using System.Text;
using NUnit.Framework;
using VaeText.Data;
using VaeText.Tests.Pipeline;
using VaeText.Transforms;

namespace VaeText.Tests.IO;

public class ModelZipTests
{
    private static (byte[] Bytes, IDataView Data) SaveKeyModel()
    {
        var ctx = new VaeTextContext(1);
        var data = ctx.Data.LoadFromEnumerable(Workout.Reviews);
        var model = ctx.Transforms.Conversion.MapValueToKey("Key", "Label").Append(ctx.Transforms.Text.FeaturizeText("F", "Text")).Fit(data);
        var ms = new MemoryStream();
        ctx.Model.Save(model, data.Schema, ms);
        return (ms.ToArray(), data);
    }

    private static InvalidDataException LoadFails(byte[] bytes) =>
        Assert.Throws<InvalidDataException>(() => new VaeTextContext(1).Model.Load(new MemoryStream(bytes), out _))!;

    private static byte[] Rewrite(byte[] zip, Func<string, byte[], (string, byte[])?> change)
    {
        var entries = new List<(string, byte[])>();
        using (var z = new ZipArchive(new MemoryStream(zip), ZipArchiveMode.Read))
            foreach (var e in z.Entries)
            {
                using var s = e.Open(); var ms = new MemoryStream(); s.CopyTo(ms);
                var c = change(e.FullName, ms.ToArray());
                if (c is not null) entries.Add(c.Value);
            }
        var o = new MemoryStream();
        using (var z = new ZipArchive(o, ZipArchiveMode.Create, true))
            foreach (var (n, b) in entries) { using var s = z.CreateEntry(n).Open(); s.Write(b); }
        return o.ToArray();
    }

    [Test]
    public void ManifestListsEntriesWithChecksums()
    {
        var (bytes, _) = SaveKeyModel();
        using var z = new ZipArchive(new MemoryStream(bytes), ZipArchiveMode.Read);
        Assert.That(z.Entries.Select(e => e.FullName), Is.EqualTo(new[] { "manifest.json", "schema.bin", "transformers/000.bin", "transformers/001.bin" }));
        using var r = new StreamReader(z.GetEntry("manifest.json")!.Open());
        var json = r.ReadToEnd();
        Assert.That(json, Does.Contain("\"format\": \"VaeText.Model\"").And.Contain("ValueToKeyMapping").And.Contain("TextFeaturizing").And.Contain("crc32"));
    }

    [Test]
    public void SavingIsDeterministicAndFileSaveIsAtomic()
    {
        var (a, data) = SaveKeyModel();
        var (b, _) = SaveKeyModel();
        Assert.That(b, Is.EqualTo(a));
        var dir = Path.Combine(Path.GetTempPath(), $"vt_atomic_{Guid.NewGuid():N}");
        Directory.CreateDirectory(dir);
        try
        {
            var ctx = new VaeTextContext(1);
            var model = ctx.Model.Load(new MemoryStream(a), out var schema);
            ctx.Model.Save(model, schema, Path.Combine(dir, "m.zip"));
            ctx.Model.Save(model, schema, Path.Combine(dir, "m.zip"));
            Assert.That(Directory.GetFiles(dir).Select(Path.GetFileName), Is.EqualTo(new[] { "m.zip" }));
            Workout.AssertIdentical(model.Transform(data), ctx.Model.Load(Path.Combine(dir, "m.zip"), out _).Transform(data));
            Assert.Throws<DirectoryNotFoundException>(() => ctx.Model.Save(model, schema, Path.Combine(dir, "no", "m.zip")));
        }
        finally { Directory.Delete(dir, true); }
    }

    [Test]
    public void CorruptTruncatedForeignNewerAndUnsafeFilesAreRejected()
    {
        var (good, _) = SaveKeyModel();
        // Truncated.
        Assert.That(LoadFails(good[..(good.Length / 2)]).Message, Does.Contain("zip").IgnoreCase);
        // Not a zip.
        Assert.That(LoadFails(Encoding.UTF8.GetBytes("hello world")).Message, Does.Contain("not a VaeText model"));
        // Foreign zip.
        Assert.That(LoadFails(Rewrite(good, (n, b) => n == "manifest.json" ? null : (n, b))).Message, Does.Contain("manifest"));
        // Corrupt entry payload (CRC mismatch).
        Assert.That(LoadFails(Rewrite(good, (n, b) => n == "transformers/001.bin" ? (n, Flip(b, b.Length / 2)) : (n, b))).Message, Does.Contain("CRC"));
        // Newer version.
        Assert.That(LoadFails(Rewrite(good, (n, b) => n == "manifest.json" ? (n, Replace(b, "\"minReadableVersion\": 1", "\"minReadableVersion\": 7")) : (n, b))).Message, Does.Contain("newer"));
        // Zip-slip names.
        Assert.That(LoadFails(Rewrite(good, (n, b) => n == "schema.bin" ? ("../evil.bin", b) : (n, b))).Message, Does.Contain("unsafe"));
        Assert.That(LoadFails(Rewrite(good, (n, b) => n == "schema.bin" ? ("/abs.bin", b) : (n, b))).Message, Does.Contain("unsafe"));
        // Absurd declared size.
        Assert.That(LoadFails(Rewrite(good, (n, b) => n == "manifest.json" ? (n, ReplaceFirstSize(b)) : (n, b))).Message, Does.Contain("size"));
        // Missing entry.
        Assert.That(LoadFails(Rewrite(good, (n, b) => n == "transformers/001.bin" ? null : (n, b))).Message, Does.Contain("missing"));
    }

    [Test]
    public void CorruptPayloadWithMatchingChecksumIsStillRejected()
    {
        var (good, _) = SaveKeyModel();
        // Truncate the featurizer entry and fix up manifest size and CRC: the decoder must notice.
        byte[]? newEntry = null;
        var step1 = Rewrite(good, (n, b) => { if (n == "transformers/001.bin") { newEntry = b[..(b.Length - 7)]; return (n, newEntry); } return (n, b); });
        var step2 = Rewrite(step1, (n, b) =>
        {
            if (n != "manifest.json") return (n, b);
            var s = Encoding.UTF8.GetString(b);
            var doc = System.Text.Json.Nodes.JsonNode.Parse(s)!;
            var e = doc["entries"]![2]!;
            e["size"] = newEntry!.Length;
            e["crc32"] = VaeText.IO.Crc32.Compute(newEntry);
            return (n, Encoding.UTF8.GetBytes(doc.ToJsonString()));
        });
        var ex = LoadFails(step2);
        Assert.That(ex.Message, Does.Contain("transformers/001.bin"));
    }

    private static byte[] Flip(byte[] b, int i) { var c = (byte[])b.Clone(); c[i] ^= 0x5A; return c; }
    private static byte[] Replace(byte[] b, string from, string to)
    {
        var s = Encoding.UTF8.GetString(b);
        Assert.That(s, Does.Contain(from));
        return Encoding.UTF8.GetBytes(s.Replace(from, to));
    }
    private static byte[] ReplaceFirstSize(byte[] b)
    {
        var doc = System.Text.Json.Nodes.JsonNode.Parse(Encoding.UTF8.GetString(b))!;
        doc["entries"]![0]!["size"] = 1L << 40;
        return Encoding.UTF8.GetBytes(doc.ToJsonString());
    }
}
