using NUnit.Framework;
using VaeText.Core;
using VaeText.Models;
using VaeText.Nn;
using VaeText.Tensors;
using VaeText.Text;
using VaeText.Training;

namespace VaeText.Tests.Seq;

public class LstmDecoderTests
{
    private static SeqVaeOptions Small(SeqEncoderKind kind, int v, double wordDropout) => new()
    {
        VocabularySize = v, Encoder = kind, EmbeddingSize = 5, HiddenSize = 4, Layers = 1, Heads = 1, FeedForwardSize = 6,
        LatentSize = 3, MaxLength = 5, Seed = 3, Decoder = SeqDecoderKind.Lstm, DecoderHiddenSize = 4, WordDropout = wordDropout,
    };

    [TestCase(SeqEncoderKind.Lstm, 0.0, 0.0)]
    [TestCase(SeqEncoderKind.Lstm, 0.4, 0.3)]
    [TestCase(SeqEncoderKind.Transformer, 0.3, 0.0)]
    public void WholeLossGradientMatchesFiniteDifferences(SeqEncoderKind kind, double wordDropout, double freeBits)
    {
        var (seqs, bow, vocab) = SeqVaeTests.Prepare(SeqVaeTests.Corpus[..6]);
        var o = Small(kind, vocab.Count, wordDropout);
        var net = SeqVae.BuildNetwork<double>(o);
        Assert.That(net.Decoder, Is.Not.Null);
        Assert.That(net.Head.HasBagOfWordsDecoder, Is.False);
        net.Initialize(new Rng(o.Seed), bow);
        // Rows of different lengths (some cut at MaxLength), one document of one token.
        var docs = seqs.Append([seqs[0][0]]).ToArray();
        int[] rows = [0, 6, 3, 1];
        var tokens = new TokenBatch(docs, rows);
        var targets = new CsrBatch(new CsrMatrix(docs.Length, bow.Columns, Enumerable.Range(0, docs.Length + 1).Select(i => 0).ToArray(), [], []), rows);
        var ws = net.CreateWorkspace(4, training: true);
        double Loss() => net.Loss(tokens, targets, ws, 0.7, freeBits, new Rng(9), 1).Loss;
        var l = net.Loss(tokens, targets, ws, 0.7, freeBits, new Rng(9), 1);
        // The reconstruction counts every token of the (cut) documents plus one EOS each.
        Assert.That(l.Tokens, Is.EqualTo(Math.Min(5, docs[0].Length) + 2 + Math.Min(5, docs[3].Length) + Math.Min(5, docs[1].Length) + 3));
        SeqGradCheck.Parameters(net.Store, Loss, () => net.TrainBatch(tokens, targets, ws, 0.7, freeBits, new Rng(9), 1), maxPerSlice: 5);
    }

    [Test]
    public void AbsurdSizesAreRejectedBeforeAllocating()
    {
        var ex = Assert.Throws<ArgumentOutOfRangeException>(() => new SeqVae(new SeqVaeOptions { VocabularySize = 5, HiddenSize = 1 << 20 }));
        Assert.That(ex!.Message, Does.Contain("parameters"));
        Assert.Throws<ArgumentOutOfRangeException>(() => new SeqVae(new SeqVaeOptions { VocabularySize = int.MaxValue - 2, Decoder = SeqDecoderKind.Lstm }));
        Assert.Throws<ArgumentOutOfRangeException>(() => new SeqVae(new SeqVaeOptions { VocabularySize = 5, WordDropout = 1 }));
        Assert.Throws<ArgumentOutOfRangeException>(() => new SeqVae(new SeqVaeOptions { VocabularySize = 5, Decoder = (SeqDecoderKind)9 }));
        // A real configuration passes, and the bound is not below the true count.
        var o = new SeqVaeOptions { VocabularySize = 50, Decoder = SeqDecoderKind.Lstm, EmbeddingSize = 8, HiddenSize = 8, DecoderHiddenSize = 8, LatentSize = 4 };
        Assert.That(new SeqVae(o).ParameterCount, Is.GreaterThan(0));
    }

