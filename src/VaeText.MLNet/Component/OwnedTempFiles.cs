using System.Collections.Concurrent;

namespace VaeText.MLNet;

/// <summary>
/// Temporary files a fitted VaeLatent step owns (its ONNX encoder, which ML.NET's OnnxTransformer reads from a path and
/// reads again when the model is saved). Each is deleted when its owner is disposed or finalized, and any still
/// present are deleted when the process exits normally, so a program that never disposes its model (as ML.NET's
/// samples do not) leaves nothing behind.
/// </summary>
internal static class OwnedTempFiles
{
    private static readonly ConcurrentDictionary<string, byte> s_files = new(StringComparer.Ordinal);

    static OwnedTempFiles() => AppDomain.CurrentDomain.ProcessExit += (_, _) =>
    {
        foreach (var path in s_files.Keys) Delete(path);
    };

    /// <summary>Writes <paramref name="bytes"/> to a new file under the system temp folder and registers it.</summary>
    public static string Create(byte[] bytes, string extension)
    {
        string path = Path.Combine(Path.GetTempPath(), "vaetext-" + Guid.NewGuid().ToString("N") + extension);
        s_files[path] = 0;
        try
        {
            using var f = new FileStream(path, FileMode.CreateNew, FileAccess.Write, FileShare.Read);
            f.Write(bytes);
        }
        catch
        {
            Delete(path);
            throw;
        }
        return path;
    }

    /// <summary>Deletes a registered file (no error if it is already gone or cannot be deleted).</summary>
    public static void Delete(string path)
    {
        s_files.TryRemove(path, out _);
        try { File.Delete(path); }
        catch (IOException) { }
        catch (UnauthorizedAccessException) { }
    }
}
