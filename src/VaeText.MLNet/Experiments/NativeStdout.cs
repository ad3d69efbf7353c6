using System.Runtime.InteropServices;

namespace VaeText.Experiments;

/// <summary>
/// Silences the standard output of native code for a while: ML.NET's LDA (LdaNative) prints its log-likelihood
/// every few iterations with printf, which would mix into the tool's output and break <c>--json</c>. On Linux and
/// macOS file descriptor 1 is pointed at /dev/null while the returned object is alive; elsewhere it does nothing.
/// Managed writes to <see cref="Console.Out"/> in that time are lost too, unless the process first gave managed code a
/// descriptor of its own with <see cref="KeepManagedOutput"/> (vaetext does: its progress keeps printing while a
/// VAE trains beside the LDA fit).
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

    /// <summary>
    /// Points <see cref="Console.Out"/> at a duplicate of file descriptor 1 (Linux and macOS), so that <see cref="Silence"/>
    /// silences native code only; returns the new writer, or null where nothing changed. Call it once, before any output.
    /// </summary>
    public static TextWriter? KeepManagedOutput()
    {
        if (!(OperatingSystem.IsLinux() || OperatingSystem.IsMacOS())) return null;
        try
        {
            int fd = Dup(1);
            if (fd < 0) return null;
            var stream = new DropWhenClosed(new FileStream(new Microsoft.Win32.SafeHandles.SafeFileHandle(fd, ownsHandle: true), FileAccess.Write, 1));
            var encoding = Console.OutputEncoding.CodePage == 65001 ? new System.Text.UTF8Encoding(false) : Console.OutputEncoding;
            var writer = TextWriter.Synchronized(new StreamWriter(stream, encoding) { AutoFlush = true });
            Console.SetOut(writer);
            return writer;
        }
        catch (Exception e) when (e is DllNotFoundException or EntryPointNotFoundException or IOException or ArgumentException or UnauthorizedAccessException)
        {
            return null;
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

    /// <summary>
    /// Drops writes once the reader has gone (a closed pipe, as in <c>vaetext … | head</c>), as .NET's own console stream
    /// does: the run goes on and still writes its output files.
    /// </summary>
    private sealed class DropWhenClosed(Stream inner) : Stream
    {
        private bool _closed;
        public override bool CanRead => false;
        public override bool CanSeek => false;
        public override bool CanWrite => true;
        public override long Length => throw new NotSupportedException();
        public override long Position { get => throw new NotSupportedException(); set => throw new NotSupportedException(); }
        public override int Read(byte[] buffer, int offset, int count) => throw new NotSupportedException();
        public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();
        public override void SetLength(long value) => throw new NotSupportedException();
        public override void Write(byte[] buffer, int offset, int count) => Write(buffer.AsSpan(offset, count));

        public override void Write(ReadOnlySpan<byte> buffer)
        {
            if (_closed) return;
            try { inner.Write(buffer); }
            catch (IOException) { _closed = true; }
        }

        public override void Flush()
        {
            if (_closed) return;
            try { inner.Flush(); }
            catch (IOException) { _closed = true; }
        }

        protected override void Dispose(bool disposing)
        {
            if (disposing) { try { inner.Dispose(); } catch (IOException) { } }
            base.Dispose(disposing);
        }
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
