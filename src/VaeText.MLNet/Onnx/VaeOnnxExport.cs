using Google.Protobuf;
using Onnx;
using VaeText.Models;
using static VaeText.Onnx.OnnxGraphBuilder;
using DataType = Onnx.TensorProto.Types.DataType;

namespace VaeText.Onnx;

/// <summary>
/// Exports a trained VAE's encoder as an ONNX model that computes, from a document's vocabulary keys, exactly what
/// the engine computes from its text: the posterior mean, optionally the clamped log-variance and the negative
/// ELBO at the mean (see <see cref="OnnxExportSpec"/> for the input and output contract). Written with the ONNX
/// protobuf classes of OnnxSharp; opset <see cref="Opset"/>, runs in ONNX Runtime.
/// </summary>
internal static class VaeOnnxExport
{
    /// <summary>The ONNX operator set the graphs use (LayerNormalization needs 17).</summary>
    public const int Opset = 17;
    /// <summary>Prefix of every name the exporter generates; input and output names may not start with it.</summary>
    public const string ReservedPrefix = "vaetext.";
    /// <summary>The uint8 initializer holding <see cref="OnnxExportSpec.Payload"/>.</summary>
    public const string PayloadName = ReservedPrefix + "payload";
    /// <summary>Metadata key naming the exported encoder kind.</summary>
    public const string EncoderKey = ReservedPrefix + "encoder";
    /// <summary>Metadata key of the export format version.</summary>
    public const string FormatKey = ReservedPrefix + "format";
    /// <summary>The most bytes of weights plus payload an exported model may hold (protobuf messages stop at 2 GiB).</summary>
    public const long MaxModelBytes = 2_000_000_000;
    /// <summary>Metadata key ONNX Runtime reads session options from (when ORT_LOAD_CONFIG_FROM_MODEL=1).</summary>
    public const string OrtConfigKey = "ort_config";
    /// <summary>The session options recommended for the exported encoder: one intra-op and one inter-op thread.</summary>
    public const string OrtConfig = "{\"session_options\": {\"intra_op_num_threads\": 1, \"inter_op_num_threads\": 1}}";
    /// <summary>Export format version written in the metadata.</summary>
    public const int FormatVersion = 1;

    /// <summary>Exports the encoder (and, when asked, the score) of a bag-of-words VAE.</summary>
    /// <exception cref="ArgumentException">The spec names an output twice or uses the reserved prefix.</exception>
    /// <exception cref="NotSupportedException">Weights and payload exceed <see cref="MaxModelBytes"/>.</exception>
    public static byte[] Export(BowVae model, OnnxExportSpec spec)
    {
        ArgumentNullException.ThrowIfNull(model);
        ArgumentNullException.ThrowIfNull(spec);
        spec.Validate();
        var o = model.Options;
        var p = new OnnxParameters(model.Parameters);
        var g = new OnnxGraphBuilder("vaetext_bag_of_words_encoder");
        string keys = Keys(g, spec);
        bool score = spec.ScoreOutputName is not null;
        var (mean, logVar) = BowEncoderGraph.Build(g, p, o, keys, withLogVar: score || spec.LogVarianceOutputName is not null);
        string? scoreValue = score ? ReconstructionGraph.BagOfWords(g, p, o.VocabularySize, o.LatentSize, mean, keys) : null;
        return Finish(g, spec, o.LatentSize, mean, logVar, scoreValue, "BagOfWords", "BagOfWords");
    }

    /// <summary>Exports the encoder (and, when asked, the score) of a sequence VAE (LSTM or Transformer encoder; bag-of-words or LSTM decoder).</summary>
    /// <exception cref="ArgumentException">The spec names an output twice or uses the reserved prefix.</exception>
    /// <exception cref="NotSupportedException">Weights and payload exceed <see cref="MaxModelBytes"/>.</exception>
    public static byte[] Export(SeqVae model, OnnxExportSpec spec)
    {
        ArgumentNullException.ThrowIfNull(model);
        ArgumentNullException.ThrowIfNull(spec);
        spec.Validate();
        var o = model.Options;
        var p = new OnnxParameters(model.Network.Store);
        var g = new OnnxGraphBuilder("vaetext_" + o.Encoder.ToString().ToLowerInvariant() + "_encoder");
        string keys = Keys(g, spec);
        string ids = SeqEncoderGraph.TokenIds(g, keys, o.MaxLength);
        bool score = spec.ScoreOutputName is not null;
        var (mean, logVar) = SeqEncoderGraph.Build(g, p, o, ids, withLogVar: score || spec.LogVarianceOutputName is not null);
        string? scoreValue = !score ? null : o.Decoder switch
        {
            SeqDecoderKind.BagOfWords => ReconstructionGraph.BagOfWords(g, p, o.VocabularySize, o.LatentSize, mean, keys),
            SeqDecoderKind.Lstm => ReconstructionGraph.LstmDecoder(g, p, o, mean, ids),
            _ => throw new NotSupportedException($"decoder {o.Decoder} has no ONNX export of its reconstruction error"),
        };
        return Finish(g, spec, o.LatentSize, mean, logVar, scoreValue, o.Encoder.ToString(), o.Decoder.ToString());
    }

