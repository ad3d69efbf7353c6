using Microsoft.ML.OnnxRuntime;
using NUnit.Framework;
using VaeText.Models;
using VaeText.Nn;
using VaeText.Onnx;
using VaeText.Text;

namespace VaeText.Tests.Onnx;

/// <summary>
/// Parity of every exported encoder with the engine, run directly in ONNX Runtime: latent means, log-variances and
/// the score (negative ELBO at the mean) of ordinary, empty, all-unknown, repeated-word and over-long documents.
/// </summary>
public class VaeOnnxExportTests
{
    private const double Tolerance = 1e-5;

    private static readonly OnnxExportSpec FullSpec = new()
    {
        IdsInputName = "Keys", MeanOutputName = "Mean", LogVarianceOutputName = "LogVar", ScoreOutputName = "Score",
    };

    private static (Vocabulary Vocab, Tensors.CsrMatrix Counts, string[] Texts) _corpus;

    [OneTimeSetUp]
    public void Setup() => _corpus = OnnxFixture.Corpus();

    private static void AssertClose(ReadOnlySpan<float> onnx, ReadOnlySpan<float> engine, string what, double relative = 0)
    {
        Assert.That(onnx.Length, Is.EqualTo(engine.Length), what + ": length");
        for (int i = 0; i < onnx.Length; i++)
        {
            double tol = Tolerance * Math.Max(1, relative > 0 ? Math.Abs(engine[i]) : 1);
            Assert.That(onnx[i], Is.EqualTo(engine[i]).Within(tol), $"{what}[{i}]");
        }
    }

    [TestCase(Activation.ReLU, new[] { 12, 8 })]
    [TestCase(Activation.Tanh, new[] { 10 })]
    [TestCase(Activation.Softplus, new[] { 9, 7, 6 })]
    public void BagOfWordsEncoderMatchesEngine(Activation activation, int[] hidden)
    {
        var (vocab, counts, _) = _corpus;
        var model = OnnxFixture.TrainBow(vocab, counts, activation, hidden);
        using var session = new InferenceSession(VaeOnnxExport.Export(model, FullSpec));
        double worst = 0, worstScore = 0;
        foreach (var text in OnnxFixture.ProbeTexts())
        {
            var engine = model.EncodeDetailed(BagOfWords.Build([text], OnnxFixture.Tokenizer, vocab, 1), 1);
            var onnx = OnnxFixture.Run(session, "Keys", OnnxFixture.Keys(text, vocab));
            AssertClose(onnx["Mean"], engine.Means, $"mean of '{text}'");
            AssertClose(onnx["LogVar"], engine.LogVariances, $"log-variance of '{text}'");
            AssertClose(onnx["Score"], [(float)engine.NegativeElbo(0)], $"score of '{text}'", relative: 1);
            for (int i = 0; i < engine.Means.Length; i++) worst = Math.Max(worst, Math.Abs(onnx["Mean"][i] - engine.Means[i]));
            worstScore = Math.Max(worstScore, Math.Abs(onnx["Score"][0] - engine.NegativeElbo(0)) / Math.Max(1, engine.NegativeElbo(0)));
        }
        TestContext.Out.WriteLine($"largest mean difference {worst:G3}, largest relative score difference {worstScore:G3}");
    }

    public static IEnumerable<TestCaseData> SequenceCases()
    {
        SeqVaeOptions Lstm(bool bi, LstmPooling pool, SeqDecoderKind dec) => new()
        {
            Encoder = SeqEncoderKind.Lstm, Bidirectional = bi, Pooling = pool, Decoder = dec, EmbeddingSize = 8, HiddenSize = 6,
            DecoderHiddenSize = 7, LatentSize = 4, MaxLength = 12, Seed = 3, LogVarianceMin = -4, LogVarianceMax = 3,
        };
        SeqVaeOptions Transformer(PositionKind pos, SeqDecoderKind dec) => new()
        {
            Encoder = SeqEncoderKind.Transformer, Positions = pos, Decoder = dec, EmbeddingSize = 8, Layers = 2, Heads = 2,
            FeedForwardSize = 12, DecoderHiddenSize = 5, LatentSize = 4, MaxLength = 12, Seed = 3,
        };
        yield return new TestCaseData(Lstm(false, LstmPooling.Last, SeqDecoderKind.BagOfWords)).SetName("Lstm_Last_BowDecoder");
        yield return new TestCaseData(Lstm(true, LstmPooling.Mean, SeqDecoderKind.BagOfWords)).SetName("Lstm_Bidirectional_Mean_BowDecoder");
        yield return new TestCaseData(Lstm(true, LstmPooling.Last, SeqDecoderKind.Lstm)).SetName("Lstm_Bidirectional_Last_LstmDecoder");
        yield return new TestCaseData(Transformer(PositionKind.Sinusoidal, SeqDecoderKind.BagOfWords)).SetName("Transformer_Sinusoidal_BowDecoder");
        yield return new TestCaseData(Transformer(PositionKind.Learned, SeqDecoderKind.Lstm)).SetName("Transformer_Learned_LstmDecoder");
    }

    [TestCaseSource(nameof(SequenceCases))]
    public void SequenceEncoderMatchesEngine(SeqVaeOptions options)
    {
        var (vocab, counts, texts) = _corpus;
        var model = OnnxFixture.TrainSeq(vocab, counts, texts, options);
        using var session = new InferenceSession(VaeOnnxExport.Export(model, FullSpec));
        var s = model.CreateSession();
        int l = model.LatentSize;
        double worst = 0, worstScore = 0;
        foreach (var text in OnnxFixture.ProbeTexts())
        {
            var ids = SeqTokens.Encode(text, OnnxFixture.Tokenizer, vocab, model.Options.MaxLength);
            var mean = new float[l]; var logVar = new float[l];
            model.EncodeOne(ids, s, mean, logVar);
            double score = model.NegativeElboAtMean(BagOfWords.Build([text], OnnxFixture.Tokenizer, vocab, 1), ids, mean, logVar, s);
            var onnx = OnnxFixture.Run(session, "Keys", OnnxFixture.Keys(text, vocab));
            AssertClose(onnx["Mean"], mean, $"mean of '{text}'");
            AssertClose(onnx["LogVar"], logVar, $"log-variance of '{text}'");
            AssertClose(onnx["Score"], [(float)score], $"score of '{text}'", relative: 1);
            for (int i = 0; i < l; i++) worst = Math.Max(worst, Math.Abs(onnx["Mean"][i] - mean[i]));
            worstScore = Math.Max(worstScore, Math.Abs(onnx["Score"][0] - score) / Math.Max(1, score));
        }
        // The batch encoder gives the same means as the one-document path the comparison used.
        var batch = model.Encode(SeqTokens.EncodeAll(OnnxFixture.ProbeTexts(), OnnxFixture.Tokenizer, vocab, model.Options.MaxLength), 1);
        var first = OnnxFixture.Run(session, "Keys", OnnxFixture.Keys(OnnxFixture.ProbeTexts()[0], vocab))["Mean"];
        AssertClose(first, batch.AsSpan(0, l), "mean of the first document against the batch encoder");
        TestContext.Out.WriteLine($"largest mean difference {worst:G3}, largest relative score difference {worstScore:G3}");
    }
}
