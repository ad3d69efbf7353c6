using System.IO.Compression;
using System.Text;
using System.Text.Json.Nodes;
using VaeText.Core;
using VaeText.Data;
using VaeText.IO;
using VaeText.Models;
using VaeText.Trainers;
using VaeText.Training;
using VaeText.Transforms;

namespace VaeText.Reliability;

/// <summary>
/// A small, seeded fuzzer for the readers and model loaders: random and mutated TSV files, mutated model zips
/// (byte flips, truncation, entry splicing, edited sizes, rewritten manifests with matching checksums so that
/// the decoders behind the checksums are reached). Each input runs under a time limit and an allocation limit;
/// the outcome is the documented exception type, "ok", or a crash (any other exception), a hang or a memory
/// blow-up. Used by the test suite (bounded) and by <c>VaeText.Bench fuzz</c> (long runs).
/// </summary>
internal static class Fuzzer
{
    /// <summary>What a fuzz input feeds.</summary>
    public enum Kind
    {
        /// <summary>Delimited text files through the readers, the loader and a tiny training run.</summary>
        Tsv,
        /// <summary>Model files through the model zip, TextVae and checkpoint loaders.</summary>
        Zip,
    }

    /// <summary>One input's result.</summary>
    /// <param name="Outcome">"ok", the documented exception's type name, or "CRASH …", "HANG", "MEMORY …".</param>
    /// <param name="IsFailure">True for a crash, hang or memory blow-up.</param>
    /// <param name="Detail">The exception text of a failure, the message of a documented error.</param>
    public readonly record struct Result(string Outcome, bool IsFailure, string? Detail);

    /// <summary>Limits of one input.</summary>
    public static readonly TimeSpan PerInputTimeout = TimeSpan.FromSeconds(10);
    /// <summary>Most bytes one input may allocate (inputs are at most a few hundred kilobytes).</summary>
    public const long MaxAllocatedBytes = 512L << 20;

    // ----------------------------------------------------------------------------------------------------- TSV

    private static readonly string[] Words =
        ["the", "team", "won", "match", "goal", "phone", "chip", "vote", "market", "stocks", "rain", "storm", "a", "of", "is", "é", "naïve", "東京", "データ", "😀", "x", "!!", "...", "don't", "co-op"];

    private static readonly byte[][] Specials =
        ["\t"u8.ToArray(), "\n"u8.ToArray(), "\r\n"u8.ToArray(), "\r"u8.ToArray(), "\""u8.ToArray(), "\"\""u8.ToArray(), ","u8.ToArray(), [0xEF, 0xBB, 0xBF],
         [0xC3], [0xC3, 0x28], [0xFF], [0xFE, 0xFF], [0xED, 0xA0, 0x80], [0xF4, 0x90, 0x80, 0x80], [0x00], " "u8.ToArray(), "label"u8.ToArray(), "text"u8.ToArray(),
         "NaN"u8.ToArray(), "Infinity"u8.ToArray(), "-1e40"u8.ToArray()];

    /// <summary>A random labelled TSV (header, a few rows, occasional broken structure).</summary>
    public static byte[] RandomTsv(Rng rng)
    {
        var sb = new StringBuilder();
        int roll = rng.NextInt(10);
        if (roll > 0) sb.Append(rng.NextInt(8) == 0 ? "text\tlabel" : "label\ttext").Append(rng.NextInt(6) == 0 ? "\textra" : "").Append('\n');
        int rows = rng.NextInt(30);
        string[] labels = ["sport", "tech", "news", "", " "];
        for (int r = 0; r < rows; r++)
        {
            sb.Append(labels[rng.NextInt(rng.NextInt(4) == 0 ? 5 : 3)]).Append('\t');
            int len = rng.NextInt(12);
            for (int w = 0; w < len; w++) sb.Append(w > 0 ? " " : "").Append(Words[rng.NextInt(Words.Length)]);
            if (rng.NextInt(15) == 0) sb.Append('\t').Append("more");
            if (rng.NextInt(20) == 0) sb.Append('"');
            sb.Append(rng.NextInt(10) == 0 ? "\r\n" : "\n");
        }
        return Encoding.UTF8.GetBytes(sb.ToString());
    }

