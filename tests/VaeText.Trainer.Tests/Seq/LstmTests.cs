using NUnit.Framework;
using VaeText.Core;
using VaeText.Nn;

namespace VaeText.Tests.Seq;

public class LstmTests
{
    [TestCase(false, LstmPooling.Last)]
    [TestCase(false, LstmPooling.Mean)]
    [TestCase(true, LstmPooling.Last)]
    [TestCase(true, LstmPooling.Mean)]
    public void EncoderGradientsWithVariableLengths(bool bidirectional, LstmPooling pooling)
    {
        var store = new ParameterStore<double>();
        var lstm = new Lstm<double>(store, "lstm", 3, 4, bidirectional, pooling);
        var rng = new Rng(11);
        lstm.Initialize(store, rng);
        int steps = 5, batch = 4, w = lstm.OutputSize;
        int[] lengths = [3, 5, 0, 2];
        var x = SeqGradCheck.RandomArray(rng, steps * batch * 3);
        var r = SeqGradCheck.RandomArray(rng, batch * w);
        var y = new double[batch * w];
        var ws = new Lstm<double>.Workspace();
        double Loss() { lstm.Encode(store, x, steps, batch, lengths, y, ws); return SeqGradCheck.Dot(y, r); }
        var dx = new double[x.Length];
        SeqGradCheck.Parameters(store, Loss, () => lstm.Backward(store, x, r, dx, false, ws), maxPerSlice: 16);
        SeqGradCheck.Input(x, Loss, dx, "x");
        Loss();
        for (int j = 0; j < w; j++) Assert.That(y[2 * w + j], Is.EqualTo(0.0), "empty sequence encodes to zero");
    }

    [Test]
    public void CellGradientsWithInitialStateAndRowGateBias()
    {
        var store = new ParameterStore<double>();
        var cell = new LstmCell<double>(store, "dec", 2, 3);
        var rng = new Rng(12);
        cell.Initialize(store, rng);
        int steps = 4, batch = 3, h = 3;
        int[] lengths = [4, 1, 3];
        var x = SeqGradCheck.RandomArray(rng, steps * batch * 2);
        var h0 = SeqGradCheck.RandomArray(rng, batch * h);
        var gb = SeqGradCheck.RandomArray(rng, batch * 4 * h);
        var r = SeqGradCheck.RandomArray(rng, steps * batch * h);
        for (int b = 0; b < batch; b++) for (int t = lengths[b]; t < steps; t++) for (int j = 0; j < h; j++) r[(t * batch + b) * h + j] = 0;
        var ws = new LstmCell<double>.Workspace();
        double Loss() { cell.Forward(store, x, steps, batch, lengths, h0, gb, ws); return SeqGradCheck.Dot(ws.Outputs(h), r); }
        var dx = new double[x.Length]; var dh0 = new double[h0.Length]; var dgb = new double[gb.Length];
        SeqGradCheck.Parameters(store, Loss, () => { Array.Clear(dgb); cell.Backward(store, x, r, default, dx, false, dh0, dgb, ws); });
        SeqGradCheck.Input(x, Loss, dx, "x");
        SeqGradCheck.Input(h0, Loss, dh0, "h0");
        SeqGradCheck.Input(gb, Loss, dgb, "rowGateBias");
    }

    [Test]
    public void PaddingDoesNotChangeAnEncoding()
    {
        var store = new ParameterStore<double>();
        var lstm = new Lstm<double>(store, "lstm", 3, 5, bidirectional: true, LstmPooling.Mean);
        lstm.Initialize(store, new Rng(13));
        var rng = new Rng(14);
        int steps = 6;
        int[] lengths = [6, 2];
        var x = SeqGradCheck.RandomArray(rng, steps * 2 * 3);
        var y = new double[2 * 10];
        lstm.Encode(store, x, steps, 2, lengths, y, new());
        // Sequence 1 alone, only its two real steps.
        var alone = new double[2 * 3];
        for (int t = 0; t < 2; t++) Array.Copy(x, (t * 2 + 1) * 3, alone, t * 3, 3);
        var y1 = new double[10];
        lstm.Encode(store, alone, 2, 1, [2], y1, new());
        for (int j = 0; j < 10; j++) Assert.That(y[10 + j], Is.EqualTo(y1[j]).Within(1e-12));
    }

    [Test]
    public void StepMatchesSequenceForward()
    {
        var store = new ParameterStore<double>();
        var cell = new LstmCell<double>(store, "c", 3, 4);
        cell.Initialize(store, new Rng(15));
        var rng = new Rng(16);
        int steps = 3, batch = 2;
        var x = SeqGradCheck.RandomArray(rng, steps * batch * 3);
        var h0 = SeqGradCheck.RandomArray(rng, batch * 4);
        var ws = new LstmCell<double>.Workspace();
        cell.Forward(store, x, steps, batch, [3, 3], h0, default, ws);
        var h = (double[])h0.Clone(); var c = new double[batch * 4]; var g = new double[batch * 16];
        for (int t = 0; t < steps; t++) cell.Step(store, x.AsSpan(t * batch * 3, batch * 3), batch, h, c, default, g);
        var fin = ws.Final(4).ToArray();
        for (int i = 0; i < h.Length; i++) Assert.That(h[i], Is.EqualTo(fin[i]).Within(1e-12));
    }

    [Test]
    public void RejectsBadLengths()
    {
        var store = new ParameterStore<double>();
        var lstm = new Lstm<double>(store, "lstm", 2, 2);
        lstm.Initialize(store, new Rng(1));
        var ex = Assert.Throws<ArgumentOutOfRangeException>(() => lstm.Encode(store, new double[2 * 2 * 2], 2, 2, [1, 3], new double[4], new()));
        Assert.That(ex!.Message, Does.Contain("lengths"));
    }
}
