using NUnit.Framework;
using VaeText.Core;
using VaeText.Models;
using VaeText.Nn;
using VaeText.Tests.Nn;
using VaeText.Tests.Support;

namespace VaeText.Tests.Models;

public class BowVaeGradientTests
{
    [TestCase(Activation.Tanh, 0.0, 0.0, 0.7)]
    [TestCase(Activation.Softplus, 0.3, 0.0, 1.0)]
    [TestCase(Activation.Tanh, 0.0, 0.05, 1.0)]
    [TestCase(Activation.ReLU, 0.0, 0.0, 0.4)]
    public void WholeLossGradientMatchesFiniteDifferences(Activation act, double dropout, double freeBits, double beta)
    {
        var o = new BowVaeOptions { VocabularySize = 11, EncoderHiddenSizes = new[] { 6, 5 }, LatentSize = 3, Activation = act, EncoderDropout = dropout, Seed = 4 };
        var net = BowVae.BuildNetwork<double>(o);
        var x = LayerGradientTests.RandomCsr(6, 11, 21, 0.4);
        net.Initialize(new Rng(o.Seed), x);
        var batch = new CsrBatch(x, new[] { 0, 2, 3, 5, 1 });
        var ws = net.CreateWorkspace(5, training: true);
        double Loss() => net.Loss(batch, batch, ws, beta, freeBits, new Rng(77), 1).Loss;
        net.Store.ZeroGrad();
        var l = net.TrainBatch(batch, batch, ws, beta, freeBits, new Rng(77), 1);
        Assert.That(l.Loss, Is.EqualTo(Loss()).Within(1e-12));
        var grads = (double[])net.Store.Grads.Clone();
        Assert.That(grads.Any(g => g != 0));
        GradCheck.AssertGradient(net.Store.Values, grads, Loss, $"BowVae {act} loss", epsilon: 1e-6, tolerance: 2e-6);
    }

    [Test]
    public void LossPiecesMatchClosedForms()
    {
        var o = new BowVaeOptions { VocabularySize = 9, EncoderHiddenSizes = new[] { 4 }, LatentSize = 2, Seed = 2 };
        var net = BowVae.BuildNetwork<double>(o);
        var x = LayerGradientTests.RandomCsr(3, 9, 5, 0.5);
        net.Initialize(new Rng(2), x);
        var batch = new CsrBatch(x, new[] { 0, 1, 2 });
        var ws = net.CreateWorkspace(3, training: true);
        var l = net.Loss(batch, batch, ws, 0.5, 0, new Rng(8), 1);
        // recompute from the workspace's z, mean and logVar with plain loops
        var store = net.Store;
        var w = store.Value(net.Head.Decoder.Weight).ToArray();
        var bias = store.Value(net.Head.Decoder.Bias).ToArray();
        double recon = 0, kl = 0;
        for (int r = 0; r < 3; r++)
        {
            var logits = new double[9];
            for (int v = 0; v < 9; v++) { logits[v] = bias[v]; for (int j = 0; j < 2; j++) logits[v] += w[v * 2 + j] * ws.Z[r * 2 + j]; }
            double max = logits.Max(), s = logits.Sum(t => Math.Exp(t - max));
            for (int p = x.RowPtr[r]; p < x.RowPtr[r + 1]; p++) recon -= x.Values[p] * (logits[x.Indices[p]] - max - Math.Log(s));
            for (int j = 0; j < 2; j++)
            {
                double mu = ws.Mean[r * 2 + j], lv = ws.LogVar[r * 2 + j];
                kl += 0.5 * (mu * mu + Math.Exp(lv) - 1 - lv);
                Assert.That(ws.Z[r * 2 + j], Is.EqualTo(mu + Math.Exp(lv / 2) * ws.Eps[r * 2 + j]).Within(1e-12));
            }
        }
        Assert.That(l.SumRecon, Is.EqualTo(recon).Within(1e-9));
        Assert.That(l.SumKl, Is.EqualTo(kl).Within(1e-12));
        Assert.That(l.Loss, Is.EqualTo((recon + 0.5 * kl) / 3).Within(1e-9));
        // decoder bias starts at the log background frequency (add-one smoothing)
        var net2 = BowVae.BuildNetwork<double>(o);
        net2.Initialize(new Rng(2), x);
        var freq = new double[9];
        for (int i = 0; i < 9; i++) freq[i] = 1;
        for (int p = 0; p < x.NonZeros; p++) freq[x.Indices[p]] += x.Values[p];
        var b2 = net2.Store.Value(net2.Head.Decoder.Bias).ToArray();
        for (int i = 0; i < 9; i++) Assert.That(b2[i], Is.EqualTo(Math.Log(freq[i] / freq.Sum())).Within(1e-12));
    }

    [Test]
    public void KlScheduleValues()
    {
        Assert.That(KlSchedule.Beta(KlAnnealing.Linear, 0, 1000), Is.EqualTo(0));
        Assert.That(KlSchedule.Beta(KlAnnealing.Linear, 250, 1000), Is.EqualTo(0.25));
        Assert.That(KlSchedule.Beta(KlAnnealing.Linear, 5000, 1000), Is.EqualTo(1));
        Assert.That(KlSchedule.Beta(KlAnnealing.Constant, 0, 1000), Is.EqualTo(1));
        Assert.That(KlSchedule.Beta(KlAnnealing.Sigmoid, 500, 1000), Is.EqualTo(0.5).Within(1e-15));
        Assert.That(KlSchedule.Beta(KlAnnealing.Sigmoid, 0, 1000), Is.LessThan(0.01));
    }
}
