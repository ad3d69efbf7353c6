using NUnit.Framework;
using VaeText.Core;
using VaeText.Models;
using VaeText.Nn;
using VaeText.Optim;
using VaeText.Tensors;

namespace VaeText.Tests.Seq;

public class SeqVaeTests
{
    /// A tiny two-topic corpus: enough for a VAE to separate documents in a few hundred steps.
    internal static readonly string[] Corpus =
    [
        "the team won the match in the final minute", "a great goal gave the team the cup", "the coach praised the players after the game",
        "fans cheered as the striker scored again", "the match ended with a late goal", "players trained hard before the final game",
        "the goalkeeper saved a penalty in the match", "the cup final drew a huge crowd of fans", "the striker and the coach won the cup",
        "the market fell as investors sold shares", "the bank raised interest rates again", "shares rose after the company reported profit",
        "investors bought bonds as the market fell", "the company cut costs to raise profit", "interest rates and bond prices moved together",
        "the bank reported a record profit this year", "oil prices pushed the market higher", "the company sold shares to investors",
    ];

    internal static (int[][] Seqs, CsrMatrix Bow, List<string> Vocab) Prepare(string[] texts)
    {
        var docs = texts.Select(t => t.Split(' ', StringSplitOptions.RemoveEmptyEntries)).ToArray();
        var vocab = docs.SelectMany(d => d).Distinct().OrderBy(w => w, StringComparer.Ordinal).ToList();
        var index = vocab.Select((w, i) => (w, i)).ToDictionary(p => p.w, p => p.i);
        var seqs = docs.Select(d => d.Select(w => index[w] + 2).ToArray()).ToArray();
        var rowPtr = new int[docs.Length + 1]; var idx = new List<int>(); var vals = new List<float>();
        for (int i = 0; i < docs.Length; i++)
        {
            foreach (var g in docs[i].GroupBy(w => index[w]).OrderBy(g => g.Key)) { idx.Add(g.Key); vals.Add(g.Count()); }
            rowPtr[i + 1] = idx.Count;
        }
        return (seqs, new CsrMatrix(docs.Length, vocab.Count, rowPtr, idx.ToArray(), vals.ToArray()), vocab);
    }

    private static SeqVaeOptions Small(SeqEncoderKind kind, int v) => new()
    {
        VocabularySize = v, Encoder = kind, EmbeddingSize = 8, HiddenSize = 6, Layers = 2, Heads = 2, FeedForwardSize = 10,
        LatentSize = 3, MaxLength = 6, Seed = 3,
    };

    [TestCase(SeqEncoderKind.Lstm, false, LstmPooling.Last, PositionKind.Sinusoidal)]
    [TestCase(SeqEncoderKind.Lstm, true, LstmPooling.Mean, PositionKind.Sinusoidal)]
    [TestCase(SeqEncoderKind.Transformer, false, LstmPooling.Last, PositionKind.Sinusoidal)]
    [TestCase(SeqEncoderKind.Transformer, false, LstmPooling.Last, PositionKind.Learned)]
    public void WholeLossGradientMatchesFiniteDifferences(SeqEncoderKind kind, bool bi, LstmPooling pooling, PositionKind pos)
    {
        var (seqs, bow, vocab) = Prepare(Corpus[..5]);
        var o = Small(kind, vocab.Count);
        o.Bidirectional = bi; o.Pooling = pooling; o.Positions = pos;
        var net = SeqVae.BuildNetwork<double>(o);
        net.Initialize(new Rng(o.Seed), bow);
        int[] rows = [0, 3, 1, 4];
        var tokens = new TokenBatch(seqs, rows);
        var targets = new CsrBatch(bow, rows);
        var ws = net.CreateWorkspace(4, training: true);
        double Loss() => net.Loss(tokens, targets, ws, 0.7, 0, new Rng(9), 1).Loss;
        SeqGradCheck.Parameters(net.Store, Loss, () => net.TrainBatch(tokens, targets, ws, 0.7, 0, new Rng(9), 1), maxPerSlice: 6);
    }

    [TestCase(SeqEncoderKind.Lstm)]
    [TestCase(SeqEncoderKind.Transformer)]
    public void TrainingLearnsWithoutPosteriorCollapse(SeqEncoderKind kind)
    {
        var (seqs, bow, vocab) = Prepare(Corpus);
        var model = new SeqVae(new SeqVaeOptions
        {
            VocabularySize = vocab.Count, Encoder = kind, EmbeddingSize = 16, HiddenSize = 16, Heads = 2, FeedForwardSize = 16,
            LatentSize = 4, MaxLength = 16, Seed = 7,
        }, bow);
        var net = model.Network;
        var adam = new Adam(net.Store, 1e-2);
        var ws = net.CreateWorkspace(6, true);
        var rng = new Rng(11);
        var order = Enumerable.Range(0, seqs.Length).ToArray();
        double first = double.NaN, last = 0, lastKl = 0;
        int step = 0;
        net.Store.ZeroGrad();
        for (int ep = 0; ep < 40; ep++)
        {
            rng.Shuffle(order.AsSpan());
            double sr = 0, sk = 0;
            for (int s = 0; s < order.Length; s += 6)
            {
                var rows = order.AsMemory(s, 6);
                var l = net.TrainBatch(new TokenBatch(seqs, rows), new CsrBatch(bow, rows), ws, Math.Min(1.0, step++ / 60.0), 0, rng, 1);
                adam.Step();
                sr += l.SumRecon; sk += l.SumKl;
            }
            if (ep == 0) first = sr / seqs.Length;
            last = sr / seqs.Length; lastKl = sk / seqs.Length;
        }
        Assert.That(last, Is.LessThan(first * 0.9), "reconstruction improves");
        Assert.That(lastKl, Is.GreaterThan(0.05), "KL stays above zero");
        var means = model.Encode(seqs, 1);
        int active = SeqVaeTraining.ActiveUnits(means, seqs.Length, 4);
        Assert.That(active, Is.EqualTo(ActiveUnits(means, seqs.Length, 4)));
        Assert.That(active, Is.GreaterThan(0), "some latent units carry information");
        // The two topics land apart: mean distance between topics beats mean distance within topics.
        double Dist(int a, int b) { double s = 0; for (int j = 0; j < 4; j++) s += Math.Pow(means[a * 4 + j] - means[b * 4 + j], 2); return Math.Sqrt(s); }
        double within = 0, between = 0; int nw = 0, nb = 0;
        for (int a = 0; a < 18; a++) for (int b = a + 1; b < 18; b++)
            if ((a < 9) == (b < 9)) { within += Dist(a, b); nw++; } else { between += Dist(a, b); nb++; }
        Assert.That(between / nb, Is.GreaterThan(within / nw));
    }

