using System.Runtime.InteropServices;
using Google.Protobuf;
using Onnx;

namespace VaeText.Onnx;

/// <summary>
/// Builds one ONNX graph (the generated protobuf classes of OnnxSharp): initializers, nodes with generated unique
/// output names, typed inputs and outputs. Every name it generates starts with <see cref="VaeOnnxExport.ReservedPrefix"/>
/// and ends with a counter, so a caller never invents names for intermediate values and they cannot collide with the
/// input and output names a caller chooses.
/// </summary>
internal sealed class OnnxGraphBuilder
{
    private readonly GraphProto _graph;
    private readonly HashSet<string> _names = new(StringComparer.Ordinal);
    private int _counter;

    public OnnxGraphBuilder(string graphName)
    {
        if (!BitConverter.IsLittleEndian) throw new PlatformNotSupportedException("ONNX raw tensor data is little-endian; this machine is big-endian");
        _graph = new GraphProto { Name = graphName };
    }

    /// <summary>The graph built so far.</summary>
    public GraphProto Graph => _graph;

    private string Fresh(string hint)
    {
        string name = $"{VaeOnnxExport.ReservedPrefix}{hint}_{_counter++}";
        _names.Add(name);
        return name;
    }

    private string Claim(string name)
    {
        if (!_names.Add(name)) throw new ArgumentException($"the ONNX graph already has a value named '{name}'", nameof(name));
        return name;
    }

    // ---- initializers --------------------------------------------------------------------------------------

    /// <summary>A float tensor initializer with the given dimensions (values copied, row-major).</summary>
    public string Floats(string hint, ReadOnlySpan<float> values, params long[] dims)
    {
        CheckCount(values.Length, dims);
        var t = new TensorProto { Name = Fresh(hint), DataType = (int)TensorProto.Types.DataType.Float, RawData = ByteString.CopyFrom(MemoryMarshal.AsBytes(values)) };
        t.Dims.AddRange(dims);
        _graph.Initializer.Add(t);
        return t.Name;
    }

    /// <summary>A double tensor initializer.</summary>
    public string Doubles(string hint, ReadOnlySpan<double> values, params long[] dims)
    {
        CheckCount(values.Length, dims);
        var t = new TensorProto { Name = Fresh(hint), DataType = (int)TensorProto.Types.DataType.Double, RawData = ByteString.CopyFrom(MemoryMarshal.AsBytes(values)) };
        t.Dims.AddRange(dims);
        _graph.Initializer.Add(t);
        return t.Name;
    }

    /// <summary>An int64 tensor initializer.</summary>
    public string Longs(string hint, ReadOnlySpan<long> values, params long[] dims)
    {
        CheckCount(values.Length, dims);
        var t = new TensorProto { Name = Fresh(hint), DataType = (int)TensorProto.Types.DataType.Int64, RawData = ByteString.CopyFrom(MemoryMarshal.AsBytes(values)) };
        t.Dims.AddRange(dims);
        _graph.Initializer.Add(t);
        return t.Name;
    }

    /// <summary>A one-dimensional int64 initializer (shapes, axes, slice bounds).</summary>
    public string Longs1(string hint, params long[] values) => Longs(hint, values, values.Length);

    /// <summary>A float scalar-shaped [1] initializer.</summary>
    public string Scalar(string hint, float value) => Floats(hint, [value], 1);

    /// <summary>A double [1] initializer.</summary>
    public string ScalarDouble(string hint, double value) => Doubles(hint, [value], 1);

    private static void CheckCount(int count, long[] dims)
    {
        long n = 1;
        foreach (long d in dims) n *= d;
        if (n != count) throw new ArgumentException($"{count} values do not fill a tensor of shape [{string.Join(", ", dims)}]");
    }

    /// <summary>A one-element float tensor 1 (ConstantOfShape's value attribute).</summary>
    public static TensorProto OneFloat()
    {
        var t = new TensorProto { DataType = (int)TensorProto.Types.DataType.Float, RawData = ByteString.CopyFrom(BitConverter.GetBytes(1f)) };
        t.Dims.Add(1);
        return t;
    }

    // ---- nodes ---------------------------------------------------------------------------------------------

