using System.Text;

namespace VaeText.IO;

/// <summary>
/// Where a saveable object writes itself. Layout of every object blob:
/// <c>[string signature][int32 version][int32 minReadableVersion][payload...]</c>, all little-endian through
/// <see cref="BinaryWriter"/>. Nested objects (<see cref="SaveNested"/>) are written as
/// <c>[int64 byteLength][object blob]</c>.
/// </summary>
public sealed class ModelSaveContext
{
    private bool _versionSet;

    /// <summary>The writer for the payload.</summary>
    public BinaryWriter Writer { get; }

    internal ModelSaveContext(Stream stream) { Writer = new BinaryWriter(stream, Encoding.UTF8, leaveOpen: true); }

    /// <summary>Writes the version header; must be the first call in <see cref="ICanSaveModel.Save"/>.</summary>
    public void SetVersionInfo(VersionInfo info)
    {
        if (_versionSet) throw new InvalidOperationException("SetVersionInfo called twice");
        ArgumentException.ThrowIfNullOrEmpty(info.LoaderSignature);
        if (info.MinReadableVersion < 1 || info.MinReadableVersion > info.Version)
            throw new ArgumentOutOfRangeException(nameof(info), info, "need 1 <= MinReadableVersion <= Version");
        _versionSet = true;
        Writer.Write(info.LoaderSignature);
        Writer.Write(info.Version);
        Writer.Write(info.MinReadableVersion);
    }

    /// <summary>Writes a nested saveable object (for example a trained model inside a prediction transformer).</summary>
    public void SaveNested(ICanSaveModel model)
    {
        ArgumentNullException.ThrowIfNull(model);
        var ms = new MemoryStream();
        WriteObject(ms, model);
        Writer.Write(ms.Length);
        Writer.Flush();
        ms.Position = 0;
        ms.CopyTo(Writer.BaseStream);
    }

    internal static void WriteObject(Stream stream, ICanSaveModel model)
    {
        var ctx = new ModelSaveContext(stream);
        model.Save(ctx);
        if (!ctx._versionSet) throw new InvalidOperationException($"{model.GetType().Name}.Save did not call SetVersionInfo");
        ctx.Writer.Flush();
    }

    /// <summary>Writes a length-prefixed array of floats.</summary>
    public void WriteSingles(ReadOnlySpan<float> values) { Writer.Write(values.Length); foreach (var v in values) Writer.Write(v); }
    /// <summary>Writes a length-prefixed array of ints.</summary>
    public void WriteInts(ReadOnlySpan<int> values) { Writer.Write(values.Length); foreach (var v in values) Writer.Write(v); }
    /// <summary>Writes a length-prefixed array of doubles.</summary>
    public void WriteDoubles(ReadOnlySpan<double> values) { Writer.Write(values.Length); foreach (var v in values) Writer.Write(v); }
    /// <summary>Writes a length-prefixed list of strings.</summary>
    public void WriteStrings(IReadOnlyList<string> values) { Writer.Write(values.Count); foreach (var v in values) Writer.Write(v); }
    /// <summary>Writes a length-prefixed byte blob (for example a model's own Save(Stream) output).</summary>
    public void WriteBytes(ReadOnlySpan<byte> bytes) { Writer.Write(bytes.Length); Writer.Write(bytes); }
}
