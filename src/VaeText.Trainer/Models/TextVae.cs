using System.Text;
using VaeText.Nn;
using VaeText.Tensors;
using VaeText.Text;
using VaeText.Training;

namespace VaeText.Models;

/// <summary>
/// A trained text VAE bundle: tokenizer settings + <see cref="Vocabulary"/> + the model, either a
/// <see cref="BowVae"/> (bag-of-words encoder) or a <see cref="SeqVae"/> (LSTM or Transformer encoder, optionally the
/// autoregressive LSTM decoder that writes text). Turns raw texts into latent means (the feature a pipeline adds),
/// topic words, reconstruction scores and generated text, and saves and loads itself in one versioned, checksummed
/// binary file. Thread-safe for encoding and generation.
/// </summary>
public sealed class TextVae
{
    private readonly Tokenizer _tokenizer;

    private TextVae(TokenizerOptions tokenizerOptions, Vocabulary vocabulary, BowVae? bow, SeqVae? seq, VaeTrainingResult? training)
    {
        TokenizerOptions = tokenizerOptions.Clone();
        _tokenizer = new Tokenizer(TokenizerOptions);
        Vocabulary = vocabulary;
        BagOfWordsModel = bow;
        SequenceModel = seq;
        TrainingResult = training;
    }

    /// <summary>Wraps a trained bag-of-words model (its vocabulary size must equal <paramref name="vocabulary"/>'s count).</summary>
    public TextVae(TokenizerOptions tokenizerOptions, Vocabulary vocabulary, BowVae model)
        : this(CheckTokenizer(tokenizerOptions), vocabulary ?? throw new ArgumentNullException(nameof(vocabulary)), model ?? throw new ArgumentNullException(nameof(model)), null, null)
    {
        if (model.VocabularySize != vocabulary.Count)
            throw new ArgumentException($"the model has {model.VocabularySize} words, the vocabulary {vocabulary.Count}", nameof(model));
    }

    /// <summary>Wraps a trained sequence model (its vocabulary size must equal <paramref name="vocabulary"/>'s count).</summary>
    public TextVae(TokenizerOptions tokenizerOptions, Vocabulary vocabulary, SeqVae model)
        : this(CheckTokenizer(tokenizerOptions), vocabulary ?? throw new ArgumentNullException(nameof(vocabulary)), null, model ?? throw new ArgumentNullException(nameof(model)), null)
    {
        if (model.Options.VocabularySize != vocabulary.Count)
            throw new ArgumentException($"the model has {model.Options.VocabularySize} words, the vocabulary {vocabulary.Count}", nameof(model));
    }

    private static TokenizerOptions CheckTokenizer(TokenizerOptions t)
    {
        ArgumentNullException.ThrowIfNull(t);
        t.Validate();
        return t;
    }

    /// <summary>Tokenizer settings (a copy).</summary>
    public TokenizerOptions TokenizerOptions { get; }
    /// <summary>The tokenizer built from <see cref="TokenizerOptions"/>.</summary>
    public Tokenizer Tokenizer => _tokenizer;
    /// <summary>The vocabulary (word id = decoder row = input column; sequence token id = 2 + word id).</summary>
    public Vocabulary Vocabulary { get; }
    /// <summary>The bag-of-words VAE (null when the encoder is a sequence encoder).</summary>
    public BowVae? BagOfWordsModel { get; }
    /// <summary>The sequence VAE (null for the bag-of-words encoder).</summary>
    public SeqVae? SequenceModel { get; }
    /// <summary>Epoch reports of the training run (null for a loaded bundle).</summary>
    public VaeTrainingResult? TrainingResult { get; }
    /// <summary>Latent dimensions (columns of <see cref="EncodeMeans"/>'s result).</summary>
    public int LatentSize => BagOfWordsModel?.LatentSize ?? SequenceModel!.LatentSize;
    /// <summary>Words in the vocabulary.</summary>
    public int VocabularySize => Vocabulary.Count;
    /// <summary>The encoder family.</summary>
    public TextVaeEncoderKind Encoder => SequenceModel is null ? TextVaeEncoderKind.BagOfWords
        : SequenceModel.Options.Encoder == SeqEncoderKind.Lstm ? TextVaeEncoderKind.Lstm : TextVaeEncoderKind.Transformer;
    /// <summary>True when the VAE has the autoregressive LSTM decoder, so it can write text (<see cref="Sample"/>, <see cref="Reconstruct"/>, <see cref="Interpolate"/>).</summary>
    public bool CanGenerate => SequenceModel is { CanGenerate: true };
    /// <summary>Tokens a sequence encoder reads per document (0 for the bag-of-words encoder, which reads all).</summary>
    public int MaxSequenceLength => SequenceModel?.Options.MaxLength ?? 0;

