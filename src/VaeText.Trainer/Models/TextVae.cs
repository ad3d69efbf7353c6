using System.Text;
using VaeText.Nn;
using VaeText.Tensors;
using VaeText.Text;
using VaeText.Training;

namespace VaeText.Models;

/// <summary>
/// A trained text VAE bundle: tokenizer settings + <see cref="Vocabulary"/> + <see cref="BowVae"/>. Turns raw
/// texts into latent means (the feature a pipeline adds), saves and loads itself in one versioned, checksummed
/// binary file. Thread-safe for encoding.
/// </summary>
public sealed class TextVae
{
    private readonly Tokenizer _tokenizer;

    private TextVae(TokenizerOptions tokenizerOptions, Vocabulary vocabulary, BowVae model, VaeTrainingResult? training)
    {
        TokenizerOptions = tokenizerOptions.Clone();
        _tokenizer = new Tokenizer(TokenizerOptions);
        Vocabulary = vocabulary;
        Model = model;
        TrainingResult = training;
    }

    /// <summary>Tokenizer settings (a copy).</summary>
    public TokenizerOptions TokenizerOptions { get; }
    /// <summary>The vocabulary (word id = decoder row = input column).</summary>
    public Vocabulary Vocabulary { get; }
    /// <summary>The bag-of-words VAE.</summary>
    public BowVae Model { get; }
    /// <summary>Epoch reports of the training run (null for a loaded bundle).</summary>
    public VaeTrainingResult? TrainingResult { get; }
    /// <summary>Latent dimensions (columns of <see cref="Encode"/>'s result).</summary>
    public int LatentSize => Model.LatentSize;

    /// <summary>
    /// Tokenizes <paramref name="texts"/>, builds the vocabulary, and trains a <see cref="BowVae"/> on their
    /// bags of words.
    /// </summary>
    /// <param name="texts">Training documents (at least one; none null).</param>
    /// <param name="options">Settings (null = defaults). Not modified.</param>
    /// <param name="progress">Per-epoch reports (optional).</param>
    /// <param name="cancellationToken">Checked between batches.</param>
    /// <exception cref="ArgumentException">No texts, a null text, an option out of range, or an empty vocabulary.</exception>
    /// <exception cref="OperationCanceledException">Cancelled.</exception>
    public static TextVae Train(IReadOnlyList<string> texts, TextVaeOptions? options = null, IProgress<VaeEpochReport>? progress = null,
        CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(texts);
        if (texts.Count == 0) throw new ArgumentException("texts is empty: nothing to train on", nameof(texts));
        options ??= new TextVaeOptions();
        var tok = (options.Tokenizer ?? new TokenizerOptions()).Clone();
        tok.Validate();
        var trainer = new VaeTrainer(options.Training ?? new VaeTrainingOptions());
        int threads = trainer.Options.MaxThreads;
        BagOfWords.Fit(texts, tok, options.Vocabulary, out var vocabulary, out var counts, threads);
        var mo = (options.Model ?? new BowVaeOptions()).Clone();
        mo.VocabularySize = vocabulary.Count;
        var model = new BowVae(mo, counts);
        var result = trainer.Train(model, counts, progress, null, cancellationToken);
        return new TextVae(tok, vocabulary, model, result);
    }

    /// <summary>Bag-of-words counts of <paramref name="texts"/> over this bundle's vocabulary (<c>[n, V]</c>).</summary>
    public CsrMatrix Featurize(IReadOnlyList<string> texts, int maxThreads = 0)
    {
        ArgumentNullException.ThrowIfNull(texts);
        return BagOfWords.Build(texts, _tokenizer, Vocabulary, maxThreads);
    }

    /// <summary>
    /// Latent means, row-major <c>[texts.Count, LatentSize]</c>. A text with no in-vocabulary token (empty, or
    /// all words unknown) gets the prior mean, all zeros.
    /// </summary>
    public float[] Encode(IReadOnlyList<string> texts, int maxThreads = 0)
    {
        var x = Featurize(texts, maxThreads);
        var means = Model.Encode(x, maxThreads);
        ZeroEmptyRows(x, means, LatentSize);
        return means;
    }

