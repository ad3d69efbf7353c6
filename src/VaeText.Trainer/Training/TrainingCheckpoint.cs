using System.Text;
using VaeText.Models;
using VaeText.Optim;

namespace VaeText.Training;

/// <summary>
/// The full state of an interrupted <see cref="VaeTrainer"/> run: parameters, Adam moments and step, both RNG
/// states, the position (epoch, batch, shuffled order), the running sums of the epoch, annealing position (the
/// step), early-stopping state and the epoch reports so far. Resuming from it continues the run bit for bit.
/// A fingerprint of the configuration, the data and the initial parameters guards against resuming a different run.
/// </summary>
internal sealed class TrainingCheckpoint
{
    // ---------------------------------------------------------------------------------------------------------
    // File layout (little-endian), version 1:
    //   8 bytes "VTCKPT01"; int32 version; int32 oldest readable version; int64 payload length P;
    //   uint32 CRC-32 of the P payload bytes; payload:
    //     uint64 fingerprint; string description (what the fingerprint covers, for messages)
    //     int32 epoch (1-based epoch to run or continue); int32 next batch within it; int64 step; bool stopped early
    //     bool has order; [int32 n; n × int32 shuffled order]
    //     float64 sumRecon, sumKl, sumTokens, beta; int32 documents
    //     6 × uint64 shuffle RNG; 6 × uint64 noise RNG
    //     float64 best ELBO; int32 best epoch; int32 epochs since best; bool has best; [floats best parameters]
    //     float64 learning rate; int64 Adam step; floats m; floats v; floats parameters
    //     int32 report count; per report 14 fields (see WriteReport; active units −1 = none); int32 divergence retries used
    //   nothing after the payload.
    // ---------------------------------------------------------------------------------------------------------

    /// <summary>The file name inside the checkpoint folder.</summary>
    public const string FileName = "vae-checkpoint.bin";
    private static readonly byte[] Magic = "VTCKPT01"u8.ToArray();
    private const int Version = 1;
    private const long MaxPayloadBytes = int.MaxValue;

    public ulong Fingerprint { get; init; }
    public string Description { get; init; } = "";
    public int Epoch { get; init; }
    public int NextBatch { get; init; }
    public long Step { get; init; }
    public bool StoppedEarly { get; init; }
    public int[]? Order { get; init; }
    public double SumRecon { get; init; }
    public double SumKl { get; init; }
    public double SumTokens { get; init; }
    public double Beta { get; init; }
    public int Documents { get; init; }
    public ulong[] ShuffleRng { get; init; } = [];
    public ulong[] NoiseRng { get; init; } = [];
    public double BestElbo { get; init; }
    public int BestEpoch { get; init; }
    public int SinceBest { get; init; }
    public float[]? Best { get; init; }
    public double LearningRate { get; init; }
    public AdamState Adam { get; init; } = new(0, [], []);
    public float[] Parameters { get; init; } = [];
    public IReadOnlyList<VaeEpochReport> Reports { get; init; } = [];
    public int DivergenceRetriesUsed { get; init; }

    /// <summary>
    /// Test hook: called (on the training thread) after each checkpoint is in place. Async-local, so only the
    /// flow that set it (e.g. one test's CLI run) sees it.
    /// </summary>
    internal static readonly AsyncLocal<Action<string>?> AfterSaveForTests = new();

    /// <summary>Full path of the checkpoint file in <paramref name="directory"/>.</summary>
    public static string PathIn(string directory) => Path.Combine(Path.GetFullPath(directory), FileName);

    /// <summary>Writes atomically: a temporary file in the same folder, flushed to disk, then renamed over the old one.</summary>
    public void Save(string directory)
    {
        Directory.CreateDirectory(directory);
        string path = PathIn(directory);
        string tmp = Path.Combine(Path.GetDirectoryName(path)!, $".{FileName}.{Environment.ProcessId}.{Guid.NewGuid():N}.tmp");
        var payload = new MemoryStream();
        using (var w = new BinaryWriter(payload, Encoding.UTF8, leaveOpen: true)) WritePayload(w);
        var data = payload.GetBuffer().AsSpan(0, (int)payload.Length);
        try
        {
            using (var fs = new FileStream(tmp, FileMode.CreateNew, FileAccess.Write, FileShare.None))
            {
                using (var w = new BinaryWriter(fs, Encoding.UTF8, leaveOpen: true))
                {
                    w.Write(Magic); w.Write(Version); w.Write(1); w.Write((long)data.Length); w.Write(IO.Crc32.Compute(data)); w.Write(data);
                }
                fs.Flush(flushToDisk: true);
            }
            File.Move(tmp, path, overwrite: true);
            AfterSaveForTests.Value?.Invoke(path);
        }
        finally
        {
            if (File.Exists(tmp)) File.Delete(tmp);
        }
    }