    /// <summary>
    /// Tokenizes <paramref name="texts"/>, builds the vocabulary, and trains the VAE (<see cref="BowVae"/>, or
    /// <see cref="SeqVae"/> when <see cref="TextVaeOptions.Sequence"/> is set) with the engine's <see cref="VaeTrainer"/>
    /// (checkpoints, resume and divergence retries as set in <see cref="TextVaeOptions.Training"/>).
    /// </summary>
    /// <param name="texts">Training documents (at least one; none null).</param>
    /// <param name="options">Settings (null = defaults). Not modified.</param>
    /// <param name="progress">Per-epoch reports (optional).</param>
    /// <param name="onBatch">Called after every optimisation step (optional).</param>
    /// <param name="cancellationToken">Checked between batches.</param>
    /// <exception cref="ArgumentException">No texts, a null text, an option out of range, or an empty vocabulary.</exception>
    /// <exception cref="OperationCanceledException">Cancelled.</exception>
    public static TextVae Train(IReadOnlyList<string> texts, TextVaeOptions? options = null, IProgress<VaeEpochReport>? progress = null,
        Action<VaeBatchReport>? onBatch = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(texts);
        if (texts.Count == 0) throw new ArgumentException("texts is empty: nothing to train on", nameof(texts));
        options ??= new TextVaeOptions();
        var tok = (options.Tokenizer ?? new TokenizerOptions()).Clone();
        tok.Validate();
        var trainer = new VaeTrainer(options.Training ?? new VaeTrainingOptions());
        int threads = trainer.Options.MaxThreads;
        if (options.Sequence is { } so0)
        {
            var probe = so0.Clone();
            probe.VocabularySize = Math.Max(1, probe.VocabularySize);
            probe.Validate(); // reject bad settings before the vocabulary pass
        }
        else
        {
            var probe = (options.Model ?? new BowVaeOptions()).Clone();
            probe.VocabularySize = Math.Max(1, probe.VocabularySize);
            probe.Validate();
        }
        Vocabulary vocabulary;
        CsrMatrix counts;
        if (options.Cache is { } cache) cache.Fit(texts, tok, options.Vocabulary, out vocabulary, out counts, threads);
        else BagOfWords.Fit(texts, tok, options.Vocabulary, out vocabulary, out counts, threads);
        cancellationToken.ThrowIfCancellationRequested();
        if (options.Sequence is { } so)
        {
            var sOpt = so.Clone();
            sOpt.VocabularySize = vocabulary.Count;
            var seq = new SeqVae(sOpt, counts);
            var ids = SeqTokens.EncodeAll(texts, new Tokenizer(tok), vocabulary, sOpt.MaxLength);
            var r = trainer.Train(seq, ids, counts, progress, onBatch, cancellationToken);
            return new TextVae(tok, vocabulary, null, seq, r) { Cache = options.Cache };
        }
        var mo = (options.Model ?? new BowVaeOptions()).Clone();
        mo.VocabularySize = vocabulary.Count;
        var model = new BowVae(mo, counts);
        var result = trainer.Train(model, counts, progress, onBatch, cancellationToken);
        return new TextVae(tok, vocabulary, model, null, result) { Cache = options.Cache };
    }

    /// <summary>Bag-of-words counts of <paramref name="texts"/> over this bundle's vocabulary (<c>[n, V]</c>).</summary>
    public CsrMatrix Featurize(IReadOnlyList<string> texts, int maxThreads = 0)
    {
        ArgumentNullException.ThrowIfNull(texts);
        return Cache?.Build(texts, _tokenizer, Vocabulary, maxThreads) ?? BagOfWords.Build(texts, _tokenizer, Vocabulary, maxThreads);
    }

    /// <summary>Where <see cref="Featurize"/> finds texts tokenized before (set by <see cref="Train"/> from its options).</summary>
    internal BagOfWordsCache? Cache { get; init; }

