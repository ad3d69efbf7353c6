using System.IO.Compression;
using System.Text;
using Microsoft.ML;
using Microsoft.ML.Data;
using VaeText.Core;
using VaeText.Experiments;
using VaeText.MLNet;
using VaeText.Models;
using VaeText.Pipelines;
using VaeText.Training;

namespace VaeText.Reliability;

/// <summary>
/// A small, seeded fuzzer for the data-file check, ML.NET's loaders and the model loaders: random and mutated TSV
/// files (through <see cref="DelimitedTextFile"/>, ML.NET's TextLoader and a tiny VAE + SDCA fit), mutated ML.NET
/// model zips (byte flips, truncated, spliced, renamed, duplicated and dropped entries; through <see cref="ModelFile"/>
/// and a prediction), and TextVae files and checkpoints with payloads mutated behind matching checksums. Each input runs under a time limit and an allocation limit;
/// the outcome is the documented exception type, "ok", or a crash (any other exception), a hang or a memory
/// blow-up. Used by the test suite (bounded) and by <c>VaeText.Bench fuzz</c> (long runs).
/// </summary>
internal static class Fuzzer
{
    /// <summary>What a fuzz input feeds.</summary>
    public enum Kind
    {
        /// <summary>Delimited text files through the check, ML.NET's loader and a tiny training run.</summary>
        Tsv,
        /// <summary>Model files through the ML.NET model, TextVae and checkpoint loaders.</summary>
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

    /// <summary>
    /// Runs one TSV input through <see cref="DelimitedTextFile"/> (the check <c>vaetext</c> makes), ML.NET's
    /// TextLoader and, when it loads, a tiny VAE ⊕ n-grams + SDCA fit and prediction (as <c>vaetext train</c> builds it).
    /// </summary>
    /// <param name="path">Scratch file (overwritten) with a .tsv or .csv extension.</param>
    /// <param name="bytes">The file content.</param>
    /// <param name="train">Also fit a tiny pipeline on what loads.</param>
    public static void RunTsv(string path, byte[] bytes, bool train)
    {
        File.WriteAllBytes(path, bytes);
        var file = DelimitedTextFile.Open(path);
        var ml = new MLContext(1);
        int li = file.ColumnIndex("label", "--label-col"), ti = file.ColumnIndex("text", "--text-col");
        if (li == ti) throw new InvalidDataException("label and text are the same column");
        var view = file.Load(ml, ("label", li), ("text", ti));
        var labels = view.GetColumn<string>("label").ToList();
        _ = view.GetColumn<string>("text").Count();
        if (!train) return;
        if (labels.Any(string.IsNullOrEmpty)) throw new InvalidDataException("an empty label");
        var classes = labels.Distinct(StringComparer.Ordinal).OrderBy(c => c, StringComparer.Ordinal).ToArray();
        if (classes.Length < 2) throw new InvalidDataException("fewer than two classes");
        var labelled = TextClassifierPipeline.LabelMapping(ml, "label", classes, binary: false).Fit(view).Transform(view);
        var vae = ml.Transforms.VaeLatent(TextClassifierPipeline.LatentColumn,
            new VaeLatentEstimator.Options { LatentSize = 2, EncoderHiddenSizes = [4], Epochs = 1, BatchSize = 8, MaxThreads = 1 }, "text");
        using var model = (TransformerChain<ITransformer>)TextClassifierPipeline.Build(ml, FeaturizerKind.Both, TrainerKind.Sdca, "text", vae, classes, file.Rows).Fit(labelled);
        var scored = model.Transform(view);
        _ = scored.GetColumn<float[]>("Score").Count();
    }

    /// <summary>Row type of the seed models' training data and of the probe data.</summary>
    internal sealed class LabeledText
    {
        /// <summary>Label.</summary>
        public string label { get; set; } = "";
        /// <summary>Text.</summary>
        public string text { get; set; } = "";
    }