    private void WritePayload(BinaryWriter w)
    {
        w.Write(Fingerprint); w.Write(Description);
        w.Write(Epoch); w.Write(NextBatch); w.Write(Step); w.Write(StoppedEarly);
        w.Write(Order is not null);
        if (Order is not null) { w.Write(Order.Length); foreach (int i in Order) w.Write(i); }
        w.Write(SumRecon); w.Write(SumKl); w.Write(SumTokens); w.Write(Beta); w.Write(Documents);
        foreach (var s in ShuffleRng) w.Write(s);
        foreach (var s in NoiseRng) w.Write(s);
        w.Write(BestElbo); w.Write(BestEpoch); w.Write(SinceBest);
        w.Write(Best is not null);
        if (Best is not null) WriteFloats(w, Best);
        w.Write(LearningRate); w.Write(Adam.StepCount); WriteFloats(w, Adam.FirstMoment); WriteFloats(w, Adam.SecondMoment);
        WriteFloats(w, Parameters);
        w.Write(Reports.Count);
        foreach (var r in Reports) WriteReport(w, r);
        w.Write(DivergenceRetriesUsed);
    }

    private static void WriteFloats(BinaryWriter w, float[] a)
    {
        w.Write(a.Length);
        var bytes = new byte[a.Length * sizeof(float)];
        Buffer.BlockCopy(a, 0, bytes, 0, bytes.Length);
        w.Write(bytes);
    }

    private static void WriteReport(BinaryWriter w, VaeEpochReport r)
    {
        w.Write(r.Epoch); w.Write(r.Steps); w.Write(r.Documents); w.Write(r.Reconstruction); w.Write(r.Kl); w.Write(r.Elbo);
        w.Write(r.Perplexity); w.Write(r.Beta); w.Write(r.Seconds);
        WriteOpt(w, r.ValidationReconstruction); WriteOpt(w, r.ValidationKl); WriteOpt(w, r.ValidationElbo); WriteOpt(w, r.ValidationPerplexity);
        w.Write(r.ActiveUnits ?? -1);
    }

    private static void WriteOpt(BinaryWriter w, double? v) { w.Write(v.HasValue); w.Write(v ?? 0); }

    /// <summary>Reads the checkpoint of <paramref name="directory"/>.</summary>
    /// <exception cref="FileNotFoundException">The folder holds no checkpoint.</exception>
    /// <exception cref="InvalidDataException">The file is truncated, corrupt or from a newer version (the message names the file).</exception>
    public static TrainingCheckpoint Load(string directory)
    {
        string path = PathIn(directory);
        if (!File.Exists(path))
            throw new FileNotFoundException($"cannot resume: no checkpoint '{FileName}' in '{directory}' (train with a checkpoint folder first)", path);
        using var fs = File.OpenRead(path);
        try { return Load(fs); }
        catch (InvalidDataException e) { throw new InvalidDataException($"checkpoint '{path}': {e.Message}", e); }
    }

    internal static TrainingCheckpoint Load(Stream stream)
    {
        using var r = new BinaryReader(stream, Encoding.UTF8, leaveOpen: true);
        byte[] payload;
        try
        {
            var magic = r.ReadBytes(Magic.Length);
            if (!magic.AsSpan().SequenceEqual(Magic)) throw new InvalidDataException("not a VaeText training checkpoint (signature 'VTCKPT01' missing)");
            int version = r.ReadInt32(), minReadable = r.ReadInt32();
            if (version < 1 || minReadable < 1 || minReadable > version) throw new InvalidDataException($"corrupt header: version {version}/{minReadable}");
            if (minReadable > Version) throw new InvalidDataException($"written by a newer VaeText (checkpoint version {version}, this library reads {Version})");
            long length = r.ReadInt64();
            uint crc = r.ReadUInt32();
            if (length <= 0 || length > MaxPayloadBytes) throw new InvalidDataException($"corrupt header: payload length {length}");
            if (stream.CanSeek && length != stream.Length - stream.Position)
                throw new InvalidDataException($"truncated or padded: the header declares {length} payload bytes, {stream.Length - stream.Position} follow");
            payload = r.ReadBytes((int)length);
            if (payload.Length != length) throw new InvalidDataException("truncated payload");
            if (IO.Crc32.Compute(payload) != crc) throw new InvalidDataException("corrupt: the CRC-32 of the payload does not match");
        }
        catch (EndOfStreamException e) { throw new InvalidDataException("truncated header", e); }
        try { return ReadPayload(payload); }
        catch (Exception e) when (e is EndOfStreamException or ArgumentException or DecoderFallbackException or OverflowException or FormatException)
        { throw new InvalidDataException($"corrupt payload: {e.Message}", e); }
    }

