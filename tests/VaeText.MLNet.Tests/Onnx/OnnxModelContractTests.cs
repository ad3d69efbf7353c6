using Microsoft.ML.OnnxRuntime;
using NUnit.Framework;
using Onnx;
using VaeText.Models;
using VaeText.Nn;
using VaeText.Onnx;

namespace VaeText.Tests.Onnx;

/// <summary>The exported model's outside: input and output declarations, optional outputs, the payload, bad specs.</summary>
public class OnnxModelContractTests
{
    private static BowVae SmallBow() => new(new BowVaeOptions { VocabularySize = 30, EncoderHiddenSizes = [6], LatentSize = 3, Seed = 9 });

    private static SeqVae SmallSeq(SeqEncoderKind kind, SeqDecoderKind decoder) => new(new SeqVaeOptions
    {
        VocabularySize = 30, Encoder = kind, Decoder = decoder, EmbeddingSize = 4, HiddenSize = 3, Heads = 2, Layers = 1,
        FeedForwardSize = 5, DecoderHiddenSize = 3, LatentSize = 2, MaxLength = 5, Seed = 9,
    });

    private static byte[] Export(string kind, OnnxExportSpec spec) => kind switch
    {
        "BagOfWords" => VaeOnnxExport.Export(SmallBow(), spec),
        "Lstm" => VaeOnnxExport.Export(SmallSeq(SeqEncoderKind.Lstm, SeqDecoderKind.Lstm), spec),
        _ => VaeOnnxExport.Export(SmallSeq(SeqEncoderKind.Transformer, SeqDecoderKind.BagOfWords), spec),
    };

    private static readonly object[] Models = [new object[] { "BagOfWords", 3 }, new object[] { "Lstm", 2 }, new object[] { "Transformer", 2 }];

    [TestCaseSource(nameof(Models))]
    public void DeclaresTheContractedInputAndOutputs(string kind, int latent)
    {
        using var full = new InferenceSession(Export(kind, new OnnxExportSpec { IdsInputName = "ids", MeanOutputName = "mu", LogVarianceOutputName = "lv", ScoreOutputName = "score" }));
        Assert.That(full.InputMetadata.Keys, Is.EqualTo(new[] { "ids" }));
        Assert.That(full.InputMetadata["ids"].ElementType, Is.EqualTo(typeof(ulong)));
        Assert.That(full.InputMetadata["ids"].Dimensions, Is.EqualTo(new[] { 1, -1 }), "[1, n]: ML.NET's OnnxTransformer needs the leading 1");
        Assert.That(full.OutputNames, Is.EqualTo(new[] { "mu", "lv", "score" }));
        Assert.That(full.OutputMetadata["mu"].Dimensions, Is.EqualTo(new[] { 1, latent }));
        Assert.That(full.OutputMetadata["lv"].Dimensions, Is.EqualTo(new[] { 1, latent }));
        Assert.That(full.OutputMetadata["score"].Dimensions, Is.EqualTo(new[] { 1 }));
        Assert.That(full.OutputMetadata.Values.Select(m => m.ElementType), Is.All.EqualTo(typeof(float)));
        Assert.That(full.ModelMetadata.CustomMetadataMap[VaeOnnxExport.FormatKey], Is.EqualTo("1"));

        // Optional outputs left out are not in the graph; the mean is unchanged; the sentinel's value does not matter.
        using var meanOnly = new InferenceSession(Export(kind, new OnnxExportSpec()));
        Assert.That(meanOnly.OutputNames, Is.EqualTo(new[] { "mean" }));
        ulong[] keys = [0, 3, 0, 7, 7, 1, 30, 12];
        var a = OnnxFixture.Run(full, "ids", keys)["mu"];
        var b = OnnxFixture.Run(meanOnly, "keys", [99, .. keys[1..]])["mean"];
        Assert.That(b, Is.EqualTo(a));
        Assert.That(a.Any(v => v != 0), "a real encoding");
    }

