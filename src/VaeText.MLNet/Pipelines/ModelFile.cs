using System.IO.Compression;
using System.Text.Json;
using Microsoft.ML;

namespace VaeText.Pipelines;

/// <summary>
/// Opens an ML.NET model zip with <c>mlContext.Model.Load</c>, first telling apart what it cannot read: a file of an
/// earlier VaeText format (a zip with <c>manifest.json</c>), a zip that is no ML.NET model, a file that is no zip or
/// is truncated, and an ML.NET zip whose content is damaged. Each gives an <see cref="InvalidDataException"/> with a
/// one-line message naming the file and saying to retrain. A loaded model must also apply to the input schema saved
/// with it (its steps fit together).
/// </summary>
internal static class ModelFile
{
    private const string Retrain = "retrain it with 'vaetext train' (vaetext models are ML.NET model zips)";

    /// <summary>Loads the model file at <paramref name="path"/>.</summary>
    public static (ITransformer Model, DataViewSchema InputSchema) Load(MLContext ml, string path)
    {
        string name = Path.GetFileName(path);
        using var stream = OpenRead(path, name);
        return Load(ml, stream, name);
    }

    /// <summary>Loads a model from a seekable stream; <paramref name="name"/> names it in messages.</summary>
    public static (ITransformer Model, DataViewSchema InputSchema) Load(MLContext ml, Stream stream, string name)
    {
        try
        {
            using var zip = new ZipArchive(stream, ZipArchiveMode.Read, leaveOpen: true);
            if (OldFormat(zip) is { } old)
                throw new InvalidDataException($"'{name}' was written by an earlier VaeText version (format '{old}'); {Retrain}.");
            if (!zip.Entries.Any(e => e.FullName.EndsWith("Model.key", StringComparison.Ordinal)))
                throw new InvalidDataException($"'{name}' is a zip file but not an ML.NET model ({zip.Entries.Count} entries, none is a model); {Retrain}.");
        }
        catch (InvalidDataException e) when (!e.Message.StartsWith("'" + name + "'", StringComparison.Ordinal))
        {
            throw new InvalidDataException($"'{name}' is not a model zip (damaged, truncated or another kind of file: {OneLine(e.Message)}); {Retrain}.");
        }
        stream.Position = 0;
        try
        {
            var model = ml.Model.Load(stream, out var schema);
            if (schema is null)
            {
                (model as IDisposable)?.Dispose();
                throw new InvalidDataException($"'{name}' is a damaged ML.NET model zip (no input schema); {Retrain}.");
            }
            try { model.GetOutputSchema(schema); }
            catch (Exception e) when (e is ArgumentException or InvalidOperationException or FormatException)
            {
                (model as IDisposable)?.Dispose();
                throw new InvalidDataException($"'{name}' is a damaged ML.NET model zip (its steps do not apply to its input schema: {OneLine(e.Message)}); {Retrain}.", e);
            }
            return (model, schema);
        }
        catch (InvalidDataException) { throw; }
        catch (Exception e) when (e is not OperationCanceledException and not OutOfMemoryException)
        {
            var inner = e;
            while (inner.InnerException is not null
                && (inner is System.Reflection.TargetInvocationException || inner.Message.StartsWith("Error during class instantiation", StringComparison.Ordinal)))
                inner = inner.InnerException;
            throw new InvalidDataException($"'{name}' is a damaged ML.NET model zip ({OneLine(inner.Message)}); {Retrain}.", e);
        }
    }

    private static FileStream OpenRead(string path, string name)
    {
        try { return new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read); }
        catch (IOException e) when (e is not FileNotFoundException and not DirectoryNotFoundException)
        {
            throw new InvalidDataException($"cannot read '{name}': {OneLine(e.Message)}");
        }
    }

    /// <summary>The "format" of an earlier VaeText model file's manifest.json, or null.</summary>
    private static string? OldFormat(ZipArchive zip)
    {
        var entry = zip.GetEntry("manifest.json");
        if (entry is null) return null;
        try
        {
            if (entry.Length > 1 << 20) return "unknown";
            using var s = entry.Open();
            using var doc = JsonDocument.Parse(s);
            return doc.RootElement.ValueKind == JsonValueKind.Object && doc.RootElement.TryGetProperty("format", out var f) && f.ValueKind == JsonValueKind.String
                ? f.GetString() : "unknown";
        }
        catch (Exception e) when (e is JsonException or InvalidDataException or IOException)
        {
            return "unknown";
        }
    }

    private static string OneLine(string message)
    {
        var line = message.Replace("\r", "").Split('\n')[0].Trim();
        return line.Length == 0 ? "(no message)" : line;
    }
}