    /// <summary>
    /// Means, log-variances, reconstruction error and KL per text (see <see cref="BowVae.EncodeDetailed"/>). A
    /// text with no in-vocabulary token gets the prior: mean 0, log-variance 0, reconstruction 0, KL 0.
    /// </summary>
    public VaeEncoding EncodeDetailed(IReadOnlyList<string> texts, int maxThreads = 0)
    {
        var x = Featurize(texts, maxThreads);
        var e = Model.EncodeDetailed(x, maxThreads);
        ZeroEmptyRows(x, e.Means, LatentSize);
        ZeroEmptyRows(x, e.LogVariances, LatentSize);
        for (int r = 0; r < x.Rows; r++)
            if (x.RowPtr[r + 1] == x.RowPtr[r]) { e.Kl[r] = 0; e.ReconstructionError[r] = 0; }
        return e;
    }

    private static void ZeroEmptyRows(CsrMatrix x, float[] values, int l)
    {
        for (int r = 0; r < x.Rows; r++)
            if (x.RowPtr[r + 1] == x.RowPtr[r]) values.AsSpan(r * l, l).Clear();
    }

    /// <summary>The <paramref name="k"/> words with the largest decoder weight for latent dimension <paramref name="dimension"/>.</summary>
    public IReadOnlyList<string> TopWords(int dimension, int k) => Model.TopWordIds(dimension, k).Select(id => Vocabulary[id]).ToArray();

    // ---------------------------------------------------------------------------------------------------------
    // Binary layout (little-endian), format version 1:
    //   8 bytes  signature "VAETEXT1" (ASCII)
    //   int32    format version written; int32 oldest format version that can read this file
    //   int64    payload length P (0 < P <= MaxPayloadBytes); uint32 CRC-32 (IEEE) of the 16 bytes of versions and
    //            length just before it followed by the P payload bytes
    //   payload:
    //     tokenizer: bool LowerCase, bool NormalizeNfkc, bool SplitCjk, bool CjkBigrams, bool KeepCombiningMarks,
    //                int32 MinTokenLength
    //     vocabulary: Vocabulary.WriteTo layout (its own signature and version)
    //     model: int32 VocabularySize (must equal the vocabulary's count), int32 H (1..64) hidden layer count,
    //            H × int32 widths, int32 Activation, int32 LatentSize, float64 EncoderDropout,
    //            float64 LogVarianceMin, float64 LogVarianceMax, int32 Seed
    //     int32 parameter count N (must equal the count the architecture implies), N × float32 parameters in the
    //            ParameterStore's reservation order (encoder enc0.weight [V,h0], enc0.bias, …, mean, logvar, decoder)
    //   nothing after the payload is read.
    // ---------------------------------------------------------------------------------------------------------

    private static readonly byte[] Signature = "VAETEXT1"u8.ToArray();
    /// <summary>Format version written by <see cref="Save(Stream)"/>.</summary>
    public const int FormatVersion = 1;
    /// <summary>Largest payload accepted by <see cref="Load(Stream)"/> (2 GiB − 1).</summary>
    public const long MaxPayloadBytes = int.MaxValue;

