using System.IO.Compression;
using NUnit.Framework;
using VaeText.Data;
using VaeText.Tests.Pipeline;
using VaeText.Transforms;

namespace VaeText.Tests.Seq;

public class VaeLatentSequenceTests
{
    private static VaeLatentEstimator.Options Small(VaeLatentEstimator.EncoderKind kind) => new()
    {
        OutputColumnName = "Latent", InputColumnName = "Text", Encoder = kind, LatentSize = 3, Epochs = 2, BatchSize = 4,
        MaxSequenceLength = 6, EmbeddingSize = 8, SequenceHiddenSize = 6, TransformerLayers = 1, AttentionHeads = 2, FeedForwardSize = 10,
        LogVarianceColumnName = "LogVar", ReconstructionErrorColumnName = "Recon",
    };

    [TestCase(VaeLatentEstimator.EncoderKind.Lstm)]
    [TestCase(VaeLatentEstimator.EncoderKind.Transformer)]
    public void SequenceEncoderWorkoutSaveLoadAndBatchEncode(VaeLatentEstimator.EncoderKind kind)
    {
        var ctx = new VaeTextContext(3);
        var data = ctx.Data.LoadFromEnumerable(Workout.Reviews);
        var m = (VaeLatentTransformer)Workout.Run(ctx.Transforms.VaeLatent(Small(kind)), data);
        Assert.That(m.Encoder, Is.EqualTo(kind));
        Assert.That(m.SequenceModel!.Options.MaxLength, Is.EqualTo(6));
        var rows = Workout.ReadAll(m.Transform(data));
        var latent = (float[])rows[1][2];
        Assert.That(latent, Has.Length.EqualTo(3));
        Assert.That(latent.All(float.IsFinite));
        Assert.That((float)rows[1][4], Is.GreaterThan(0f));
        // Batch encoding (sorted, padded batches) agrees with the streaming one-row path.
        var batch = m.EncodeMeans(Workout.Reviews.Select(r => r.Text).ToArray());
        for (int i = 0; i < Workout.Reviews.Length; i++)
            Assert.That(batch.AsSpan(i * 3, 3).ToArray(), Is.EqualTo((float[])rows[i][2]).Within(1e-5f), $"row {i}");
        // Different documents, different codes; same seed, same model.
        Assert.That(batch.AsSpan(0, 3).ToArray(), Is.Not.EqualTo(batch.AsSpan(3, 3).ToArray()));
        var o = Small(kind); o.LogVarianceColumnName = null; o.ReconstructionErrorColumnName = null;
        var again = (VaeLatentTransformer)new VaeTextContext(3).Transforms.VaeLatent(o).Fit(data);
        Assert.That(again.EncodeMeans(Workout.Reviews.Select(r => r.Text).ToArray()), Is.EqualTo(batch));
    }

    [Test]
    public void SequenceModelZipRejectsCorruptEntries()
    {
        var ctx = new VaeTextContext(3);
        var data = ctx.Data.LoadFromEnumerable(Workout.Reviews);
        var m = ctx.Transforms.VaeLatent(Small(VaeLatentEstimator.EncoderKind.Lstm)).Fit(data);
        var ms = new MemoryStream();
        ctx.Model.Save(m, data.Schema, ms);
        var good = ms.ToArray();
        string entry = Entries(good).Single(n => n.StartsWith("transformers/", StringComparison.Ordinal));
        // A flipped byte fails the CRC check.
        var ex = Assert.Throws<InvalidDataException>(() => Load(Rewrite(good, entry, b => { b[b.Length / 2] ^= 0x5A; return b; })));
        Assert.That(ex!.Message, Does.Contain(entry));
        // A corrupted field behind a valid CRC is rejected by the decoder: the sequence VAE's signature.
        var ex2 = Assert.Throws<InvalidDataException>(() => Load(FixCrc(Rewrite(good, entry, b =>
        {
            int at = IndexOf(b, "VTSEQVAE"u8.ToArray());
            Assert.That(at, Is.GreaterThan(0));
            b[at] = (byte)'X';
            return b;
        }), entry)));
        Assert.That(ex2!.Message, Does.Contain("signature").And.Contain(entry));
        // A truncated entry with a matching CRC is rejected too.
        Assert.Throws<InvalidDataException>(() => Load(FixCrc(Rewrite(good, entry, b => b[..(b.Length - 9)]), entry)));
    }