    /// <summary>A byte-level mutation of <paramref name="seed"/> (flips, inserts, deletes, duplications, truncation, special tokens, splices).</summary>
    public static byte[] MutateBytes(byte[] seed, Rng rng, byte[]? other = null)
    {
        var b = new List<byte>(seed);
        int n = 1 + rng.NextInt(rng.NextInt(4) == 0 ? 16 : 4);
        for (int k = 0; k < n; k++)
        {
            int pos = b.Count == 0 ? 0 : rng.NextInt(b.Count + 1);
            switch (rng.NextInt(8))
            {
                case 0: if (b.Count > 0) { int i = Math.Min(pos, b.Count - 1); b[i] ^= (byte)(1 << rng.NextInt(8)); } break;
                case 1: if (b.Count > 0) { int i = Math.Min(pos, b.Count - 1); b[i] = (byte)rng.NextInt(256); } break;
                case 2: b.InsertRange(pos, Specials[rng.NextInt(Specials.Length)]); break;
                case 3: if (b.Count > 0) { int len = Math.Min(b.Count - Math.Min(pos, b.Count - 1), 1 + rng.NextInt(32)); b.RemoveRange(Math.Min(pos, b.Count - 1), len); } break;
                case 4: if (b.Count > 0) { int s = rng.NextInt(b.Count), len = Math.Min(b.Count - s, 1 + rng.NextInt(64)); b.InsertRange(pos, b.GetRange(s, len)); } break;
                case 5: if (b.Count > 0) b.RemoveRange(pos == b.Count ? b.Count - 1 : pos, b.Count - (pos == b.Count ? b.Count - 1 : pos)); break;
                case 6:
                    if (other is { Length: > 0 })
                    {
                        int s = rng.NextInt(other.Length), len = Math.Min(other.Length - s, 1 + rng.NextInt(256));
                        b.InsertRange(pos, other.AsSpan(s, len).ToArray());
                    }
                    break;
                default: b.InsertRange(pos, Encoding.UTF8.GetBytes(Words[rng.NextInt(Words.Length)])); break;
            }
            if (b.Count > 1 << 20) b.RemoveRange(1 << 20, b.Count - (1 << 20));
        }
        return b.ToArray();
    }

    /// <summary>Runs one TSV input through DelimitedReader, LabeledTextCorpus, TextLoader and (when it loads) a tiny VAE + SDCA fit.</summary>
    /// <param name="path">Scratch file (overwritten) with a .tsv or .csv extension.</param>
    /// <param name="bytes">The file content.</param>
    /// <param name="train">Also fit a tiny pipeline on what loads.</param>
    public static void RunTsv(string path, byte[] bytes, bool train)
    {
        File.WriteAllBytes(path, bytes);
        using (var reader = DelimitedReader.Open(path))
            foreach (var _ in reader.ReadRows()) { }
        var ctx = new VaeTextContext(1);
        var view = ctx.Data.LoadFromTextFile(path, [new TextLoader.Column("Label", DataKind.String, 0), new TextLoader.Column("Text", DataKind.String, 1)], hasHeader: true);
        using (var cur = view.GetRowCursor(view.Schema))
        {
            var g = cur.GetGetter<ReadOnlyMemory<char>>(view.Schema["Text"]);
            ReadOnlyMemory<char> v = default;
            while (cur.MoveNext()) g(ref v);
        }
        var corpus = LabeledTextCorpus.Load(path);
        if (!train) return;
        var data = ctx.Data.LoadFromEnumerable(corpus.Texts.Select((t, i) => new LabeledText { Label = corpus.Labels[i], Text = t }).ToArray());
        var pipe = ctx.Transforms.Conversion.MapValueToKey("Key", "Label")
            .Append(ctx.Transforms.VaeLatent(new VaeLatentEstimator.Options { InputColumnName = "Text", OutputColumnName = "Features", LatentSize = 2, EncoderHiddenSizes = [4], Epochs = 1, BatchSize = 8 }))
            .Append(ctx.Transforms.NormalizeMeanVariance("Features"))
            .Append(ctx.MulticlassClassification.Trainers.SdcaMaximumEntropy("Key", "Features"));
        var model = pipe.Fit(data);
        var scored = model.Transform(data);
        using var c2 = scored.GetRowCursor(scored.Schema);
        while (c2.MoveNext()) { }
    }