    [Test]
    public void ReconstructionIsTheSequenceNegativeLogLikelihood()
    {
        // Closed form with all weights zero except the output bias: every position has the same softmax.
        var (seqs, bow, vocab) = SeqVaeTests.Prepare(SeqVaeTests.Corpus[..3]);
        var o = Small(SeqEncoderKind.Lstm, vocab.Count, 0);
        var net = SeqVae.BuildNetwork<double>(o);
        net.Initialize(new Rng(1), null);
        Array.Clear(net.Store.Values);
        var dec = (LstmTextDecoder<double>)net.Decoder!;
        var bias = Enumerable.Range(0, dec.Classes).Select(i => 0.1 * (i % 4)).ToArray();
        bias.CopyTo(net.Store.Value(dec.Output.Bias));
        double lse = Math.Log(Enumerable.Range(0, bias.Length).Sum(i => Math.Exp(bias[i])));
        var ws = net.CreateWorkspace(3, false);
        int[] rows = [0, 1, 2];
        var mean = new double[9]; var lv = new double[9];
        var recon = new double[3]; var kl = new double[3];
        net.Encode(new TokenBatch(seqs, rows), mean, lv, ws);
        net.Evaluate(new TokenBatch(seqs, rows), new CsrBatch(bow, rows), mean, lv, ws, recon, kl);
        for (int r = 0; r < 3; r++)
        {
            var doc = seqs[r].Take(5).Append(0);
            double expected = doc.Sum(id => lse - bias[id]);
            Assert.That(recon[r], Is.EqualTo(expected).Within(1e-9), $"row {r}");
        }
    }

    [Test]
    public void TrainsOnTheSampleCorpusWithoutPosteriorCollapse()
    {
        var texts = SampleCorpus.TrainTexts()[..240];
        var tok = new TokenizerOptions();
        BagOfWords.Fit(texts, tok, new VocabularyOptions { MaxSize = 400 }, out var vocab, out var counts, 1);
        var ids = SeqTokens.EncodeAll(texts, new Tokenizer(tok), vocab, 12);
        var model = new SeqVae(new SeqVaeOptions
        {
            VocabularySize = vocab.Count, Encoder = SeqEncoderKind.Lstm, EmbeddingSize = 24, HiddenSize = 32, LatentSize = 8, MaxLength = 12,
            Decoder = SeqDecoderKind.Lstm, DecoderHiddenSize = 48, WordDropout = 0.3, Seed = 5,
        }, counts);
        var reports = new List<VaeEpochReport>();
        var trainer = new VaeTrainer(new VaeTrainingOptions
        {
            Epochs = 4, BatchSize = 16, LearningRate = 5e-3, AnnealingSteps = 40, FreeBits = 0.1, Seed = 5, MaxThreads = 1, TrackActiveUnits = true,
        });
        trainer.Train(model, ids, counts, new SyncProgress(reports));
        Assert.That(reports, Has.Count.EqualTo(4));
        Assert.That(reports[^1].Reconstruction, Is.LessThan(reports[0].Reconstruction), "reconstruction improves");
        Assert.That(reports[^1].Kl, Is.GreaterThan(0.1), "KL stays above zero");
        Assert.That(reports[^1].ActiveUnits, Is.GreaterThan(0), "some latent units carry information");
        // Reported active units agree with a direct count over the training documents.
        var means = model.Encode(ids, 1);
        Assert.That(reports[^1].ActiveUnits, Is.EqualTo(SeqVaeTests.ActiveUnits(means, ids.Length, 8)));
        // Greedy decoding writes vocabulary words (never padding or unknown), deterministically; sampling is seeded.
        var z = means.AsSpan(0, 8).ToArray();
        var greedy = model.Decode(z);
        Assert.That(greedy, Is.Not.Empty);
        Assert.That(greedy.All(id => id >= 2 && id < vocab.Count + 2));
        Assert.That(model.Decode(z), Is.EqualTo(greedy));
        var s1 = model.Decode(z, 1.0, new Rng(4)); var s2 = model.Decode(z, 1.0, new Rng(4));
        Assert.That(s1, Is.EqualTo(s2));
        Assert.That(s1.All(id => id >= 2 && id < vocab.Count + 2));
        Assert.That(model.Decode(z, maxTokens: 3).Length, Is.LessThanOrEqualTo(3));
        Assert.Throws<ArgumentNullException>(() => model.Decode(z, 1.0));
        Assert.Throws<ArgumentException>(() => model.Decode(new float[3]));
    }

    private sealed class SyncProgress(List<VaeEpochReport> list) : IProgress<VaeEpochReport>
    {
        public void Report(VaeEpochReport value) => list.Add(value);
    }
}