    [Test]
    public void InvalidSequenceOptionsAreNamed()
    {
        var ctx = new VaeTextContext(1);
        void Fails(Action<VaeLatentEstimator.Options> change, string name, string value)
        {
            var o = Small(VaeLatentEstimator.EncoderKind.Transformer);
            change(o);
            var ex = Assert.Throws<ArgumentOutOfRangeException>(() => ctx.Transforms.VaeLatent(o));
            Assert.That(ex!.Message, Does.Contain(name).And.Contain(value));
        }
        Fails(o => o.MaxSequenceLength = 0, "MaxSequenceLength", "0");
        Fails(o => o.EmbeddingSize = -3, "EmbeddingSize", "-3");
        Fails(o => o.AttentionHeads = 3, "AttentionHeads", "3");
        Fails(o => o.TransformerLayers = 0, "TransformerLayers", "0");
        Fails(o => o.FeedForwardSize = 0, "FeedForwardSize", "0");
        Fails(o => { o.Encoder = VaeLatentEstimator.EncoderKind.Lstm; o.SequenceHiddenSize = 0; }, "SequenceHiddenSize", "0");
        Fails(o => o.Encoder = (VaeLatentEstimator.EncoderKind)7, "Encoder", "7");
        Fails(o => { o.Encoder = VaeLatentEstimator.EncoderKind.BagOfWords; o.Decoder = VaeLatentEstimator.DecoderKind.LstmAutoregressive; }, "Decoder", "LstmAutoregressive");
        // The bag-of-words path ignores the sequence options.
        Assert.DoesNotThrow(() => ctx.Transforms.VaeLatent(new VaeLatentEstimator.Options { OutputColumnName = "L", MaxSequenceLength = 0 }));
    }

    internal static VaeText.Transforms.ITransformer Load(byte[] zip) => new VaeTextContext(2).Model.Load(new MemoryStream(zip), out _);

    internal static IEnumerable<string> Entries(byte[] zip)
    {
        using var z = new ZipArchive(new MemoryStream(zip), ZipArchiveMode.Read);
        return z.Entries.Select(e => e.FullName).ToList();
    }

    internal static byte[] Rewrite(byte[] zip, string name, Func<byte[], byte[]> change)
    {
        var output = new MemoryStream();
        using (var src = new ZipArchive(new MemoryStream(zip), ZipArchiveMode.Read))
        using (var dst = new ZipArchive(output, ZipArchiveMode.Create, leaveOpen: true))
        {
            foreach (var e in src.Entries)
            {
                var ms = new MemoryStream();
                using (var s = e.Open()) s.CopyTo(ms);
                var bytes = ms.ToArray();
                if (e.FullName == name) bytes = change(bytes);
                using var d = dst.CreateEntry(e.FullName).Open();
                d.Write(bytes);
            }
        }
        return output.ToArray();
    }

    /// <summary>Sets the manifest's size and CRC of <paramref name="name"/> to its current bytes.</summary>
    internal static byte[] FixCrc(byte[] zip, string name)
    {
        byte[] entry = [];
        using (var z = new ZipArchive(new MemoryStream(zip), ZipArchiveMode.Read))
        {
            var ms = new MemoryStream();
            using (var s = z.GetEntry(name)!.Open()) s.CopyTo(ms);
            entry = ms.ToArray();
        }
        return Rewrite(zip, "manifest.json", b =>
        {
            var doc = System.Text.Json.Nodes.JsonNode.Parse(System.Text.Encoding.UTF8.GetString(b))!;
            foreach (var e in doc["entries"]!.AsArray())
                if ((string)e!["name"]! == name) { e["size"] = entry.Length; e["crc32"] = VaeText.IO.Crc32.Compute(entry); }
            return System.Text.Encoding.UTF8.GetBytes(doc.ToJsonString());
        });
    }

    private static int IndexOf(byte[] b, byte[] pattern)
    {
        for (int i = 0; i + pattern.Length <= b.Length; i++)
            if (b.AsSpan(i, pattern.Length).SequenceEqual(pattern)) return i;
        return -1;
    }
}