    /// Active units: dimensions whose posterior mean varies over the documents (Cov_x E[z|x] > 0.01).
    internal static int ActiveUnits(float[] means, int n, int l)
    {
        int active = 0;
        for (int j = 0; j < l; j++)
        {
            double s = 0, s2 = 0;
            for (int i = 0; i < n; i++) { s += means[i * l + j]; s2 += (double)means[i * l + j] * means[i * l + j]; }
            if (s2 / n - (s / n) * (s / n) > 0.01) active++;
        }
        return active;
    }

    [Test]
    public void TrainsThroughTheEngineTrainer()
    {
        var (seqs, bow, vocab) = Prepare(Corpus);
        var model = new SeqVae(Small(SeqEncoderKind.Lstm, vocab.Count), bow);
        var before = model.GetParameters();
        var trainer = new VaeText.Training.VaeTrainer(new VaeText.Training.VaeTrainingOptions { Epochs = 2, BatchSize = 6, Seed = 3 });
        var result = trainer.Train(model, seqs, bow);
        Assert.That(result, Is.Not.Null);
        Assert.That(model.GetParameters(), Is.Not.EqualTo(before));
        Assert.Throws<ArgumentException>(() => trainer.Train(model, seqs[..3], bow));
    }

    [TestCase(SeqEncoderKind.Lstm)]
    [TestCase(SeqEncoderKind.Transformer)]
    public void EncodingDoesNotDependOnBatchmates(SeqEncoderKind kind)
    {
        var (seqs, bow, vocab) = Prepare(Corpus);
        var model = new SeqVae(Small(kind, vocab.Count), bow);
        var all = model.Encode(seqs, 2);
        var alone = model.Encode([seqs[5]], 1);
        for (int j = 0; j < 3; j++) Assert.That(alone[j], Is.EqualTo(all[5 * 3 + j]).Within(1e-5));
        Assert.That(model.Encode(seqs, 1), Is.EqualTo(all), "thread count does not change results");
    }

    [TestCase(SeqEncoderKind.Lstm)]
    [TestCase(SeqEncoderKind.Transformer)]
    public void SaveLoadRoundTrip(SeqEncoderKind kind)
    {
        var (seqs, bow, vocab) = Prepare(Corpus);
        var model = new SeqVae(Small(kind, vocab.Count), bow);
        var path = Path.Combine(Path.GetTempPath(), $"seqvae-{Guid.NewGuid():N}.bin");
        try
        {
            SeqVaeSerializer.Save(model, path);
            var back = SeqVaeSerializer.Load(path);
            Assert.That(back.Options.Encoder, Is.EqualTo(kind));
            Assert.That(back.GetParameters(), Is.EqualTo(model.GetParameters()));
            Assert.That(back.Encode(seqs, 1), Is.EqualTo(model.Encode(seqs, 1)));
            var bytes = File.ReadAllBytes(path);
            Assert.Throws<InvalidDataException>(() => SeqVaeSerializer.Load(new MemoryStream(bytes[..(bytes.Length - 3)])));
            bytes[0] = (byte)'X';
            Assert.Throws<InvalidDataException>(() => SeqVaeSerializer.Load(new MemoryStream(bytes)));
        }
        finally { File.Delete(path); }
    }

    [Test]
    public void RejectsBadInputsWithClearMessages()
    {
        var (seqs, bow, vocab) = Prepare(Corpus);
        var ex = Assert.Throws<ArgumentOutOfRangeException>(() => new SeqVae(new SeqVaeOptions { VocabularySize = 0 }));
        Assert.That(ex!.ParamName, Is.EqualTo("VocabularySize"));
        Assert.Throws<ArgumentOutOfRangeException>(() => new SeqVae(new SeqVaeOptions { VocabularySize = 5, Encoder = SeqEncoderKind.Transformer, EmbeddingSize = 10, Heads = 4 }));
        var model = new SeqVae(Small(SeqEncoderKind.Lstm, vocab.Count), bow);
        var bad = Assert.Throws<ArgumentOutOfRangeException>(() => model.Encode([[2, vocab.Count + 2]], 1));
        Assert.That(bad!.Message, Does.Contain("document 0"));
    }
}