    /// <summary>
    /// Token-id sequences the sequence encoder reads (0 = padding, never emitted; 1 = unknown word; 2 + w = word w;
    /// at most <see cref="MaxSequenceLength"/> per text; a text with no token becomes [1]).
    /// </summary>
    /// <exception cref="InvalidOperationException">The bundle has the bag-of-words encoder.</exception>
    public int[][] TokenIds(IReadOnlyList<string> texts)
    {
        ArgumentNullException.ThrowIfNull(texts);
        var seq = SequenceModel ?? throw new InvalidOperationException("the bag-of-words VAE reads bags of words, not token sequences");
        for (int i = 0; i < texts.Count; i++) if (texts[i] is null) throw new ArgumentException($"text {i} is null", nameof(texts));
        return SeqTokens.EncodeAll(texts, _tokenizer, Vocabulary, seq.Options.MaxLength);
    }

    /// <summary>
    /// Latent means, row-major <c>[texts.Count, LatentSize]</c>, on up to <paramref name="maxThreads"/> threads
    /// (0 = all cores; results do not depend on it). A text with no in-vocabulary token (empty, or all words unknown)
    /// is encoded like any other — the bag-of-words encoder sees an empty bag, a sequence encoder one unknown token —
    /// exactly as the exported ONNX encoder and the ML.NET step compute it.
    /// </summary>
    public float[] EncodeMeans(IReadOnlyList<string> texts, int maxThreads = 0)
    {
        ArgumentNullException.ThrowIfNull(texts);
        if (SequenceModel is { } seq) return seq.Encode(TokenIds(texts), maxThreads);
        return BagOfWordsModel!.Encode(Featurize(texts, maxThreads), maxThreads);
    }

    /// <summary>Same as <see cref="EncodeMeans"/>.</summary>
    public float[] Encode(IReadOnlyList<string> texts, int maxThreads = 0) => EncodeMeans(texts, maxThreads);

    /// <summary>
    /// Means, log-variances, reconstruction error at z = μ and KL per text; <see cref="VaeEncoding.NegativeElbo"/>
    /// is their sum (an anomaly score). A text with no in-vocabulary token is encoded like any other (its
    /// bag-of-words reconstruction error is 0: there is no word to reconstruct).
    /// </summary>
    public VaeEncoding EncodeDetailed(IReadOnlyList<string> texts, int maxThreads = 0)
    {
        ArgumentNullException.ThrowIfNull(texts);
        var x = Featurize(texts, maxThreads);
        if (SequenceModel is { } seq) return EncodeDetailedSequence(seq, texts, x, maxThreads);
        return BagOfWordsModel!.EncodeDetailed(x, maxThreads);
    }

    private VaeEncoding EncodeDetailedSequence(SeqVae seq, IReadOnlyList<string> texts, CsrMatrix x, int maxThreads)
    {
        var ids = TokenIds(texts);
        int n = texts.Count, l = LatentSize;
        var e = new VaeEncoding(n, l);
        if (n == 0) return e;
        int workers = Math.Min(Parallelism.Resolve(maxThreads), n);
        int next = -1;
        Parallel.For(0, workers, new ParallelOptions { MaxDegreeOfParallelism = workers }, _ =>
        {
            var s = seq.CreateSession();
            int i;
            while ((i = Interlocked.Increment(ref next)) < n)
            {
                var mean = e.Means.AsSpan(i * l, l);
                var logVar = e.LogVariances.AsSpan(i * l, l);
                seq.EncodeOne(ids[i], s, mean, logVar);
                seq.EvaluateOne(x, i, ids[i], mean, logVar, s);
                e.ReconstructionError[i] = s.Recon[0];
                e.Kl[i] = s.Kl[0];
            }
        });
        return e;
    }

    /// <summary>Shortest word of the topic view, in letters (a CJK character is a word of its own and exempt).</summary>
    public const int TopicWordMinLetters = 3;

    /// <summary>Share of the training documents a word of the topic view occurs in, at least.</summary>
    public const double TopicWordMinDocumentShare = 0.01;

