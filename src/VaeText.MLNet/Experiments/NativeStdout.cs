using System.Runtime.InteropServices;

namespace VaeText.Experiments;

/// <summary>
/// Silences the standard output of native code for a while: ML.NET's LDA (LdaNative) prints its log-likelihood
/// every few iterations with printf, which would mix into the tool's output and break <c>--json</c>. On Linux and
/// macOS file descriptor 1 is pointed at /dev/null while the returned object is alive; elsewhere it does nothing.
/// Managed writes go on: .NET's <see cref="Console.Out"/> writes to a duplicate of descriptor 1 made when it is first
/// used (the CLI uses it from the start), so the comparison's progress keeps printing while a VAE trains beside the
/// LDA fit.
/// </summary>
internal sealed partial class NativeStdout : IDisposable
{
    private static readonly object s_gate = new();
    private readonly int _saved = -1;
    private bool _disposed;

    private NativeStdout()
    {
        Monitor.Enter(s_gate);
        try
        {
            Console.Out.Flush();
            Flush(IntPtr.Zero);
            int devNull = Open("/dev/null", 1 /* O_WRONLY */);
            if (devNull < 0) return;
            _saved = Dup(1);
            if (_saved >= 0) Dup2(devNull, 1);
            Close(devNull);
        }
        catch (Exception e) when (e is DllNotFoundException or EntryPointNotFoundException)
        {
            _saved = -1;
        }
    }

    /// <summary>Silences native standard output until the result is disposed.</summary>
    public static IDisposable Silence() =>
        OperatingSystem.IsLinux() || OperatingSystem.IsMacOS() ? new NativeStdout() : new Nothing();

    /// <summary>Restores standard output.</summary>
    public void Dispose()
    {
        if (_disposed) return;
        _disposed = true;
        try
        {
            if (_saved >= 0)
            {
                Flush(IntPtr.Zero); // native buffered output goes to /dev/null, not to the restored stream
                Dup2(_saved, 1);
                Close(_saved);
            }
        }
        finally { Monitor.Exit(s_gate); }
    }

    private sealed class Nothing : IDisposable
    {
        public void Dispose() { }
    }

    [LibraryImport("libc", EntryPoint = "open", StringMarshalling = StringMarshalling.Utf8)]
    private static partial int Open(string path, int flags);
    [LibraryImport("libc", EntryPoint = "dup")]
    private static partial int Dup(int fd);
    [LibraryImport("libc", EntryPoint = "dup2")]
    private static partial int Dup2(int from, int to);
    [LibraryImport("libc", EntryPoint = "close")]
    private static partial int Close(int fd);
    [LibraryImport("libc", EntryPoint = "fflush")]
    private static partial int Flush(IntPtr stream);
}
