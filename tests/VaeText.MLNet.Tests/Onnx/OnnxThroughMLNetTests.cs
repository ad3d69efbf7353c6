using Microsoft.ML;
using Microsoft.ML.Data;
using NUnit.Framework;
using VaeText.Models;
using VaeText.Nn;
using VaeText.Onnx;
using VaeText.Text;

namespace VaeText.Tests.Onnx;

/// <summary>
/// The exported encoder inside the ML.NET chain the VaeLatent component saves: tokenizer mapping (sentinel first) →
/// MapValueToKey over the vocabulary in engine order → ConvertType to UInt64 → ApplyOnnxModel. Its means,
/// log-variances and scores equal the engine's.
/// </summary>
public class OnnxThroughMLNetTests
{
    public sealed class TextRow
    {
        public string Text { get; set; } = "";
    }

    public sealed class TokenRow
    {
        public string[] Tokens { get; set; } = [];
    }

    public sealed class TermRow
    {
        public string Term { get; set; } = "";
    }

    /// <summary>Never a token: the tokenizer splits on control characters.</summary>
    private const string Sentinel = "\u0001";

    [TestCase("BagOfWords")]
    [TestCase("Lstm")]
    [TestCase("Transformer")]
    public void ChainOfMLNetPartsGivesTheEngineEncodings(string kind)
    {
        var (vocab, counts, texts) = OnnxFixture.Corpus();
        var spec = new OnnxExportSpec
        {
            IdsInputName = "VaeKeys64", MeanOutputName = "Latent", LogVarianceOutputName = "LogVar", ScoreOutputName = "Score",
            Payload = [.. Enumerable.Range(0, 5000).Select(i => (byte)(i * 7))], // ML.NET and ONNX Runtime pass it by
        };
        var probes = OnnxFixture.ProbeTexts();
        byte[] onnx;
        Func<string, (float[] Mean, float[] LogVar, float Score)> engine;
        if (kind == "BagOfWords")
        {
            var bow = OnnxFixture.TrainBow(vocab, counts, Activation.ReLU, [10]);
            onnx = VaeOnnxExport.Export(bow, spec);
            engine = text =>
            {
                var e = bow.EncodeDetailed(BagOfWords.Build([text], OnnxFixture.Tokenizer, vocab, 1), 1);
                return (e.Means, e.LogVariances, (float)e.NegativeElbo(0));
            };
        }
        else
        {
            var seq = OnnxFixture.TrainSeq(vocab, counts, texts, new SeqVaeOptions
            {
                Encoder = kind == "Lstm" ? SeqEncoderKind.Lstm : SeqEncoderKind.Transformer, Decoder = kind == "Lstm" ? SeqDecoderKind.Lstm : SeqDecoderKind.BagOfWords,
                EmbeddingSize = 8, HiddenSize = 5, Heads = 2, Layers = 1, FeedForwardSize = 8, DecoderHiddenSize = 4, LatentSize = 3, MaxLength = 10, Seed = 6,
            });
            onnx = VaeOnnxExport.Export(seq, spec);
            var session = seq.CreateSession();
            engine = text =>
            {
                var ids = SeqTokens.Encode(text, OnnxFixture.Tokenizer, vocab, seq.Options.MaxLength);
                var mean = new float[seq.LatentSize]; var logVar = new float[seq.LatentSize];
                seq.EncodeOne(ids, session, mean, logVar);
                return (mean, logVar, (float)seq.NegativeElboAtMean(BagOfWords.Build([text], OnnxFixture.Tokenizer, vocab, 1), ids, mean, logVar, session));
            };
        }

        string file = Path.Combine(Path.GetTempPath(), $"vaetext-onnx-test-{Guid.NewGuid():N}.onnx");
        File.WriteAllBytes(file, onnx);
        try
        {
            var ml = new MLContext(seed: 1);
            var tokenizer = OnnxFixture.Tokenizer;
            var keyData = ml.Data.LoadFromEnumerable(vocab.Terms.Select(t => new TermRow { Term = t }));
            var tokenize = ml.Transforms.CustomMapping<TextRow, TokenRow>((i, o) => o.Tokens = [Sentinel, .. tokenizer.Tokenize(i.Text)], contractName: null);
            var encode = ml.Transforms.Conversion.MapValueToKey("VaeKeys", "Tokens", keyData: keyData)
                .Append(ml.Transforms.Conversion.ConvertType("VaeKeys64", "VaeKeys", DataKind.UInt64))
                .Append(ml.Transforms.ApplyOnnxModel(["Latent", "LogVar", "Score"], ["VaeKeys64"], file));
            var data = ml.Data.LoadFromEnumerable(probes.Select(t => new TextRow { Text = t }));
            var tokens = tokenize.Fit(data).Transform(data);
            var fitted = encode.Fit(tokens);
            // The saveable part of the chain survives ML.NET's Save / Load (the ONNX bytes travel inside the zip).
            using var zip = new MemoryStream();
            ml.Model.Save(fitted, tokens.Schema, zip);
            zip.Position = 0;
            var loaded = new MLContext(seed: 2).Model.Load(zip, out _);
            var output = loaded.Transform(tokens);
            var latent = output.GetColumn<float[]>("Latent").ToArray();
            var logVar = output.GetColumn<float[]>("LogVar").ToArray();
            var score = output.GetColumn<float[]>("Score").ToArray();
            Assert.That(fitted.Transform(tokens).GetColumn<float[]>("Latent").ToArray(), Is.EqualTo(latent), "identical before and after Load");
            for (int d = 0; d < probes.Length; d++)
            {
                var (m, lv, s) = engine(probes[d]);
                Assert.That(latent[d], Is.EqualTo(m).Within(1e-5), $"latent mean of '{probes[d]}'");
                Assert.That(logVar[d], Is.EqualTo(lv).Within(1e-5), $"log-variance of '{probes[d]}'");
                Assert.That(score[d][0], Is.EqualTo(s).Within(1e-5 * Math.Max(1, Math.Abs(s))), $"score of '{probes[d]}'");
            }
            (fitted as IDisposable)?.Dispose();
            (loaded as IDisposable)?.Dispose();
        }
        finally
        {
            File.Delete(file);
        }
    }
}