    /// <summary>
    /// Exceptions a bad TSV may raise: <see cref="InvalidDataException"/> from the check, and the errors VaeText's
    /// own Fit documents for data that loads but cannot train (an empty vocabulary…); an exception thrown by anything
    /// else (ML.NET, a collection) is a crash.
    /// </summary>
    public static bool IsDocumentedTsvError(Exception e) =>
        e is InvalidDataException
        || (e is InvalidOperationException or ArgumentException && e is not ArgumentNullException
            && e.TargetSite?.DeclaringType?.Namespace?.StartsWith("VaeText", StringComparison.Ordinal) == true);

    // ----------------------------------------------------------------------------------------------------- ZIP

    /// <summary>
    /// Valid model files to start from: ML.NET zips (VAE ⊕ n-grams + SDCA, an LSTM VAE with the LSTM decoder, n-grams +
    /// FastTree binary), a TextVae file and a checkpoint.
    /// </summary>
    public static List<(string Name, byte[] Bytes)> ModelSeeds()
    {
        var ml = new MLContext(3);
        var rows = new List<LabeledText>();
        string[] a = ["the team won the match", "a late goal in the match", "the coach and the team"], b = ["the phone has a new chip", "stocks of the chip maker", "a faster phone"];
        for (int i = 0; i < 24; i++) rows.Add(new LabeledText { label = i % 2 == 0 ? "sport" : "tech", text = (i % 2 == 0 ? a : b)[i % 3] + " " + i });
        var data = ml.Data.LoadFromEnumerable(rows);
        string[] classes = ["sport", "tech"];
        var seeds = new List<(string, byte[])>();
        foreach (var (name, trainer) in new[] { ("pipeline-vae-sdca", TrainerKind.Sdca), ("pipeline-ngrams-fasttree", TrainerKind.FastTree) })
        {
            bool binary = TextClassifierPipeline.IsBinary(trainer, 2);
            var labelled = TextClassifierPipeline.LabelMapping(ml, "label", classes, binary).Fit(data).Transform(data);
            var vae = trainer == TrainerKind.Sdca
                ? ml.Transforms.VaeLatent(TextClassifierPipeline.LatentColumn, new VaeLatentEstimator.Options { LatentSize = 2, EncoderHiddenSizes = [4], Epochs = 1, BatchSize = 8, MaxThreads = 1 }, "text")
                : null;
            using var model = (TransformerChain<ITransformer>)TextClassifierPipeline.Build(ml, vae is null ? FeaturizerKind.Ngrams : FeaturizerKind.Both, trainer, "text", vae, classes, rows.Count).Fit(labelled);
            seeds.Add((name, SaveZip(ml, model, data)));
        }
        using (var seq = ml.Transforms.VaeLatent("Latent", new VaeLatentEstimator.Options
        {
            Encoder = VaeLatentEstimator.EncoderKind.Lstm, Decoder = VaeLatentEstimator.DecoderKind.LstmAutoregressive,
            LatentSize = 2, EmbeddingSize = 4, SequenceHiddenSize = 4, DecoderHiddenSize = 4, MaxSequenceLength = 8, Epochs = 1, BatchSize = 8, MaxThreads = 1,
        }, "text").Fit(data))
            seeds.Add(("pipeline-lstm-vae", SaveZip(ml, seq, data)));
        var tv = TextVae.Train(rows.Select(r => r.text).ToList(), new TextVaeOptions
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
            var counts = tv.Featurize(rows.Select(r => r.text).ToList(), 1);
            var m = new BowVae(new BowVaeOptions { VocabularySize = counts.Columns, LatentSize = 2, EncoderHiddenSizes = [4] }, counts);
            new VaeTrainer(new VaeTrainingOptions { Epochs = 1, BatchSize = 8, MaxThreads = 1, CheckpointDirectory = dir }).Train(m, counts);
            seeds.Add(("checkpoint", File.ReadAllBytes(TrainingCheckpoint.PathIn(dir))));
        }
        finally { if (Directory.Exists(dir)) Directory.Delete(dir, true); }
        return seeds;
    }

