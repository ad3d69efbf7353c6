namespace VaeText.Experiments;

/// <summary>
/// Writes a group of output files so that either all of them appear or none does: each file is first written
/// to a hidden temporary file in its destination folder, and only <see cref="Commit"/> renames them into place.
/// Disposing without committing deletes the temporary files.
/// </summary>
internal sealed class AtomicFileSet : IDisposable
{
    private readonly List<(string Temp, string Final)> _staged = new();
    private bool _committed;

    /// <summary>Writes one file through a temporary path (callback receives the temporary path to write).</summary>
    public void Stage(string finalPath, Action<string> writeToPath)
    {
        ArgumentNullException.ThrowIfNull(finalPath);
        string full = Path.GetFullPath(finalPath);
        string dir = Path.GetDirectoryName(full) ?? ".";
        string temp = Path.Combine(dir, "." + Path.GetFileName(full) + "." + Environment.ProcessId + "." + Guid.NewGuid().ToString("N")[..8] + ".tmp");
        try
        {
            writeToPath(temp);
            if (!File.Exists(temp)) throw new InvalidOperationException($"Nothing was written for '{finalPath}'.");
            // Flush the data to disk before the rename makes it visible.
            using (var fs = new FileStream(temp, FileMode.Open, FileAccess.ReadWrite, FileShare.Read)) fs.Flush(true);
        }
        catch
        {
            TryDelete(temp);
            throw;
        }
        _staged.Add((temp, full));
    }

    /// <summary>Stages a text file (UTF-8, no byte-order mark).</summary>
    public void StageText(string finalPath, string content) =>
        Stage(finalPath, tmp => File.WriteAllText(tmp, content, new System.Text.UTF8Encoding(false)));

    /// <summary>Stages a file produced by a stream writer callback.</summary>
    public void StageStream(string finalPath, Action<Stream> write) =>
        Stage(finalPath, tmp =>
        {
            using var fs = new FileStream(tmp, FileMode.CreateNew, FileAccess.Write, FileShare.None);
            write(fs);
        });

    /// <summary>Renames every staged file onto its destination (replacing existing files).</summary>
    public void Commit()
    {
        foreach (var (temp, final) in _staged) File.Move(temp, final, overwrite: true);
        _committed = true;
        _staged.Clear();
    }

    /// <summary>Deletes staged temporary files that were not committed.</summary>
    public void Dispose()
    {
        if (_committed) return;
        foreach (var (temp, _) in _staged) TryDelete(temp);
        _staged.Clear();
    }

    private static void TryDelete(string path)
    {
        try { if (File.Exists(path)) File.Delete(path); } catch (IOException) { } catch (UnauthorizedAccessException) { }
    }

    /// <summary>Writes one file atomically.</summary>
    public static void WriteOne(string finalPath, Action<string> writeToPath)
    {
        using var set = new AtomicFileSet();
        set.Stage(finalPath, writeToPath);
        set.Commit();
    }

    /// <summary>Writes one text file atomically.</summary>
    public static void WriteText(string finalPath, string content)
    {
        using var set = new AtomicFileSet();
        set.StageText(finalPath, content);
        set.Commit();
    }
}
