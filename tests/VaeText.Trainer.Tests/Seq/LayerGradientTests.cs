using NUnit.Framework;
using VaeText.Core;
using VaeText.Nn;

namespace VaeText.Tests.Seq;

public class LayerGradientTests
{
    [Test]
    public void AffineGradients()
    {
        var store = new ParameterStore<double>();
        var lin = new Affine<double>(store, "lin", 5, 3);
        var rng = new Rng(1);
        lin.Initialize(store, rng);
        SeqOps.Normal<double>(store.Value(lin.Bias), rng, 0.5);
        int rows = 4;
        var x = SeqGradCheck.RandomArray(rng, rows * 5);
        var r = SeqGradCheck.RandomArray(rng, rows * 3);
        var y = new double[rows * 3];
        double Loss() { lin.Forward(store, x, rows, y); return SeqGradCheck.Dot(y, r); }
        var dx = new double[x.Length];
        SeqGradCheck.Parameters(store, Loss, () => lin.Backward(store, x, r, rows, dx));
        SeqGradCheck.Input(x, Loss, dx, "x");
    }

    [Test]
    public void EmbeddingGradientsAndPadding()
    {
        var store = new ParameterStore<double>();
        var emb = new Embedding<double>(store, "emb", 6, 4);
        var rng = new Rng(2);
        emb.Initialize(store, rng);
        int[] ids = [3, 0, 5, 3, 1, 0];
        var r = SeqGradCheck.RandomArray(rng, ids.Length * 4);
        var y = new double[ids.Length * 4];
        double Loss() { emb.Forward(store, ids, y); return SeqGradCheck.Dot(y, r); }
        Loss();
        for (int j = 0; j < 4; j++) Assert.That(y[4 + j], Is.EqualTo(0.0), "padding id embeds to zero");
        SeqGradCheck.Parameters(store, Loss, () => emb.Backward(store, ids, r), maxPerSlice: 24);
        for (int j = 0; j < 4; j++) Assert.That(store.Grad(emb.Table)[j], Is.EqualTo(0.0), "padding row gets no gradient");
        Assert.Throws<ArgumentOutOfRangeException>(() => emb.Forward(store, [6], y));
    }

    [Test]
    public void LayerNormGradients()
    {
        var store = new ParameterStore<double>();
        var ln = new LayerNorm<double>(store, "ln", 6);
        var rng = new Rng(3);
        ln.Initialize(store);
        SeqOps.Normal<double>(store.Value(ln.Gain), rng, 1.0);
        SeqOps.Normal<double>(store.Value(ln.Shift), rng, 1.0);
        int rows = 3;
        var x = SeqGradCheck.RandomArray(rng, rows * 6, 2.0);
        var r = SeqGradCheck.RandomArray(rng, rows * 6);
        var y = new double[x.Length]; var xh = new double[x.Length]; var rs = new double[rows];
        double Loss() { ln.Forward(store, x, rows, y, xh, rs); return SeqGradCheck.Dot(y, r); }
        var dx = new double[x.Length];
        SeqGradCheck.Parameters(store, Loss, () => ln.Backward(store, r, rows, xh, rs, dx, false, new double[6]));
        SeqGradCheck.Input(x, Loss, dx, "x");
        // Normalised rows have zero mean and unit variance before the affine part.
        Loss();
        for (int row = 0; row < rows; row++)
        {
            double m = 0, v = 0;
            for (int j = 0; j < 6; j++) m += xh[row * 6 + j];
            for (int j = 0; j < 6; j++) v += xh[row * 6 + j] * xh[row * 6 + j];
            Assert.That(m / 6, Is.EqualTo(0).Within(1e-12));
            Assert.That(v / 6, Is.EqualTo(1).Within(1e-4));
        }
    }

    [Test]
    public void FeedForwardGradients()
    {
        var store = new ParameterStore<double>();
        var ff = new FeedForward<double>(store, "ff", 4, 7);
        var rng = new Rng(4);
        ff.Initialize(store, rng);
        SeqOps.Normal<double>(store.Value(ff.Up.Bias), rng, 0.3);
        int rows = 5;
        var x = SeqGradCheck.RandomArray(rng, rows * 4);
        var r = SeqGradCheck.RandomArray(rng, rows * 4);
        var y = new double[x.Length]; var hid = new double[rows * 7];
        double Loss() { ff.Forward(store, x, rows, y, hid); return SeqGradCheck.Dot(y, r); }
        var dx = new double[x.Length];
        SeqGradCheck.Parameters(store, Loss, () => ff.Backward(store, x, hid, r, rows, dx, false, new double[rows * 7]));
        SeqGradCheck.Input(x, Loss, dx, "x");
    }