    /// <summary>
    /// The <paramref name="k"/> top words of latent dimension <paramref name="dimension"/> (see <see cref="TopWords(int)"/>).
    /// </summary>
    public IReadOnlyList<string> TopWords(int dimension, int k)
    {
        if ((uint)dimension >= (uint)LatentSize) throw new ArgumentOutOfRangeException(nameof(dimension), dimension, $"must be in [0, {LatentSize})");
        ArgumentOutOfRangeException.ThrowIfLessThan(k, 1);
        return Rank(DecoderEffects(), dimension, k, TopicWordMask());
    }

    /// <summary>
    /// The topic view: the <paramref name="count"/> top words of each latent dimension ([LatentSize][≤ count]), ranked by
    /// decoder weight — with the LSTM decoder (no per-word weight), by how much the first-word log-probability rises
    /// when z moves from 0 to one unit along that dimension. Words that name themes come first: those made of letters
    /// only, at least <see cref="TopicWordMinLetters"/> long (or CJK), occurring in at least
    /// <see cref="TopicWordMinDocumentShare"/> of the training documents (where the vocabulary knows its document
    /// frequencies); the decoder's largest weights otherwise go to rare names, ids and numbers, which a few documents
    /// share and a reader cannot place. Other words follow only when too few qualify. Ties go to the lower word id.
    /// The latent features are unaffected: this only chooses the words shown.
    /// </summary>
    public IReadOnlyList<IReadOnlyList<string>> TopWords(int count)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(count, 1);
        var w = DecoderEffects();
        var mask = TopicWordMask();
        var result = new List<IReadOnlyList<string>>(LatentSize);
        for (int d = 0; d < LatentSize; d++) result.Add(Rank(w, d, count, mask));
        return result;
    }

    /// <summary>[VocabularySize, LatentSize]: the bag-of-words decoder weight, or the LSTM decoder's first-word effects.</summary>
    private float[] DecoderEffects() => BagOfWordsModel is { } bow ? bow.GetDecoderWeights()
        : SequenceModel!.CanGenerate ? SequenceModel.FirstWordEffects()
        : SequenceModel.Network.Store.Value(SequenceModel.Network.Head.Decoder.Weight).ToArray();

    /// <summary>Which vocabulary words the topic view prefers (see <see cref="TopWords(int)"/>).</summary>
    private bool[] TopicWordMask()
    {
        int v = Vocabulary.Count;
        var df = Vocabulary.DocumentFrequencies;
        int minDf = Vocabulary.DocumentCount > 0 ? Math.Max(1, (int)Math.Ceiling(TopicWordMinDocumentShare * Vocabulary.DocumentCount)) : 0;
        var mask = new bool[v];
        for (int i = 0; i < v; i++) mask[i] = df[i] >= minDf && IsThemeWord(Vocabulary[i]);
        return mask;
    }

    /// <summary>Letters only, and at least <see cref="TopicWordMinLetters"/> of them unless CJK.</summary>
    internal static bool IsThemeWord(string word)
    {
        int letters = 0;
        bool cjk = false;
        foreach (var r in word.EnumerateRunes())
        {
            if (!Rune.IsLetter(r)) return false;
            letters++;
            cjk |= r.Value is >= 0x2E80 and <= 0x9FFF or >= 0xAC00 and <= 0xD7AF or >= 0xF900 and <= 0xFAFF or >= 0x20000 and <= 0x3FFFF;
        }
        return cjk || letters >= TopicWordMinLetters;
    }

    private IReadOnlyList<string> Rank(float[] w, int d, int count, bool[] preferred)
    {
        int l = LatentSize, v = Vocabulary.Count;
        var ids = Enumerable.Range(0, v).ToArray();
        Array.Sort(ids, (a, b) =>
        {
            if (preferred[a] != preferred[b]) return preferred[a] ? -1 : 1;
            int c = w[(long)b * l + d].CompareTo(w[(long)a * l + d]);
            return c != 0 ? c : a.CompareTo(b);
        });
        return ids.Take(count).Select(id => Vocabulary[id]).ToList();
    }

    private SeqVae Generator => SequenceModel is { CanGenerate: true } s ? s
        : throw new InvalidOperationException($"this VAE (encoder {Encoder}) cannot write text: train it with the LSTM decoder and an Lstm or Transformer encoder");

    /// <summary>
    /// Writes <paramref name="count"/> texts from latent codes drawn from the prior N(0, I): greedy decoding when
    /// <paramref name="temperature"/> is 0, else sampling from softmax(logits / temperature). Deterministic for a seed.
    /// </summary>
    /// <exception cref="InvalidOperationException">The VAE has no LSTM decoder (<see cref="CanGenerate"/> is false).</exception>
    public IReadOnlyList<string> Sample(int count, double temperature = 1.0, int seed = 1)
    {
        var g = Generator;
        if (count < 0) throw new ArgumentOutOfRangeException(nameof(count), count, "count must be non-negative");
        if (!(temperature >= 0) || !double.IsFinite(temperature)) throw new ArgumentOutOfRangeException(nameof(temperature), temperature, "temperature must be a finite number >= 0 (0 = greedy)");
        var rng = new Core.Rng(seed);
        var z = new float[g.LatentSize];
        var result = new string[count];
        for (int i = 0; i < count; i++)
        {
            for (int j = 0; j < z.Length; j++) z[j] = (float)rng.NextGaussian();
            result[i] = ToText(g.Decode(z, temperature, temperature > 0 ? rng : null));
        }
        return result;
    }

    /// <summary>
    /// Encodes <paramref name="text"/> to its posterior mean and decodes it back (greedy when <paramref name="temperature"/>
    /// is 0): what the VAE remembers of the text.
    /// </summary>
    /// <exception cref="InvalidOperationException">The VAE has no LSTM decoder.</exception>
    public string Reconstruct(string text, double temperature = 0, int seed = 1)
    {
        var g = Generator;
        ArgumentNullException.ThrowIfNull(text);
        if (!(temperature >= 0) || !double.IsFinite(temperature)) throw new ArgumentOutOfRangeException(nameof(temperature), temperature, "temperature must be a finite number >= 0 (0 = greedy)");
        var mean = EncodeMeans([text], 1);
        return ToText(g.Decode(mean, temperature, temperature > 0 ? new Core.Rng(seed) : null));
    }

    /// <summary>
    /// Greedy decodings of <paramref name="steps"/> + 1 evenly spaced points on the line between the posterior means
    /// of <paramref name="from"/> and <paramref name="to"/> (first = from's, last = to's).
    /// </summary>
    /// <exception cref="InvalidOperationException">The VAE has no LSTM decoder.</exception>
    public IReadOnlyList<string> Interpolate(string from, string to, int steps = 5)
    {
        var g = Generator;
        ArgumentNullException.ThrowIfNull(from); ArgumentNullException.ThrowIfNull(to);
        if (steps < 1) throw new ArgumentOutOfRangeException(nameof(steps), steps, "steps must be at least 1");
        var m = EncodeMeans([from, to], 1);
        int l = g.LatentSize;
        var z = new float[l];
        var result = new string[steps + 1];
        for (int k = 0; k <= steps; k++)
        {
            float a = (float)k / steps;
            for (int j = 0; j < l; j++) z[j] = (1 - a) * m[j] + a * m[l + j];
            result[k] = ToText(g.Decode(z));
        }
        return result;
    }

    private string ToText(int[] ids) => string.Join(' ', ids.Select(id => id >= 2 ? Vocabulary[id - 2] : "<unk>"));

    // ---------------------------------------------------------------------------------------------------------
    // Binary layout (little-endian), format version 2 (version 1 = the bag-of-words-only layout, still read):
    //   8 bytes  signature "VAETEXT1" (ASCII)
    //   int32    format version written; int32 oldest format version that can read this file
    //   int64    payload length P (0 < P <= MaxPayloadBytes); uint32 CRC-32 (IEEE) of the 16 bytes of versions and
    //            length just before it followed by the P payload bytes
    //   payload:
    //     tokenizer: bool LowerCase, bool NormalizeNfkc, bool SplitCjk, bool CjkBigrams, bool KeepCombiningMarks,
    //                int32 MinTokenLength
    //     vocabulary: Vocabulary.WriteTo layout (its own signature and version)
    //     (version 2 only) int32 encoder kind: 0 = bag of words, 1 = LSTM, 2 = Transformer; for 1 and 2 the rest of
    //            the payload is int32 length + that many bytes of SeqVaeSerializer's form (its own signature and
    //            version), whose vocabulary size and encoder must agree; for 0 it continues as in version 1:
    //     model: int32 VocabularySize (must equal the vocabulary's count), int32 H (1..64) hidden layer count,
    //            H × int32 widths, int32 Activation, int32 LatentSize, float64 EncoderDropout,
    //            float64 LogVarianceMin, float64 LogVarianceMax, int32 Seed
    //     int32 parameter count N (must equal the count the architecture implies), N × float32 parameters in the
    //            ParameterStore's reservation order (encoder enc0.weight [V,h0], enc0.bias, …, mean, logvar, decoder)
    //   nothing after the payload is read.
    // ---------------------------------------------------------------------------------------------------------

    private static readonly byte[] Signature = "VAETEXT1"u8.ToArray();
    /// <summary>Format version written by <see cref="Save(Stream)"/>.</summary>
    public const int FormatVersion = 2;
    private const int OldestReadable = 2;
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
            w.Write((int)Encoder);
            if (SequenceModel is { } seq)
            {
                var ms = new MemoryStream();
                SeqVaeSerializer.Save(seq, ms);
                w.Write(checked((int)ms.Length));
                w.Write(ms.GetBuffer(), 0, (int)ms.Length);
            }
            else
            {
                var model = BagOfWordsModel!;
                var o = model.Options;
                w.Write(o.VocabularySize);
                w.Write(o.EncoderHiddenSizes.Count);
                foreach (int h in o.EncoderHiddenSizes) w.Write(h);
                w.Write((int)o.Activation);
                w.Write(o.LatentSize);
                w.Write(o.EncoderDropout);
                w.Write(o.LogVarianceMin);
                w.Write(o.LogVarianceMax);
                w.Write(o.Seed);
                var p = model.Parameters.Values;
                w.Write(p.Length);
                var bytes = new byte[p.Length * sizeof(float)];
                Buffer.BlockCopy(p, 0, bytes, 0, bytes.Length);
                if (!BitConverter.IsLittleEndian) throw new PlatformNotSupportedException("saving requires a little-endian machine");
                w.Write(bytes);
            }
        }
        var data = payload.GetBuffer().AsSpan(0, (int)payload.Length);
        using var hw = new BinaryWriter(stream, Encoding.UTF8, leaveOpen: true);
        hw.Write(Signature);
        hw.Write(FormatVersion);
        hw.Write(OldestReadable); // oldest version that can read this layout
        hw.Write((long)data.Length);
        hw.Write(Checksum(FormatVersion, OldestReadable, data.Length, data));
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
        int version;
        try
        {
            var sig = r.ReadBytes(Signature.Length);
            if (sig.Length < Signature.Length || !sig.AsSpan().SequenceEqual(Signature))
                throw new InvalidDataException("not a VaeText TextVae model: the signature 'VAETEXT1' is missing");
            version = r.ReadInt32();
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
            return ReadPayload(payload, version);
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

    private static TextVae ReadPayload(byte[] payload, int version)
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
        if (version >= 2)
        {
            int kind = r.ReadInt32();
            if (kind < 0 || kind > 2) throw new InvalidDataException($"corrupt TextVae model: encoder kind {kind} (expected 0, 1 or 2)");
            if (kind > 0)
            {
                int len = r.ReadInt32();
                if (len <= 0 || len != ms.Length - ms.Position)
                    throw new InvalidDataException($"corrupt TextVae model: the sequence model declares {len} bytes, {ms.Length - ms.Position} remain");
                SeqVae seq;
                try { seq = SeqVaeSerializer.Load(new MemoryStream(payload, (int)ms.Position, len, writable: false)); }
                catch (InvalidDataException e) { throw new InvalidDataException($"corrupt TextVae model: {e.Message}", e); }
                var expectedKind = kind == 1 ? SeqEncoderKind.Lstm : SeqEncoderKind.Transformer;
                if (seq.Options.Encoder != expectedKind)
                    throw new InvalidDataException($"corrupt TextVae model: encoder kind {kind} differs from the stored sequence model's {seq.Options.Encoder}");
                if (seq.Options.VocabularySize != vocabulary.Count)
                    throw new InvalidDataException($"corrupt TextVae model: sequence model vocabulary size {seq.Options.VocabularySize} differs from the {vocabulary.Count} terms stored");
                return new TextVae(tok, vocabulary, null, seq, null);
            }
        }
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
        return new TextVae(tok, vocabulary, model, null, null);
    }

}