    /// <summary>A small data view the loaded models are run on.</summary>
    public static IDataView ProbeData(MLContext ml) =>
        ml.Data.LoadFromEnumerable(new[] { new LabeledText { label = "sport", text = "the team won" }, new LabeledText { label = "tech", text = "" } });

    private static byte[] SaveZip(MLContext ml, ITransformer model, IDataView data)
    {
        var ms = new MemoryStream();
        ml.Model.Save(model, data.Schema, ms);
        return ms.ToArray();
    }

    /// <summary>
    /// A mutation of a model file. For zips, half the mutations work on entries (flip bytes inside one, truncate it,
    /// splice two, rename, duplicate or drop one, overwrite an int32 — a count, a size, a version) and rewrite the
    /// zip, so that the zip's own checksums match and ML.NET's readers see the damage.
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
        int pick = rng.NextInt(entries.Count);
        var (name, bytes) = entries[pick];
        switch (rng.NextInt(9))
        {
            case 0: case 1: case 2: entries[pick] = (name, MutateBytes(bytes, rng)); break;
            case 3: entries[pick] = (name, bytes[..rng.NextInt(bytes.Length + 1)]); break;
            case 4:
                {
                    var (_, other) = entries[rng.NextInt(entries.Count)];
                    int cut = rng.NextInt(bytes.Length + 1), from = rng.NextInt(other.Length + 1);
                    entries[pick] = (name, [.. bytes.AsSpan(0, cut), .. other.AsSpan(from)]);
                    break;
                }
            case 5: entries[pick] = (rng.NextInt(2) == 0 ? "../" + name : name + "x", bytes); break;
            case 6: entries.Add((name, bytes)); break;
            case 7: entries[pick] = (name, OverwriteInt32(bytes, rng)); break;
            default: entries.RemoveAt(pick); break;
        }
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

    /// <summary>Runs one model file through every loader that could be handed it; a loaded ML.NET model is also run.</summary>
    public static void RunModel(byte[] bytes)
    {
        bool isZip = bytes.Length > 1 && bytes[0] == 'P' && bytes[1] == 'K';
        if (isZip || bytes.Length < 8)
        {
            var ml = new MLContext(1);
            var (model, schema) = ModelFile.Load(ml, new MemoryStream(bytes, writable: false), "fuzz.zip");
            try
            {
                // A file that still loads (the damage was outside what ML.NET reads) must also run.
                var probe = ProbeData(ml);
                if (schema.All(c => probe.Schema.GetColumnOrNull(c.Name) is { } p && p.Type.Equals(c.Type)))
                {
                    var output = model.Transform(probe);
                    using var cur = output.GetRowCursor(output.Schema);
                    var getters = output.Schema.Select(c => MakeGetter(cur, c)).ToArray();
                    while (cur.MoveNext()) foreach (var g in getters) g();
                }
            }
            finally { (model as IDisposable)?.Dispose(); }
            return;
        }
        if (bytes[0] == 'V' && bytes[1] == 'A') { TextVae.Load(new MemoryStream(bytes, writable: false)).Encode(["the team won", ""], 1); return; }
        TrainingCheckpoint.Load(new MemoryStream(bytes, writable: false));
    }

    /// <summary>Reads a column's value of the current row, whatever its type.</summary>
    private static Action MakeGetter(DataViewRowCursor cursor, DataViewSchema.Column column)
    {
        var method = typeof(Fuzzer).GetMethod(nameof(MakeTypedGetter), System.Reflection.BindingFlags.NonPublic | System.Reflection.BindingFlags.Static)!;
        var raw = column.Type.RawType;
        return (Action)method.MakeGenericMethod(raw).Invoke(null, [cursor, column])!;
    }

    private static Action MakeTypedGetter<T>(DataViewRowCursor cursor, DataViewSchema.Column column)
    {
        var getter = cursor.GetGetter<T>(column);
        T value = default!;
        return () => getter(ref value);
    }

    /// <summary>
    /// Exceptions a bad model file may raise: <see cref="InvalidDataException"/> (documented on <see cref="ModelFile"/>,
    /// <c>TextVae.Load</c> and the checkpoint reader).
    /// </summary>
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
