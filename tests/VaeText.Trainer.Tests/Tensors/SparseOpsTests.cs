using NUnit.Framework;
using VaeText.Core;
using VaeText.Tensors;
using static VaeText.Tests.Tensors.TensorTestUtil;

namespace VaeText.Tests.Tensors;

public class SparseOpsTests
{
    private static void Check<T>(int rows, int cols, int n, double density, bool acc) where T : unmanaged, System.Numerics.IFloatingPointIeee754<T>
    {
        var rng = new Rng(rows * 1000 + n);
        var x = RandomCsr(rng, rows, cols, density, counts: false);
        var w = Random<T>(rng, cols * n);
        var c0 = Random<T>(rng, rows * n);
        var c1 = (T[])c0.Clone(); var c2 = (T[])c0.Clone();
        SparseOps.CsrMatMul<T>(x, w, c1, n, acc);
        SparseOpsPlain.CsrMatMul<T>(x, w, c2, n, acc);
        double tol = 4 * Eps<T>() * (cols * density + 2);
        for (int i = 0; i < c1.Length; i++) Assert.That(double.CreateChecked(c1[i]), Is.EqualTo(double.CreateChecked(c2[i])).Within(tol), $"CsrMatMul {rows}x{cols} n={n} acc={acc} at {i}");
        var dc = Random<T>(rng, rows * n);
        var d0 = Random<T>(rng, cols * n);
        var d1 = (T[])d0.Clone(); var d2 = (T[])d0.Clone();
        SparseOps.CsrTransposeMatMul<T>(x, dc, d1, n);
        SparseOpsPlain.CsrTransposeMatMul<T>(x, dc, d2, n);
        double tol2 = 4 * Eps<T>() * (rows * density + 2);
        for (int i = 0; i < d1.Length; i++) Assert.That(double.CreateChecked(d1[i]), Is.EqualTo(double.CreateChecked(d2[i])).Within(tol2), $"CsrTransposeMatMul {rows}x{cols} n={n} at {i}");
    }

    [Test]
    public void MatchesPlainOverSizes()
    {
        foreach (bool acc in new[] { false, true })
        {
            for (int n = 0; n <= 33; n++) { Check<float>(7, 19, n, 0.3, acc); Check<double>(5, 11, n, 0.4, acc); }
            Check<float>(0, 5, 4, 0.5, acc);
            Check<float>(9, 0, 4, 0.5, acc);
            Check<float>(67, 257, 67, 0.05, acc);
            Check<double>(40, 300, 257, 0.03, acc);
        }
    }

    [Test]
    public void ResultDoesNotDependOnThreadCount()
    {
        var rng = new Rng(3);
        var x = RandomCsr(rng, 256, 2000, 0.02);
        int n = 256;
        var w = Random<float>(rng, 2000 * n);
        var dc = Random<float>(rng, 256 * n);
        (float[] C, float[] Dw) Run(int threads)
        {
            var c = new float[256 * n];
            var dw = new float[2000 * n];
            WithThreads(threads, () => { SparseOps.CsrMatMul<float>(x, w, c, n, false); SparseOps.CsrTransposeMatMul<float>(x, dc, dw, n); });
            return (c, dw);
        }
        var one = Run(1);
        var two = Run(2);
        var three = Run(3);
        Assert.That(two.C, Is.EqualTo(one.C));
        Assert.That(two.Dw, Is.EqualTo(one.Dw));
        Assert.That(three.Dw, Is.EqualTo(one.Dw));
    }

    [Test]
    public void BadArgumentsAreRejected()
    {
        var x = RandomCsr(new Rng(1), 3, 4, 0.5);
        Assert.Throws<ArgumentException>(() => SparseOps.CsrMatMul<float>(x, new float[4 * 2 - 1], new float[3 * 2], 2, false));
        Assert.Throws<ArgumentException>(() => SparseOps.CsrMatMul<float>(x, new float[4 * 2], new float[3 * 2 - 1], 2, false));
        Assert.Throws<ArgumentException>(() => SparseOps.CsrTransposeMatMul<float>(x, new float[3 * 2], new float[4 * 2 - 1], 2));
        Assert.Throws<ArgumentOutOfRangeException>(() => SparseOps.CsrMatMul<float>(x, new float[8], new float[6], -1, false));
    }
}
