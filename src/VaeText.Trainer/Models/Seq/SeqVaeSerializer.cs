using System.Text;
using VaeText.Nn;

namespace VaeText.Models;

/// <summary>
/// Binary form of a <see cref="SeqVae"/> (little-endian):
/// "VTSEQVAE" (8 bytes), int32 version written, int32 oldest version readable, then the options (int32
/// VocabularySize, Encoder, MaxLength, EmbeddingSize, HiddenSize, bool Bidirectional, int32 Pooling, Layers,
/// Heads, FeedForwardSize, Positions, LatentSize, double LogVarianceMin, LogVarianceMax, int32 Seed; from version 2:
/// int32 Decoder, int32 DecoderHiddenSize, double WordDropout), then int32 parameter count and that many float32
/// values (the flat store). Version 2 is written (oldest readable 2); versions 1 and 2 are read. Every decoded
/// field is checked.
/// </summary>
public static class SeqVaeSerializer
{
    private static readonly byte[] Magic = Encoding.ASCII.GetBytes("VTSEQVAE");
    /// <summary>Version written.</summary>
    public const int Version = 2;

    /// <summary>Writes the model to a stream.</summary>
    public static void Save(SeqVae model, Stream stream)
    {
        ArgumentNullException.ThrowIfNull(model); ArgumentNullException.ThrowIfNull(stream);
        using var w = new BinaryWriter(stream, Encoding.UTF8, leaveOpen: true);
        var o = model.Options;
        w.Write(Magic); w.Write(Version); w.Write(2);
        w.Write(o.VocabularySize); w.Write((int)o.Encoder); w.Write(o.MaxLength); w.Write(o.EmbeddingSize); w.Write(o.HiddenSize);
        w.Write(o.Bidirectional); w.Write((int)o.Pooling); w.Write(o.Layers); w.Write(o.Heads); w.Write(o.FeedForwardSize);
        w.Write((int)o.Positions); w.Write(o.LatentSize); w.Write(o.LogVarianceMin); w.Write(o.LogVarianceMax); w.Write(o.Seed);
        w.Write((int)o.Decoder); w.Write(o.DecoderHiddenSize); w.Write(o.WordDropout);
        var p = model.Network.Store.Values;
        w.Write(p.Length);
        foreach (var v in p) w.Write(v);
    }

    /// <summary>Writes the model to a file atomically (temporary file in the same folder, then rename).</summary>
    public static void Save(SeqVae model, string path)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        string tmp = path + ".tmp" + Environment.ProcessId;
        using (var f = new FileStream(tmp, FileMode.Create, FileAccess.Write)) { Save(model, f); f.Flush(true); }
        File.Move(tmp, path, overwrite: true);
    }

    /// <summary>Reads a model written by <see cref="Save(SeqVae, Stream)"/>; throws <see cref="InvalidDataException"/> on any bad field.</summary>
    public static SeqVae Load(Stream stream)
    {
        ArgumentNullException.ThrowIfNull(stream);
        using var r = new BinaryReader(stream, Encoding.UTF8, leaveOpen: true);
        try
        {
            if (!r.ReadBytes(Magic.Length).AsSpan().SequenceEqual(Magic)) throw new InvalidDataException("not a VaeText sequence VAE (bad signature)");
            int version = r.ReadInt32(), oldest = r.ReadInt32();
            if (oldest > Version || version < 1) throw new InvalidDataException($"sequence VAE format version {version} (readable from {oldest}) is not supported by version {Version}");
            var o = new SeqVaeOptions
            {
                VocabularySize = r.ReadInt32(), Encoder = (SeqEncoderKind)r.ReadInt32(), MaxLength = r.ReadInt32(), EmbeddingSize = r.ReadInt32(),
                HiddenSize = r.ReadInt32(), Bidirectional = r.ReadBoolean(), Pooling = (LstmPooling)r.ReadInt32(), Layers = r.ReadInt32(),
                Heads = r.ReadInt32(), FeedForwardSize = r.ReadInt32(), Positions = (PositionKind)r.ReadInt32(), LatentSize = r.ReadInt32(),
                LogVarianceMin = r.ReadDouble(), LogVarianceMax = r.ReadDouble(), Seed = r.ReadInt32(),
            };
            if (version >= 2)
            {
                o.Decoder = (SeqDecoderKind)r.ReadInt32(); o.DecoderHiddenSize = r.ReadInt32(); o.WordDropout = r.ReadDouble();
            }
            try { o.Validate(); } catch (ArgumentException e) { throw new InvalidDataException("corrupt sequence VAE options: " + e.Message, e); }
            // Before building (and allocating) the model: its largest tables must fit in the bytes that are left.
            // (token embeddings, the encoder's weight matrices, the bag-of-words decoder or the LSTM decoder's recurrent weights)
            long lower = (long)o.VocabularySize * o.EmbeddingSize
                + (o.Encoder == SeqEncoderKind.Lstm ? 4L * o.HiddenSize * ((long)o.EmbeddingSize + o.HiddenSize) : (long)o.Layers * 4 * o.EmbeddingSize * o.EmbeddingSize)
                + (o.Decoder == SeqDecoderKind.Lstm ? 4L * o.DecoderHiddenSize * o.DecoderHiddenSize : (long)o.LatentSize * o.VocabularySize);
            if (stream.CanSeek && lower * sizeof(float) > stream.Length - stream.Position)
                throw new InvalidDataException($"sequence VAE options need at least {lower} parameters but only {stream.Length - stream.Position} bytes remain");
            var model = new SeqVae(o);
            int count = r.ReadInt32();
            if (count != model.ParameterCount) throw new InvalidDataException($"sequence VAE holds {count} parameters but its options need {model.ParameterCount}");
            var vals = model.Network.Store.Values;
            for (int i = 0; i < count; i++)
            {
                float v = r.ReadSingle();
                if (!float.IsFinite(v)) throw new InvalidDataException($"parameter {i} is not finite ({v})");
                vals[i] = v;
            }
            return model;
        }
        catch (EndOfStreamException e) { throw new InvalidDataException("sequence VAE data is truncated", e); }
    }

    /// <summary>Reads a model file.</summary>
    public static SeqVae Load(string path)
    {
        using var f = File.OpenRead(path);
        return Load(f);
    }
}