    /// <summary>
    /// The payload stored by <see cref="OnnxExportSpec.Payload"/>, or null when the model holds none.
    /// </summary>
    /// <exception cref="InvalidDataException">The bytes are not an ONNX model.</exception>
    public static byte[]? ReadPayload(byte[] onnxModel)
    {
        ArgumentNullException.ThrowIfNull(onnxModel);
        // Only the model's training-info entries are parsed; the graph (the weights: most of the bytes) is skipped.
        var infos = new List<TrainingInfoProto>();
        bool graph = false;
        try
        {
            var input = new CodedInputStream(onnxModel);
            uint tag;
            while ((tag = input.ReadTag()) != 0)
            {
                int field = WireFormat.GetTagFieldNumber(tag);
                bool message = WireFormat.GetTagWireType(tag) == WireFormat.WireType.LengthDelimited;
                if (field == ModelProto.TrainingInfoFieldNumber && message)
                {
                    var info = new TrainingInfoProto();
                    input.ReadMessage(info);
                    infos.Add(info);
                    continue;
                }
                graph |= field == ModelProto.GraphFieldNumber && message;
                input.SkipLastField();
            }
        }
        catch (InvalidProtocolBufferException e) { throw new InvalidDataException($"not an ONNX model: {e.Message}", e); }
        if (!graph) throw new InvalidDataException("not an ONNX model: it has no graph");
        foreach (var t in infos.Where(i => i.Initialization is not null).SelectMany(i => i.Initialization.Initializer))
        {
            if (t.Name != PayloadName) continue;
            if (t.DataType != (int)DataType.Uint8 || t.Dims.Count != 1 || t.Dims[0] != t.RawData.Length)
                throw new InvalidDataException($"the ONNX model's '{PayloadName}' initializer is not a uint8 vector of raw bytes");
            return t.RawData.ToByteArray();
        }
        return null;
    }

    /// <summary>Declares the uint64 [1, n] input and returns its keys without the leading sentinel as int64 [n − 1].</summary>
    private static string Keys(OnnxGraphBuilder g, OnnxExportSpec spec)
    {
        string input = g.Input(spec.IdsInputName, DataType.Uint64, 1, "n");
        string flat = g.Node("Reshape", [g.Node("Cast", [input], Attr("to", (long)DataType.Int64)), g.Longs1("shape", -1)]);
        return g.Node("Slice", [flat, g.Longs1("one", 1), g.Longs1("end", long.MaxValue), g.Longs1("axes", 0)]);
    }

    private static byte[] Finish(OnnxGraphBuilder g, OnnxExportSpec spec, int latent, string mean, string? logVar, string? recon,
        string encoder, string decoder)
    {
        g.Rename(mean, spec.MeanOutputName);
        g.Output(spec.MeanOutputName, DataType.Float, 1, latent);
        if (spec.LogVarianceOutputName is not null)
        {
            g.Rename(logVar!, spec.LogVarianceOutputName);
            g.Output(spec.LogVarianceOutputName, DataType.Float, 1, latent);
        }
        if (spec.ScoreOutputName is not null)
        {
            string total = g.Node("Add", [recon!, ReconstructionGraph.Kl(g, mean, logVar!)]);
            g.Rename(g.Node("Cast", [total], Attr("to", (long)DataType.Float)), spec.ScoreOutputName);
            g.Output(spec.ScoreOutputName, DataType.Float, 1);
        }
        var model = new ModelProto
        {
            IrVersion = 8,
            ProducerName = "VaeText",
            ProducerVersion = typeof(VaeOnnxExport).Assembly.GetName().Version?.ToString() ?? "0",
            Domain = "vaetext",
            ModelVersion = FormatVersion,
            DocString = $"VaeText {encoder} encoder of a variational autoencoder of text ({decoder} decoder): vocabulary keys in, posterior mean out.",
            Graph = g.Graph,
        };
        if (spec.Payload is not null)
        {
            // The payload rides in a training-info initialization graph: kept byte for byte in the file, ignored by
            // inference runtimes (a main-graph initializer no node reads would draw a warning at every load).
            var t = new TensorProto { Name = PayloadName, DataType = (int)DataType.Uint8, RawData = ByteString.CopyFrom(spec.Payload) };
            t.Dims.Add(spec.Payload.Length);
            var init = new GraphProto { Name = PayloadName };
            init.Initializer.Add(t);
            model.TrainingInfo.Add(new TrainingInfoProto { Initialization = init, Algorithm = new GraphProto { Name = PayloadName + ".none" } });
        }
        long bytes = g.Graph.Initializer.Sum(t => (long)t.RawData.Length) + (spec.Payload?.LongLength ?? 0);
        if (bytes > MaxModelBytes)
            throw new NotSupportedException($"the ONNX model would hold {bytes:N0} bytes of weights and payload, more than the {MaxModelBytes:N0} an ONNX (protobuf) file can hold; use a smaller vocabulary or smaller layers");
        model.OpsetImport.Add(new OperatorSetIdProto { Domain = "", Version = Opset });
        model.MetadataProps.Add(new StringStringEntryProto { Key = FormatKey, Value = FormatVersion.ToString(System.Globalization.CultureInfo.InvariantCulture) });
        model.MetadataProps.Add(new StringStringEntryProto { Key = EncoderKey, Value = encoder });
        model.MetadataProps.Add(new StringStringEntryProto { Key = ReservedPrefix + "decoder", Value = decoder });
        // One document per run is too small for ONNX Runtime's intra-op thread pool (waking it costs more than the
        // work): ask for one thread. ONNX Runtime reads this when ORT_LOAD_CONFIG_FROM_MODEL=1 is in the environment.
        model.MetadataProps.Add(new StringStringEntryProto { Key = OrtConfigKey, Value = OrtConfig });
        return model.ToByteArray();
    }
}
