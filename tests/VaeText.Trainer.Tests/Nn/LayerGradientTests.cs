using NUnit.Framework;
using VaeText.Core;
using VaeText.Nn;
using VaeText.Tensors;
using VaeText.Tests.Support;

namespace VaeText.Tests.Nn;

/// <summary>Finite-difference checks of every layer's input and parameter gradients (loss = Σ output·R).</summary>
public class LayerGradientTests
{
    internal static CsrMatrix RandomCsr(int rows, int cols, int seed, double density = 0.3)
    {
        var r = new Rng(seed);
        var ptr = new List<int> { 0 };
        var idx = new List<int>();
        var val = new List<float>();
        for (int i = 0; i < rows; i++)
        {
            for (int c = 0; c < cols; c++)
                if (r.NextDouble() < density) { idx.Add(c); val.Add(1 + r.NextInt(4)); }
            ptr.Add(idx.Count);
        }
        return new CsrMatrix(rows, cols, ptr.ToArray(), idx.ToArray(), val.ToArray());
    }

    [Test]
    public void LinearInputAndParameterGradients()
    {
        const int b = 3, inF = 5, outF = 4;
        var store = new ParameterStore<double>();
        var lin = new Linear<double>(store, "l", inF, outF);
        lin.Initialize(new Rng(1));
        var x = GradCheck.Random(b * inF, 2);
        var r = GradCheck.Random(b * outF, 3);
        var y = new double[b * outF];
        double Loss() { lin.Forward(x, y, b); return GradCheck.Dot(y, r); }
        store.ZeroGrad();
        Loss();
        var dx = new double[b * inF];
        lin.Backward(x, r, dx, b);
        GradCheck.AssertGradient(x, dx, Loss, "Linear input");
        var grads = (double[])store.Grads.Clone();
        GradCheck.AssertGradient(store.Values, grads, Loss, "Linear parameters");
        // accumulateInput adds to what is there
        var dx2 = (double[])dx.Clone();
        lin.Backward(x, r, dx2, b, accumulateInput: true);
        for (int i = 0; i < dx.Length; i++) Assert.That(dx2[i], Is.EqualTo(2 * dx[i]).Within(1e-12));
    }

    [Test]
    public void LinearInitIsPyTorchBound()
    {
        var store = new ParameterStore<float>();
        var lin = new Linear<float>(store, "l", 100, 30);
        lin.Initialize(new Rng(5));
        var w = store.Value(lin.Weight).ToArray();
        Assert.That(w.Max(), Is.LessThanOrEqualTo(0.1f).And.GreaterThan(0.09f));
        Assert.That(w.Min(), Is.GreaterThanOrEqualTo(-0.1f).And.LessThan(-0.09f));
        Assert.That(w.Average(), Is.EqualTo(0).Within(0.01));
    }

    [Test]
    public void SparseLinearParameterGradientsAndDenseTwin()
    {
        const int v = 7, outF = 3;
        var x = RandomCsr(5, v, 4);
        var rows = new[] { 3, 0, 4, 0 };
        var batch = new CsrBatch(x, rows);
        var store = new ParameterStore<double>();
        var lin = new SparseLinear<double>(store, "s", v, outF);
        lin.Initialize(new Rng(9));
        var r = GradCheck.Random(rows.Length * outF, 5);
        var y = new double[rows.Length * outF];
        double Loss() { lin.Forward(batch, y); return GradCheck.Dot(y, r); }
        Loss();
        // dense twin
        var w = store.Value(lin.Weight).ToArray();
        var bias = store.Value(lin.Bias).ToArray();
        for (int i = 0; i < rows.Length; i++)
            for (int o = 0; o < outF; o++)
            {
                double s = bias[o];
                for (int p = x.RowPtr[rows[i]]; p < x.RowPtr[rows[i] + 1]; p++) s += x.Values[p] * w[x.Indices[p] * outF + o];
                Assert.That(y[i * outF + o], Is.EqualTo(s).Within(1e-12));
            }
        store.ZeroGrad();
        lin.Backward(batch, r);
        GradCheck.AssertGradient(store.Values, (double[])store.Grads.Clone(), Loss, "SparseLinear parameters");
    }

    [TestCase(Activation.ReLU)]
    [TestCase(Activation.Softplus)]
    [TestCase(Activation.Tanh)]
    public void ActivationInputGradient(Activation kind)
    {
        const int b = 4, n = 6;
        var act = new ActivationLayer<double>(kind, n);
        var x = GradCheck.Random(b * n, 11, 3);
        // keep ReLU inputs away from the kink
        for (int i = 0; i < x.Length; i++) if (Math.Abs(x[i]) < 1e-3) x[i] = 0.5;
        var r = GradCheck.Random(b * n, 12);
        var y = new double[b * n];
        double Loss() { act.Forward(x, y, b); return GradCheck.Dot(y, r); }
        Loss();
        var dx = new double[b * n];
        act.Backward(x, y, r, dx, b);
        GradCheck.AssertGradient(x, dx, Loss, kind + " input");
    }

    [Test]
    public void ActivationValues()
    {
        var x = new double[] { -2, 0, 3, 1000, -1000 };
        var y = new double[5];
        new ActivationLayer<double>(Activation.Softplus, 5).Forward(x, y, 1);
        Assert.That(y[0], Is.EqualTo(Math.Log(1 + Math.Exp(-2))).Within(1e-14));
        Assert.That(y[1], Is.EqualTo(Math.Log(2)).Within(1e-14));
        Assert.That(y[3], Is.EqualTo(1000).Within(1e-9));
        Assert.That(y[4], Is.EqualTo(0).Within(1e-300));
        new ActivationLayer<double>(Activation.ReLU, 5).Forward(x, y, 1);
        Assert.That(y, Is.EqualTo(new double[] { 0, 0, 3, 1000, 0 }));
        new ActivationLayer<double>(Activation.Tanh, 5).Forward(x, y, 1);
        Assert.That(y[0], Is.EqualTo(Math.Tanh(-2)).Within(1e-14));
    }

    [Test]
    public void DropoutWithFixedMask()
    {
        const int n = 40;
        var d = new Dropout<double>(0.25);
        var mask = new double[n];
        d.SampleMask(mask, new Rng(3));
        Assert.That(mask.All(m => m == 0 || Math.Abs(m - 1 / 0.75) < 1e-15));
        Assert.That(mask.Count(m => m == 0), Is.InRange(3, 20));
        var x = GradCheck.Random(n, 4);
        var r = GradCheck.Random(n, 5);
        var y = new double[n];
        double Loss() { d.Forward(x, mask, y, n); return GradCheck.Dot(y, r); }
        Loss();
        var dx = new double[n];
        d.Backward(r, mask, dx, n);
        GradCheck.AssertGradient(x, dx, Loss, "Dropout input");
        Assert.Throws<ArgumentOutOfRangeException>(() => new Dropout<float>(1.0));
        Assert.Throws<ArgumentOutOfRangeException>(() => new Dropout<float>(double.NaN));
    }
}