    /// <summary>Adds a node with one output and returns the output's name.</summary>
    public string Node(string op, IReadOnlyList<string> inputs, params AttributeProto[] attributes) => NodeN(op, inputs, 1, attributes)[0];

    /// <summary>Adds a node with <paramref name="outputs"/> outputs and returns their names.</summary>
    public string[] NodeN(string op, IReadOnlyList<string> inputs, int outputs, params AttributeProto[] attributes)
    {
        var node = new NodeProto { OpType = op, Name = Fresh(op + "_node") };
        node.Input.AddRange(inputs);
        var names = new string[outputs];
        for (int i = 0; i < outputs; i++) names[i] = Fresh(op.ToLowerInvariant());
        node.Output.AddRange(names);
        node.Attribute.AddRange(attributes);
        _graph.Node.Add(node);
        return names;
    }

    /// <summary>
    /// Adds a node whose optional outputs may be left out: <paramref name="wanted"/>[i] false gives the output the
    /// empty name (the operator then need not compute it). Returns the names, "" for those left out.
    /// </summary>
    public string[] NodeSome(string op, IReadOnlyList<string> inputs, bool[] wanted, params AttributeProto[] attributes)
    {
        var node = new NodeProto { OpType = op, Name = Fresh(op + "_node") };
        node.Input.AddRange(inputs);
        var names = new string[wanted.Length];
        for (int i = 0; i < wanted.Length; i++) names[i] = wanted[i] ? Fresh(op.ToLowerInvariant()) : "";
        node.Output.AddRange(names);
        node.Attribute.AddRange(attributes);
        _graph.Node.Add(node);
        return names;
    }

    /// <summary>Adds an Identity node whose output carries a chosen (graph output) name.</summary>
    public void Rename(string value, string outputName)
    {
        var node = new NodeProto { OpType = "Identity", Name = Fresh("Identity_node") };
        node.Input.Add(value);
        node.Output.Add(Claim(outputName));
        _graph.Node.Add(node);
    }

    public static AttributeProto Attr(string name, long value) =>
        new() { Name = name, Type = AttributeProto.Types.AttributeType.Int, I = value };

    public static AttributeProto Attr(string name, float value) =>
        new() { Name = name, Type = AttributeProto.Types.AttributeType.Float, F = value };

    public static AttributeProto Attr(string name, TensorProto value) =>
        new() { Name = name, Type = AttributeProto.Types.AttributeType.Tensor, T = value };

    public static AttributeProto Attr(string name, string value) =>
        new() { Name = name, Type = AttributeProto.Types.AttributeType.String, S = ByteString.CopyFromUtf8(value) };

    public static AttributeProto Ints(string name, params long[] values)
    {
        var a = new AttributeProto { Name = name, Type = AttributeProto.Types.AttributeType.Ints };
        a.Ints.AddRange(values);
        return a;
    }

    // ---- graph inputs and outputs --------------------------------------------------------------------------

    /// <summary>Declares a graph input; a dimension is a number or a symbolic name.</summary>
    public string Input(string name, TensorProto.Types.DataType type, params object[] dims)
    {
        _graph.Input.Add(ValueInfo(Claim(name), type, dims));
        return name;
    }

    /// <summary>Declares a graph output (the value must already carry that name, see <see cref="Rename"/>).</summary>
    public void Output(string name, TensorProto.Types.DataType type, params object[] dims) => _graph.Output.Add(ValueInfo(name, type, dims));

    private static ValueInfoProto ValueInfo(string name, TensorProto.Types.DataType type, object[] dims)
    {
        var shape = new TensorShapeProto();
        foreach (var d in dims)
        {
            shape.Dim.Add(d switch
            {
                string p => new TensorShapeProto.Types.Dimension { DimParam = p },
                int v => new TensorShapeProto.Types.Dimension { DimValue = v },
                long v => new TensorShapeProto.Types.Dimension { DimValue = v },
                _ => throw new ArgumentException($"dimension {d} is neither a number nor a name", nameof(dims)),
            });
        }
        return new ValueInfoProto
        {
            Name = name,
            Type = new TypeProto { TensorType = new TypeProto.Types.Tensor { ElemType = (int)type, Shape = shape } },
        };
    }
}