    /// <summary>Row type of <see cref="RunTsv"/>'s pipeline.</summary>
    internal sealed class LabeledText
    {
        /// <summary>Label.</summary>
        public string Label { get; set; } = "";
        /// <summary>Text.</summary>
        public string Text { get; set; } = "";
    }

    /// <summary>Exceptions a bad TSV may raise (documented on the readers, the loader and the estimators).</summary>
    public static bool IsDocumentedTsvError(Exception e) =>
        e is DataFormatException
        // Fit on data that loads but cannot train (no vocabulary, a single class, no usable rows): documented on Fit,
        // and thrown by VaeText itself (an ArgumentOutOfRangeException from a collection would be a bug).
        || (e is InvalidOperationException or ArgumentException && e is not ArgumentNullException
            && e.TargetSite?.DeclaringType?.Namespace?.StartsWith("VaeText", StringComparison.Ordinal) == true);

    // ----------------------------------------------------------------------------------------------------- ZIP

    /// <summary>Valid model files to start from: a pipeline zip (VAE + n-grams + SDCA), a FastTree zip, a TextVae file and a checkpoint.</summary>
    public static List<(string Name, byte[] Bytes)> ModelSeeds()
    {
        var ctx = new VaeTextContext(3);
        var rows = new List<LabeledText>();
        string[] a = ["the team won the match", "a late goal in the match", "the coach and the team"], b = ["the phone has a new chip", "stocks of the chip maker", "a faster phone"];
        for (int i = 0; i < 24; i++) rows.Add(new LabeledText { Label = i % 2 == 0 ? "sport" : "tech", Text = (i % 2 == 0 ? a : b)[i % 3] + " " + i });
        var data = ctx.Data.LoadFromEnumerable(rows.ToArray());
        var seeds = new List<(string, byte[])>();
        var vae = ctx.Transforms.Conversion.MapValueToKey("Key", "Label")
            .Append(ctx.Transforms.VaeLatent(new VaeLatentEstimator.Options { InputColumnName = "Text", OutputColumnName = "Latent", LatentSize = 2, EncoderHiddenSizes = [4], Epochs = 1, BatchSize = 8 }))
            .Append(ctx.Transforms.Text.FeaturizeText("Ngrams", "Text"))
            .Append(ctx.Transforms.Concatenate("Features", "Latent", "Ngrams"))
            .Append(ctx.Transforms.NormalizeMinMax("Features"))
            .Append(ctx.MulticlassClassification.Trainers.SdcaMaximumEntropy("Key", "Features"))
            .Append(ctx.Transforms.Conversion.MapKeyToValue("PredictedLabel"));
        seeds.Add(("pipeline-vae-sdca", SaveZip(ctx, vae.Fit(data), data)));
        var seq = ctx.Transforms.VaeLatent(new VaeLatentEstimator.Options
        {
            InputColumnName = "Text", OutputColumnName = "Latent", Encoder = VaeLatentEstimator.EncoderKind.Lstm, Decoder = VaeLatentEstimator.DecoderKind.LstmAutoregressive,
            LatentSize = 2, EmbeddingSize = 4, SequenceHiddenSize = 4, DecoderHiddenSize = 4, MaxSequenceLength = 8, Epochs = 1, BatchSize = 8,
        });
        seeds.Add(("pipeline-lstm-vae", SaveZip(ctx, seq.Fit(data), data)));
        var tree = ctx.Transforms.Conversion.MapValueToKey("Key", "Label")
            .Append(ctx.Transforms.Text.FeaturizeText("Features", "Text"))
            .Append(ctx.MulticlassClassification.Trainers.FastTree("Key", "Features", numberOfLeaves: 4, numberOfTrees: 3, minimumExampleCountPerLeaf: 2));
        seeds.Add(("pipeline-fasttree", SaveZip(ctx, tree.Fit(data), data)));
        var tv = TextVae.Train(rows.Select(r => r.Text).ToList(), new TextVaeOptions
        {
            Model = new BowVaeOptions { LatentSize = 2, EncoderHiddenSizes = [4] },
            Training = new VaeTrainingOptions { Epochs = 1, BatchSize = 8, MaxThreads = 1 },
        });
        var ms = new MemoryStream();
        tv.Save(ms);
        seeds.Add(("textvae", ms.ToArray()));
        var dir = Path.Combine(Path.GetTempPath(), "vt_fuzz_ck_" + Guid.NewGuid().ToString("N"));
        try
        {
            var counts = tv.Featurize(rows.Select(r => r.Text).ToList(), 1);
            var m = new BowVae(new BowVaeOptions { VocabularySize = counts.Columns, LatentSize = 2, EncoderHiddenSizes = [4] }, counts);
            new VaeTrainer(new VaeTrainingOptions { Epochs = 1, BatchSize = 8, MaxThreads = 1, CheckpointDirectory = dir }).Train(m, counts);
            seeds.Add(("checkpoint", File.ReadAllBytes(TrainingCheckpoint.PathIn(dir))));
        }
        finally { if (Directory.Exists(dir)) Directory.Delete(dir, true); }
        return seeds;
    }

