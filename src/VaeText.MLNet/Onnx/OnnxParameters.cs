using VaeText.Nn;

namespace VaeText.Onnx;

/// <summary>
/// Reads a trained model's parameters by the names its layers reserved them under (e.g. "enc0.weight"), checking
/// each length, and rearranges what ONNX lays out differently (LSTM gate blocks).
/// </summary>
internal sealed class OnnxParameters(ParameterStore<float> store)
{
    private readonly Dictionary<string, ParameterSlice> _slices = store.Slices.ToDictionary(s => s.Name, StringComparer.Ordinal);

    /// <summary>The number of scalars of parameter <paramref name="name"/> (0 for a layer without bias).</summary>
    public int Length(string name) => Slice(name).Length;

    private ParameterSlice Slice(string name) => _slices.TryGetValue(name, out var slice) ? slice
        : throw new InvalidOperationException($"the model has no parameter '{name}': the ONNX export does not match this engine version");

    /// <summary>The values of parameter <paramref name="name"/>, which must hold <paramref name="length"/> scalars.</summary>
    public ReadOnlySpan<float> Get(string name, long length)
    {
        var slice = Slice(name);
        if (slice.Length != length)
            throw new InvalidOperationException($"parameter '{name}' holds {slice.Length} values, the ONNX export expects {length}");
        return store.Value(slice);
    }

    /// <summary>
    /// The engine's LSTM gate blocks are (input, forget, cell, output); ONNX's are (input, output, forget, cell).
    /// Reorders the <c>4H</c> leading rows of a <c>[4H, width]</c> matrix (width 1 for a bias).
    /// </summary>
    public static float[] ToOnnxGateOrder(ReadOnlySpan<float> engine, int hidden, int width)
    {
        var onnx = new float[engine.Length];
        int block = hidden * width;
        ReadOnlySpan<int> source = [0, 3, 1, 2]; // ONNX block k comes from engine block source[k]
        for (int k = 0; k < 4; k++) engine.Slice(source[k] * block, block).CopyTo(onnx.AsSpan(k * block, block));
        return onnx;
    }
}