    [Test]
    public void LearnedPositionsAndMeanPoolingGradients()
    {
        var store = new ParameterStore<double>();
        var pos = new LearnedPositions<double>(store, "pos", 4, 3);
        var rng = new Rng(5);
        pos.Initialize(store, rng);
        int[] starts = [0, 4, 8], lengths = [4, 2, 0];
        int rows = 12;
        var x = SeqGradCheck.RandomArray(rng, rows * 3);
        var r = SeqGradCheck.RandomArray(rng, 3 * 3);
        var buf = new double[x.Length]; var y = new double[9];
        double Loss()
        {
            x.CopyTo(buf, 0);
            pos.Forward(store, buf, starts, lengths);
            MeanPooling.Forward<double>(buf, 3, starts, lengths, y);
            return SeqGradCheck.Dot(y, r);
        }
        var dx = new double[x.Length];
        SeqGradCheck.Parameters(store, Loss, () =>
        {
            MeanPooling.Backward<double>(r, 3, starts, lengths, dx);
            pos.Backward(store, dx, starts, lengths);
        });
        SeqGradCheck.Input(x, Loss, dx, "x");
        Loss();
        Assert.That(y[6..9], Is.All.EqualTo(0.0), "empty sequence pools to zero");
    }

    [Test]
    public void SinusoidalTableMatchesClosedForm()
    {
        var pe = SinusoidalPositions.Table<double>(5, 6);
        Assert.That(pe[0], Is.EqualTo(0.0)); Assert.That(pe[1], Is.EqualTo(1.0));
        Assert.That(pe[3 * 6 + 2], Is.EqualTo(Math.Sin(3 * Math.Pow(10000, -2.0 / 6))).Within(1e-15));
        Assert.That(pe[3 * 6 + 5], Is.EqualTo(Math.Cos(3 * Math.Pow(10000, -4.0 / 6))).Within(1e-15));
    }

    [Test]
    public void AttentionGradientsWithPadding()
    {
        var store = new ParameterStore<double>();
        var att = new MultiHeadSelfAttention<double>(store, "att", 4, 2) { MaxThreads = 2 };
        var rng = new Rng(6);
        att.Initialize(store, rng);
        SeqOps.Normal<double>(store.Value(att.Qkv.Bias), rng, 0.2);
        int steps = 4, batch = 3, d = 4, rows = steps * batch;
        int[] starts = [0, 4, 8], lengths = [4, 2, 1];
        var x = SeqGradCheck.RandomArray(rng, rows * d);
        var r = SeqGradCheck.RandomArray(rng, rows * d);
        for (int b = 0; b < batch; b++) for (int t = lengths[b]; t < steps; t++) for (int j = 0; j < d; j++) r[(b * steps + t) * d + j] = 0;
        var y = new double[x.Length];
        var ws = new MultiHeadSelfAttention<double>.Workspace();
        double Loss() { att.Forward(store, x, rows, starts, lengths, y, ws); return SeqGradCheck.Dot(y, r); }
        var dx = new double[x.Length];
        SeqGradCheck.Parameters(store, Loss, () => att.Backward(store, x, r, dx, false, ws));
        SeqGradCheck.Input(x, Loss, dx, "x");
        for (int t = 2; t < 4; t++) for (int j = 0; j < d; j++) Assert.That(dx[(4 + t) * d + j], Is.EqualTo(0.0), "padding rows get no gradient");
    }

    [Test]
    public void AttentionPaddedEqualsPacked()
    {
        var store = new ParameterStore<double>();
        var att = new MultiHeadSelfAttention<double>(store, "att", 8, 4);
        att.Initialize(store, new Rng(7));
        var rng = new Rng(8);
        int steps = 5, d = 8;
        int[] lengths = [5, 3];
        var padded = SeqGradCheck.RandomArray(rng, 2 * steps * d);
        var packed = new double[8 * d];
        Array.Copy(padded, 0, packed, 0, 5 * d);
        Array.Copy(padded, 5 * d, packed, 5 * d, 3 * d);
        var y1 = new double[padded.Length]; var y2 = new double[packed.Length];
        att.Forward(store, padded, 10, [0, 5], lengths, y1, new());
        // Garbage in padding rows must not change anything.
        for (int i = 8 * d; i < 10 * d; i++) padded[i] = 1e3;
        var y3 = new double[padded.Length];
        att.Forward(store, padded, 10, [0, 5], lengths, y3, new());
        att.Forward(store, packed, 8, [0, 5], lengths, y2, new());
        for (int i = 0; i < 8 * d; i++)
        {
            Assert.That(y2[i], Is.EqualTo(y1[i]).Within(1e-12));
            Assert.That(y3[i], Is.EqualTo(y1[i]).Within(1e-12));
        }
    }

    [Test]
    public void TransformerBlockGradientsPacked()
    {
        var store = new ParameterStore<double>();
        var blk = new TransformerEncoderBlock<double>(store, "blk", 4, 2, 6);
        var rng = new Rng(9);
        blk.Initialize(store, rng);
        SeqOps.Normal<double>(store.Value(blk.Norm1.Gain), rng, 1.0);
        SeqOps.Normal<double>(store.Value(blk.FeedForward.Up.Bias), rng, 0.3);
        int[] starts = [0, 3], lengths = [3, 2];
        int rows = 5, d = 4;
        var x = SeqGradCheck.RandomArray(rng, rows * d);
        var r = SeqGradCheck.RandomArray(rng, rows * d);
        var y = new double[x.Length];
        var ws = new TransformerEncoderBlock<double>.Workspace();
        double Loss() { blk.Forward(store, x, rows, starts, lengths, y, ws); return SeqGradCheck.Dot(y, r); }
        var dx = new double[x.Length];
        SeqGradCheck.Parameters(store, Loss, () => blk.Backward(store, x, r, dx, false, ws));
        SeqGradCheck.Input(x, Loss, dx, "x");
    }
}