    /// <summary>A small data view the loaded pipelines are run on.</summary>
    public static IDataView ProbeData(VaeTextContext ctx) =>
        ctx.Data.LoadFromEnumerable(new[] { new LabeledText { Label = "sport", Text = "the team won" }, new LabeledText { Label = "tech", Text = "" } });

    private static byte[] SaveZip(VaeTextContext ctx, ITransformer model, IDataView data)
    {
        var ms = new MemoryStream();
        ctx.Model.Save(model, data.Schema, ms);
        return ms.ToArray();
    }

    /// <summary>
    /// A mutation of a model file. For zips, half the mutations work on entries (flip bytes inside one, truncate
    /// it, splice two, rename one, duplicate one, edit manifest sizes or versions) and then rewrite the manifest's
    /// sizes and CRCs to match, so that the loaders behind the checksums see the damage.
    /// </summary>
    public static byte[] MutateModel(byte[] seed, Rng rng)
    {
        bool isZip = seed.Length > 4 && seed[0] == 'P' && seed[1] == 'K';
        if (!isZip && seed.Length > 28 && rng.NextInt(2) == 0) return MutatePayloadKeepChecksum(seed, rng);
        if (!isZip || rng.NextInt(2) == 0) return MutateBytes(seed, rng);
        var entries = new List<(string Name, byte[] Bytes)>();
        using (var z = new ZipArchive(new MemoryStream(seed), ZipArchiveMode.Read))
            foreach (var e in z.Entries)
            {
                using var s = e.Open();
                var ms = new MemoryStream();
                s.CopyTo(ms);
                entries.Add((e.FullName, ms.ToArray()));
            }
        int pick = 1 + rng.NextInt(entries.Count - 1); // a non-manifest entry
        var (name, bytes) = entries[pick];
        bool fixManifest = rng.NextInt(4) != 0;
        switch (rng.NextInt(9))
        {
            case 0: case 1: case 2: entries[pick] = (name, MutateBytes(bytes, rng)); break;
            case 3: entries[pick] = (name, bytes[..rng.NextInt(bytes.Length + 1)]); break;
            case 4:
                {
                    var (_, other) = entries[1 + rng.NextInt(entries.Count - 1)];
                    int cut = rng.NextInt(bytes.Length + 1), from = rng.NextInt(other.Length + 1);
                    entries[pick] = (name, [.. bytes.AsSpan(0, cut), .. other.AsSpan(from)]);
                    break;
                }
            case 5: entries[pick] = (rng.NextInt(2) == 0 ? "../" + name : name + "x", bytes); fixManifest = false; break;
            case 6: entries.Add((name, bytes)); fixManifest = false; break;
            case 7: entries[pick] = (name, OverwriteInt32(bytes, rng)); break;
            default: entries[0] = (entries[0].Name, EditManifest(entries[0].Bytes, rng)); fixManifest = false; break;
        }
        if (fixManifest) entries[0] = (entries[0].Name, FixManifest(entries[0].Bytes, entries));
        var o = new MemoryStream();
        using (var z = new ZipArchive(o, ZipArchiveMode.Create, leaveOpen: true))
            foreach (var (n, b) in entries)
            {
                using var s = z.CreateEntry(n, CompressionLevel.Fastest).Open();
                s.Write(b);
            }
        return o.ToArray();
    }