    /// <summary>Writes the whole bundle (layout documented beside this method).</summary>
    public void Save(Stream stream)
    {
        ArgumentNullException.ThrowIfNull(stream);
        var payload = new MemoryStream();
        using (var w = new BinaryWriter(payload, Encoding.UTF8, leaveOpen: true))
        {
            var t = TokenizerOptions;
            w.Write(t.LowerCase); w.Write(t.NormalizeNfkc); w.Write(t.SplitCjk); w.Write(t.CjkBigrams); w.Write(t.KeepCombiningMarks);
            w.Write(t.MinTokenLength);
            Vocabulary.WriteTo(w);
            var o = Model.Options;
            w.Write(o.VocabularySize);
            w.Write(o.EncoderHiddenSizes.Count);
            foreach (int h in o.EncoderHiddenSizes) w.Write(h);
            w.Write((int)o.Activation);
            w.Write(o.LatentSize);
            w.Write(o.EncoderDropout);
            w.Write(o.LogVarianceMin);
            w.Write(o.LogVarianceMax);
            w.Write(o.Seed);
            var p = Model.Parameters.Values;
            w.Write(p.Length);
            var bytes = new byte[p.Length * sizeof(float)];
            Buffer.BlockCopy(p, 0, bytes, 0, bytes.Length);
            if (!BitConverter.IsLittleEndian) throw new PlatformNotSupportedException("saving requires a little-endian machine");
            w.Write(bytes);
        }
        var data = payload.GetBuffer().AsSpan(0, (int)payload.Length);
        using var hw = new BinaryWriter(stream, Encoding.UTF8, leaveOpen: true);
        hw.Write(Signature);
        hw.Write(FormatVersion);
        hw.Write(1); // oldest version that can read this layout
        hw.Write((long)data.Length);
        hw.Write(Checksum(FormatVersion, 1, data.Length, data));
        hw.Write(data);
        hw.Flush();
    }