    [TestCaseSource(nameof(Models))]
    public void PayloadRoundTripsAndDoesNotChangeTheGraph(string kind, int latent)
    {
        var payload = new byte[70_001];
        new Random(3).NextBytes(payload);
        var plain = Export(kind, new OnnxExportSpec());
        var carrying = Export(kind, new OnnxExportSpec { Payload = payload });
        Assert.That(VaeOnnxExport.ReadPayload(carrying), Is.EqualTo(payload));
        Assert.That(VaeOnnxExport.ReadPayload(plain), Is.Null);
        Assert.That(VaeOnnxExport.ReadPayload(Export(kind, new OnnxExportSpec { Payload = [] })), Is.Empty);
        var withPayload = ModelProto.Parser.ParseFrom(carrying);
        Assert.That(withPayload.Graph, Is.EqualTo(ModelProto.Parser.ParseFrom(plain).Graph), "the payload stays out of the inference graph");
        using var session = new InferenceSession(carrying);
        Assert.That(OnnxFixture.Run(session, "keys", [0, 2, 4])["mean"], Has.Length.EqualTo(latent));
    }

    [Test]
    public void ReadPayloadRejectsWhatIsNotAnOnnxModel()
    {
        var e = Assert.Throws<InvalidDataException>(() => VaeOnnxExport.ReadPayload([0xff, 0xff, 0xff, 0x01, 0x02]));
        Assert.That(e!.Message, Does.Contain("not an ONNX model"));
        e = Assert.Throws<InvalidDataException>(() => VaeOnnxExport.ReadPayload([]));
        Assert.That(e!.Message, Does.Contain("no graph"));
        Assert.Throws<ArgumentNullException>(() => VaeOnnxExport.ReadPayload(null!));
    }

    [Test]
    public void RejectsBadSpecsNamingTheSetting()
    {
        var bow = SmallBow();
        var e = Assert.Throws<ArgumentException>(() => VaeOnnxExport.Export(bow, new OnnxExportSpec { MeanOutputName = "x", ScoreOutputName = "x" }));
        Assert.That(e!.Message, Does.Contain("ScoreOutputName").And.Contain("'x'"));
        e = Assert.Throws<ArgumentException>(() => VaeOnnxExport.Export(bow, new OnnxExportSpec { IdsInputName = " " }));
        Assert.That(e!.Message, Does.Contain("IdsInputName"));
        e = Assert.Throws<ArgumentException>(() => VaeOnnxExport.Export(bow, new OnnxExportSpec { LogVarianceOutputName = "vaetext.lv" }));
        Assert.That(e!.Message, Does.Contain("reserved prefix"));
        Assert.Throws<ArgumentNullException>(() => VaeOnnxExport.Export(bow, null!));
        Assert.Throws<ArgumentNullException>(() => VaeOnnxExport.Export((BowVae)null!, new OnnxExportSpec()));
    }

    [Test]
    public void BagOfWordsGraphGathersRowsInsteadOfMultiplyingAOneHot()
    {
        var model = ModelProto.Parser.ParseFrom(VaeOnnxExport.Export(SmallBow(), new OnnxExportSpec()));
        var ops = model.Graph.Node.Select(n => n.OpType).ToList();
        Assert.That(ops, Has.None.EqualTo("OneHot"));
        // Every vocabulary-sized weight table ([V + 1, h]: row 0 for unknown words) is only ever gathered from.
        var tables = model.Graph.Initializer.Where(t => t.Dims.Count == 2 && t.Dims[0] == 31).Select(t => t.Name).ToList();
        Assert.That(tables, Has.Count.EqualTo(1));
        var readers = model.Graph.Node.Where(n => n.Input.Contains(tables[0])).Select(n => n.OpType);
        Assert.That(readers, Is.EqualTo(new[] { "Gather" }));
        Assert.That(ops.Count, Is.LessThan(20), "a short graph keeps a one-document call cheap");
    }
}