    /// <summary>
    /// TextVae files and checkpoints share a 28-byte header (8-byte signature, two int32 versions, int64 payload
    /// length, CRC-32). Mutates the payload and rewrites the length and the CRC so that the payload decoder sees it.
    /// </summary>
    private static byte[] MutatePayloadKeepChecksum(byte[] seed, Rng rng)
    {
        var payload = rng.NextInt(2) == 0 ? MutateBytes(seed[28..], rng) : OverwriteInt32(seed[28..], rng);
        var head = seed[..28];
        BitConverter.TryWriteBytes(head.AsSpan(16), (long)payload.Length);
        bool textVae = seed[0] == 'V' && seed[1] == 'A';
        uint crc = textVae ? IO.Crc32.Append(IO.Crc32.Compute(head.AsSpan(8, 16)), payload) : IO.Crc32.Compute(payload);
        BitConverter.TryWriteBytes(head.AsSpan(24), crc);
        return [.. head, .. payload];
    }

    /// <summary>Writes a random or extreme int32 over 4 bytes at a random place (a count, a size, a version).</summary>
    private static byte[] OverwriteInt32(byte[] b, Rng rng)
    {
        if (b.Length < 4) return b;
        var c = (byte[])b.Clone();
        int[] extremes = [0, -1, 1, int.MaxValue, int.MinValue, 1 << 30, 1 << 20, 65536, 2, 7];
        int v = rng.NextInt(3) == 0 ? (int)rng.NextUInt64() : extremes[rng.NextInt(extremes.Length)];
        BitConverter.TryWriteBytes(c.AsSpan(rng.NextInt(c.Length - 3)), v);
        return c;
    }

    private static byte[] EditManifest(byte[] manifest, Rng rng)
    {
        JsonNode? doc;
        try { doc = JsonNode.Parse(manifest); } catch (System.Text.Json.JsonException) { return manifest; }
        if (doc is not JsonObject root) return manifest;
        long[] values = [1L << 40, -1, 0, int.MaxValue, 2, 99];
        switch (rng.NextInt(4))
        {
            case 0: root["version"] = values[rng.NextInt(values.Length)]; break;
            case 1: root["minReadableVersion"] = values[rng.NextInt(values.Length)]; break;
            case 2:
                if (root["entries"] is JsonArray arr && arr.Count > 0 && arr[rng.NextInt(arr.Count)] is JsonObject e) e["size"] = values[rng.NextInt(values.Length)];
                break;
            default:
                if (root["entries"] is JsonArray arr2 && arr2.Count > 1) arr2.RemoveAt(rng.NextInt(arr2.Count));
                break;
        }
        return Encoding.UTF8.GetBytes(root.ToJsonString());
    }

