using System.Text;
using VaeText.Models;

namespace VaeText.MLNet;

/// <summary>
/// What a fitted VaeLatent step stores inside its ONNX encoder (<c>OnnxExportSpec.Payload</c>), so the engine VAE
/// and the step's columns are reachable from a saved ML.NET model. Layout (little-endian):
/// "VTLATENT" (8 bytes), int32 version written, int32 oldest version readable, int32 input column count (1..1024),
/// that many strings (BinaryWriter form), string output column, string log-variance column ("" = none), string
/// reconstruction-error column ("" = none), int32 length + that many bytes of <see cref="TextVae.Save(Stream)"/>
/// (its own signature, version and checksum).
/// </summary>
internal sealed record VaeLatentPayload(string[] Inputs, string Output, string? LogVariance, string? Reconstruction, TextVae Vae)
{
    private static readonly byte[] Magic = "VTLATENT"u8.ToArray();
    private const int Version = 1;

    public byte[] ToBytes()
    {
        var ms = new MemoryStream();
        using (var w = new BinaryWriter(ms, Encoding.UTF8, leaveOpen: true))
        {
            w.Write(Magic); w.Write(Version); w.Write(1);
            w.Write(Inputs.Length);
            foreach (var i in Inputs) w.Write(i);
            w.Write(Output); w.Write(LogVariance ?? ""); w.Write(Reconstruction ?? "");
            var vs = new MemoryStream();
            Vae.Save(vs);
            w.Write(checked((int)vs.Length));
            w.Write(vs.GetBuffer(), 0, (int)vs.Length);
        }
        return ms.ToArray();
    }

    /// <summary>True when <paramref name="bytes"/> start with this payload's signature.</summary>
    public static bool IsPayload(byte[] bytes) => bytes.Length >= Magic.Length && bytes.AsSpan(0, Magic.Length).SequenceEqual(Magic);

    /// <exception cref="InvalidDataException">Not a VaeLatent payload, a newer version, or corrupt.</exception>
    public static VaeLatentPayload FromBytes(byte[] bytes)
    {
        if (!IsPayload(bytes)) throw new InvalidDataException("not a VaeLatent step payload (signature 'VTLATENT' missing)");
        using var r = new BinaryReader(new MemoryStream(bytes, writable: false), Encoding.UTF8);
        try
        {
            r.ReadBytes(Magic.Length);
            int version = r.ReadInt32(), oldest = r.ReadInt32();
            if (oldest > Version || version < oldest || oldest < 1)
                throw new InvalidDataException($"VaeLatent step payload version {version} (readable from version {oldest}); this library reads version {Version}: update VaeText.MLNet");
            int n = r.ReadInt32();
            if (n < 1 || n > 1024) throw new InvalidDataException($"corrupt VaeLatent step payload: {n} input columns");
            var inputs = new string[n];
            for (int i = 0; i < n; i++) inputs[i] = r.ReadString();
            string output = r.ReadString(), lv = r.ReadString(), re = r.ReadString();
            if (inputs.Any(string.IsNullOrEmpty) || output.Length == 0) throw new InvalidDataException("corrupt VaeLatent step payload: an empty column name");
            int len = r.ReadInt32();
            if (len <= 0 || len > r.BaseStream.Length - r.BaseStream.Position)
                throw new InvalidDataException($"corrupt VaeLatent step payload: the VAE declares {len} bytes, {r.BaseStream.Length - r.BaseStream.Position} remain");
            var vae = TextVae.Load(new MemoryStream(bytes, (int)r.BaseStream.Position, len, writable: false));
            return new VaeLatentPayload(inputs, output, lv.Length > 0 ? lv : null, re.Length > 0 ? re : null, vae);
        }
        catch (EndOfStreamException e) { throw new InvalidDataException("truncated VaeLatent step payload", e); }
    }
}