    private static TrainingCheckpoint ReadPayload(byte[] payload)
    {
        var ms = new MemoryStream(payload, writable: false);
        using var r = new BinaryReader(ms, new UTF8Encoding(false, true));
        long Left() => ms.Length - ms.Position;
        int Count(int itemBytes, string what)
        {
            int n = r.ReadInt32();
            if (n < 0 || (long)n * itemBytes > Left()) throw new InvalidDataException($"{what}: count {n} exceeds the bytes left");
            return n;
        }
        float[] Floats(string what)
        {
            int n = Count(4, what);
            var a = new float[n];
            Buffer.BlockCopy(r.ReadBytes(n * 4), 0, a, 0, n * 4);
            return a;
        }
        ulong[] RngState() => [r.ReadUInt64(), r.ReadUInt64(), r.ReadUInt64(), r.ReadUInt64(), r.ReadUInt64(), r.ReadUInt64()];
        ulong fp = r.ReadUInt64();
        string description = r.ReadString();
        int epoch = r.ReadInt32(), nextBatch = r.ReadInt32();
        long step = r.ReadInt64();
        bool early = r.ReadBoolean();
        int[]? order = null;
        if (r.ReadBoolean())
        {
            int n = Count(4, "order");
            order = new int[n];
            for (int i = 0; i < n; i++) order[i] = r.ReadInt32();
        }
        double sRecon = r.ReadDouble(), sKl = r.ReadDouble(), sTok = r.ReadDouble(), beta = r.ReadDouble();
        int docs = r.ReadInt32();
        var shuffle = RngState();
        var noise = RngState();
        double bestElbo = r.ReadDouble();
        int bestEpoch = r.ReadInt32(), sinceBest = r.ReadInt32();
        float[]? best = r.ReadBoolean() ? Floats("best parameters") : null;
        double lr = r.ReadDouble();
        long adamStep = r.ReadInt64();
        var m = Floats("Adam first moment");
        var v = Floats("Adam second moment");
        var p = Floats("parameters");
        int nr = Count(13, "epoch reports");
        var reports = new List<VaeEpochReport>(nr);
        for (int i = 0; i < nr; i++)
        {
            reports.Add(new VaeEpochReport(r.ReadInt32(), r.ReadInt64(), r.ReadInt32(), r.ReadDouble(), r.ReadDouble(), r.ReadDouble(),
                r.ReadDouble(), r.ReadDouble(), r.ReadDouble(), ReadOpt(r), ReadOpt(r), ReadOpt(r), ReadOpt(r)) { ActiveUnits = ReadActive(r) });
        }
        int retries = r.ReadInt32();
        if (Left() != 0) throw new InvalidDataException($"{Left()} unread trailing bytes");
        if (epoch < 1 || nextBatch < 0 || step < 0 || docs < 0 || adamStep < 0 || sinceBest < 0 || bestEpoch < 0 || retries < 0)
            throw new InvalidDataException($"invalid position: epoch {epoch}, batch {nextBatch}, step {step}");
        if (m.Length != p.Length || v.Length != p.Length || (best is not null && best.Length != p.Length))
            throw new InvalidDataException($"buffer sizes differ: {p.Length} parameters, {m.Length}/{v.Length} moments");
        if (!(lr > 0) || !double.IsFinite(lr)) throw new InvalidDataException($"invalid learning rate {lr}");
        return new TrainingCheckpoint
        {
            Fingerprint = fp, Description = description, Epoch = epoch, NextBatch = nextBatch, Step = step, StoppedEarly = early, Order = order,
            SumRecon = sRecon, SumKl = sKl, SumTokens = sTok, Beta = beta, Documents = docs, ShuffleRng = shuffle, NoiseRng = noise,
            BestElbo = bestElbo, BestEpoch = bestEpoch, SinceBest = sinceBest, Best = best, LearningRate = lr,
            Adam = new AdamState(adamStep, m, v), Parameters = p, Reports = reports, DivergenceRetriesUsed = retries,
        };
    }

    private static int? ReadActive(BinaryReader r)
    {
        int a = r.ReadInt32();
        return a >= 0 ? a : null;
    }

    private static double? ReadOpt(BinaryReader r)
    {
        bool has = r.ReadBoolean();
        double v = r.ReadDouble();
        return has ? v : null;
    }
}

/// <summary>A 64-bit hash over words (a multiply–xor–rotate mix), for checkpoint fingerprints.</summary>
internal sealed class FingerprintHasher
{
    private ulong _h = 0x9E3779B97F4A7C15UL;

    public void Add(ulong x)
    {
        _h ^= x * 0xBF58476D1CE4E5B9UL;
        _h = System.Numerics.BitOperations.RotateLeft(_h, 27) * 0x94D049BB133111EBUL + 0x632BE59BD9B4E019UL;
    }

    public void Add(long x) => Add((ulong)x);
    public void Add(int x) => Add((ulong)(uint)x);
    public void Add(double x) => Add((ulong)BitConverter.DoubleToInt64Bits(x));

    public void Add(ReadOnlySpan<int> a)
    {
        Add(a.Length);
        foreach (int x in a) Add(x);
    }

    public void Add(ReadOnlySpan<float> a)
    {
        Add(a.Length);
        foreach (float x in a) Add((ulong)BitConverter.SingleToUInt32Bits(x));
    }

    public ulong Value
    {
        get
        {
            ulong z = _h;
            z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9UL;
            z = (z ^ (z >> 27)) * 0x94D049BB133111EBUL;
            return z ^ (z >> 31);
        }
    }
}