    private static byte[] FixManifest(byte[] manifest, List<(string Name, byte[] Bytes)> entries)
    {
        JsonNode? doc;
        try { doc = JsonNode.Parse(manifest); } catch (System.Text.Json.JsonException) { return manifest; }
        if (doc?["entries"] is not JsonArray arr) return manifest;
        foreach (var node in arr)
        {
            if (node is not JsonObject e || e["name"]?.GetValue<string>() is not { } n) continue;
            var hit = entries.FindLast(x => x.Name == n);
            if (hit.Bytes is null) continue;
            e["size"] = hit.Bytes.Length;
            e["crc32"] = Crc32.Compute(hit.Bytes);
        }
        return Encoding.UTF8.GetBytes(doc.ToJsonString());
    }

    /// <summary>Runs one model file through every loader that could be handed it; a loaded pipeline is also run.</summary>
    public static void RunModel(byte[] bytes)
    {
        bool isZip = bytes.Length > 1 && bytes[0] == 'P' && bytes[1] == 'K';
        if (isZip || bytes.Length < 8)
        {
            var ctx = new VaeTextContext(1);
            var model = ctx.Model.Load(new MemoryStream(bytes, writable: false), out var schema);
            // A file that still loads (the damage was outside the checked data) must also run.
            var probe = ProbeData(ctx);
            if (schema.All(c => probe.Schema.GetColumnOrNull(c.Name) is { } p && p.Type.Equals(c.Type)))
            {
                var output = model.Transform(probe);
                using var cur = output.GetRowCursor(output.Schema);
                var getters = output.Schema.Select(c => DataDebuggerPreview.MakeBoxedGetter(cur, c)).ToArray();
                while (cur.MoveNext()) foreach (var g in getters) g();
            }
            return;
        }
        if (bytes[0] == 'V' && bytes[1] == 'A') { TextVae.Load(new MemoryStream(bytes, writable: false)).Encode(["the team won", ""], 1); return; }
        TrainingCheckpoint.Load(new MemoryStream(bytes, writable: false));
    }

    /// <summary>Exceptions a bad model file may raise: <see cref="InvalidDataException"/> (documented on every loader).</summary>
    public static bool IsDocumentedModelError(Exception e) => e is InvalidDataException;

    // ----------------------------------------------------------------------------------------------------- run

    /// <summary>Runs <paramref name="action"/> on a worker with the time and allocation limits and classifies the outcome.</summary>
    public static Result RunOne(Action action, Func<Exception, bool> documented, TimeSpan? timeout = null)
    {
        long allocated = 0;
        Exception? error = null;
        var task = Task.Factory.StartNew(() =>
        {
            long before = GC.GetAllocatedBytesForCurrentThread();
            try { action(); }
            catch (Exception e) { error = e; }
            allocated = GC.GetAllocatedBytesForCurrentThread() - before;
        }, CancellationToken.None, TaskCreationOptions.LongRunning, TaskScheduler.Default);
        if (!task.Wait(timeout ?? PerInputTimeout)) return new Result("HANG", true, $"no result within {(timeout ?? PerInputTimeout).TotalSeconds} s");
        if (allocated > MaxAllocatedBytes) return new Result("MEMORY", true, $"allocated {allocated >> 20} MiB ({error?.GetType().Name ?? "ok"})");
        if (error is null) return new Result("ok", false, null);
        if (error is AggregateException { InnerExceptions.Count: 1 } agg) error = agg.InnerExceptions[0];
        if (documented(error)) return new Result(error.GetType().Name, false, error.Message);
        return new Result("CRASH " + error.GetType().Name, true, error.ToString());
    }
}
