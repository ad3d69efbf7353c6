using System.Runtime.InteropServices;

namespace VaeText.Onnx;

/// <summary>
/// Lets ONNX Runtime take session options from an exported model's <c>ort_config</c> metadata (one intra-op and one
/// inter-op thread, see <see cref="VaeOnnxExport.OrtConfig"/>). ML.NET's OnnxTransformer does not save session
/// thread settings, so a model loaded with <c>mlContext.Model.Load</c> would otherwise run every one-document call
/// through ONNX Runtime's default thread pool, whose wake-ups cost more than the work. ONNX Runtime reads the
/// metadata only when the process environment holds <c>ORT_LOAD_CONFIG_FROM_MODEL=1</c>; .NET's
/// <see cref="Environment.SetEnvironmentVariable(string, string)"/> does not reach the native environment on Unix,
/// so this sets it there with the C library's <c>setenv</c>.
/// </summary>
internal static partial class OnnxRuntimeModelConfig
{
    /// <summary>The environment variable ONNX Runtime checks when it creates a session.</summary>
    public const string Variable = "ORT_LOAD_CONFIG_FROM_MODEL";

    private static readonly Lock Gate = new();
    private static bool s_done;

    /// <summary>
    /// Sets <c>ORT_LOAD_CONFIG_FROM_MODEL=1</c> in the process environment, unless the variable is already set (a
    /// user's own choice is kept). Affects only sessions created afterwards, and only models that carry an
    /// <c>ort_config</c> entry. Safe to call many times. Returns the variable's value after the call.
    /// </summary>
    public static string? Enable()
    {
        lock (Gate)
        {
            if (!s_done)
            {
                s_done = true;
                if (string.IsNullOrEmpty(NativeValue()))
                {
                    if (OperatingSystem.IsWindows()) Environment.SetEnvironmentVariable(Variable, "1");
                    else if (setenv(Variable, "1", 0) != 0) return NativeValue();
                }
            }
            return NativeValue();
        }
    }

    /// <summary>The variable as native code (ONNX Runtime) sees it.</summary>
    public static string? NativeValue()
    {
        if (OperatingSystem.IsWindows()) return Environment.GetEnvironmentVariable(Variable);
        nint p = getenv(Variable);
        return p == 0 ? null : Marshal.PtrToStringUTF8(p);
    }

    [LibraryImport("libc", StringMarshalling = StringMarshalling.Utf8)]
    private static partial int setenv(string name, string value, int overwrite);

    [LibraryImport("libc", StringMarshalling = StringMarshalling.Utf8)]
    private static partial nint getenv(string name);
}
