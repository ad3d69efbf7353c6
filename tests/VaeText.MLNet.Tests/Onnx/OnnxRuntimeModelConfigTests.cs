using Microsoft.ML.OnnxRuntime;
using NUnit.Framework;
using VaeText.Models;
using VaeText.Onnx;

namespace VaeText.Tests.Onnx;

/// <summary>
/// The exported model asks ONNX Runtime for one thread (ort_config metadata), and <see cref="OnnxRuntimeModelConfig.Enable"/>
/// makes ONNX Runtime honour it for sessions created with default options (as ML.NET's loaded OnnxTransformer creates them).
/// </summary>
public class OnnxRuntimeModelConfigTests
{
    [Test]
    public void DefaultSessionsOfAnExportedModelStartNoIntraOpThreadsOnceEnabled()
    {
        var bytes = VaeOnnxExport.Export(new BowVae(new BowVaeOptions { VocabularySize = 40, EncoderHiddenSizes = [8], LatentSize = 3 }), new OnnxExportSpec());
        var metadata = global::Onnx.ModelProto.Parser.ParseFrom(bytes).MetadataProps.ToDictionary(p => p.Key, p => p.Value);
        Assert.That(metadata[VaeOnnxExport.OrtConfigKey], Does.Contain("\"intra_op_num_threads\": 1"));

        string? before = OnnxRuntimeModelConfig.NativeValue();
        string? value = OnnxRuntimeModelConfig.Enable();
        Assert.That(value, Is.EqualTo(string.IsNullOrEmpty(before) ? "1" : before), "a value the user set is kept");
        Assert.That(OnnxRuntimeModelConfig.Enable(), Is.EqualTo(value), "idempotent");
        if (value != "1") Assert.Ignore($"{OnnxRuntimeModelConfig.Variable} was set to '{before}' before the test");
        if (Environment.ProcessorCount < 2) Assert.Ignore("one processor: a default session starts no intra-op threads anyway");

        // Without the config every default session starts ProcessorCount - 1 intra-op threads.
        const int sessions = 6;
        int threads0 = System.Diagnostics.Process.GetCurrentProcess().Threads.Count;
        var open = new List<InferenceSession>();
        try
        {
            for (int i = 0; i < sessions; i++) open.Add(new InferenceSession(bytes));
            int added = System.Diagnostics.Process.GetCurrentProcess().Threads.Count - threads0;
            Assert.That(added, Is.LessThan(sessions * (Environment.ProcessorCount - 1)), $"{sessions} default sessions added {added} threads");
            Assert.That(OnnxFixture.Run(open[0], "keys", [0, 1, 2])["mean"], Has.Length.EqualTo(3));
        }
        finally
        {
            foreach (var s in open) s.Dispose();
        }
    }
}