    /// <summary>Saves atomically to a file: writes a temporary file in the same folder, flushes it, then renames it over <paramref name="path"/>.</summary>
    public void Save(string path)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        string full = Path.GetFullPath(path);
        string dir = Path.GetDirectoryName(full) ?? ".";
        string tmp = Path.Combine(dir, "." + Path.GetFileName(full) + "." + Guid.NewGuid().ToString("N") + ".tmp");
        try
        {
            using (var fs = new FileStream(tmp, FileMode.CreateNew, FileAccess.Write, FileShare.None))
            {
                Save(fs);
                fs.Flush(flushToDisk: true);
            }
            File.Move(tmp, full, overwrite: true);
        }
        finally
        {
            if (File.Exists(tmp)) File.Delete(tmp);
        }
    }

    /// <summary>Loads a bundle saved by <see cref="Save(Stream)"/>.</summary>
    /// <exception cref="InvalidDataException">The data is not a VaeText model, is truncated or corrupt, or was written by a newer format.</exception>
    public static TextVae Load(Stream stream)
    {
        ArgumentNullException.ThrowIfNull(stream);
        using var r = new BinaryReader(stream, Encoding.UTF8, leaveOpen: true);
        byte[] payload;
        try
        {
            var sig = r.ReadBytes(Signature.Length);
            if (sig.Length < Signature.Length || !sig.AsSpan().SequenceEqual(Signature))
                throw new InvalidDataException("not a VaeText TextVae model: the signature 'VAETEXT1' is missing");
            int version = r.ReadInt32();
            int minReadable = r.ReadInt32();
            if (version < 1 || minReadable < 1 || minReadable > version)
                throw new InvalidDataException($"corrupt TextVae header: version {version}, oldest readable version {minReadable}");
            if (minReadable > FormatVersion)
                throw new InvalidDataException($"the TextVae model needs format version {minReadable} or later; this library reads version {FormatVersion}");
            long length = r.ReadInt64();
            uint crc = r.ReadUInt32();
            if (length <= 0 || length > MaxPayloadBytes)
                throw new InvalidDataException($"corrupt TextVae header: payload length {length} outside (0, {MaxPayloadBytes}]");
            if (stream.CanSeek && length > stream.Length - stream.Position)
                throw new InvalidDataException($"truncated TextVae model: the header declares {length} payload bytes, only {stream.Length - stream.Position} remain");
            payload = ReadExactly(r, (int)length);
            if (Checksum(version, minReadable, length, payload) != crc)
                throw new InvalidDataException("corrupt TextVae model: the payload checksum (CRC-32) does not match");
        }
        catch (EndOfStreamException e)
        {
            throw new InvalidDataException("truncated TextVae model: the stream ended inside the header or payload", e);
        }
        try
        {
            return ReadPayload(payload);
        }
        catch (EndOfStreamException e)
        {
            throw new InvalidDataException("corrupt TextVae model: the payload ends before its declared content", e);
        }
        catch (ArgumentException e)
        {
            throw new InvalidDataException($"corrupt TextVae model: {e.Message}", e);
        }
    }

    /// <summary>Loads a bundle from a file (see <see cref="Load(Stream)"/>).</summary>
    public static TextVae Load(string path)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        using var fs = File.OpenRead(path);
        try { return Load(fs); }
        catch (InvalidDataException e) { throw new InvalidDataException($"{path}: {e.Message}", e); }
    }

    private static uint Checksum(int version, int minReadable, long length, ReadOnlySpan<byte> payload)
    {
        Span<byte> head = stackalloc byte[16];
        BitConverter.TryWriteBytes(head, version);
        BitConverter.TryWriteBytes(head[4..], minReadable);
        BitConverter.TryWriteBytes(head[8..], length);
        return IO.Crc32.Append(IO.Crc32.Compute(head), payload);
    }

    private static byte[] ReadExactly(BinaryReader r, int length)
    {
        // Grow in bounded steps so a corrupt length on a non-seekable stream cannot force a huge allocation up front.
        var ms = new MemoryStream(Math.Min(length, 1 << 20));
        var buf = new byte[1 << 16];
        int left = length;
        while (left > 0)
        {
            int n = r.Read(buf, 0, Math.Min(buf.Length, left));
            if (n <= 0) throw new EndOfStreamException();
            ms.Write(buf, 0, n);
            left -= n;
        }
        return ms.ToArray();
    }

    private static TextVae ReadPayload(byte[] payload)
    {
        using var ms = new MemoryStream(payload, writable: false);
        using var r = new BinaryReader(ms, Encoding.UTF8);
        var tok = new TokenizerOptions
        {
            LowerCase = r.ReadBoolean(), NormalizeNfkc = r.ReadBoolean(), SplitCjk = r.ReadBoolean(),
            CjkBigrams = r.ReadBoolean(), KeepCombiningMarks = r.ReadBoolean(), MinTokenLength = r.ReadInt32(),
        };
        try { tok.Validate(); }
        catch (ArgumentException e) { throw new InvalidDataException($"corrupt TextVae model: tokenizer settings: {e.Message}", e); }
        var vocabulary = Vocabulary.ReadFrom(r);
        int v = r.ReadInt32();
        if (v != vocabulary.Count) throw new InvalidDataException($"corrupt TextVae model: vocabulary size {v} differs from the {vocabulary.Count} terms stored");
        int h = r.ReadInt32();
        if (h < 1 || h > 64) throw new InvalidDataException($"corrupt TextVae model: {h} hidden layers (expected 1..64)");
        var hidden = new int[h];
        for (int i = 0; i < h; i++) hidden[i] = r.ReadInt32();
        var o = new BowVaeOptions
        {
            VocabularySize = v, EncoderHiddenSizes = hidden, Activation = (Activation)r.ReadInt32(), LatentSize = r.ReadInt32(),
            EncoderDropout = r.ReadDouble(), LogVarianceMin = r.ReadDouble(), LogVarianceMax = r.ReadDouble(), Seed = r.ReadInt32(),
        };
        try { o.Validate(); }
        catch (ArgumentException e) { throw new InvalidDataException($"corrupt TextVae model: architecture: {e.Message}", e); }
        long expected = BowVae.CountParameters(o);
        int count = r.ReadInt32();
        if (count != expected) throw new InvalidDataException($"corrupt TextVae model: {count} parameters stored, the architecture needs {expected}");
        if ((long)count * sizeof(float) != ms.Length - ms.Position)
            throw new InvalidDataException($"corrupt TextVae model: {ms.Length - ms.Position} parameter bytes remain, expected {(long)count * sizeof(float)}");
        var values = new float[count];
        Buffer.BlockCopy(payload, (int)ms.Position, values, 0, count * sizeof(float));
        for (int i = 0; i < values.Length; i++)
            if (!float.IsFinite(values[i])) throw new InvalidDataException($"corrupt TextVae model: parameter {i} is {values[i]}");
        var model = new BowVae(o);
        model.SetParameters(values);
        return new TextVae(tok, vocabulary, model, null);
    }

}
