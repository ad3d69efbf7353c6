using System.Numerics;
using NUnit.Framework;
using VaeText.Core;
using VaeText.Tensors;
using static VaeText.Tests.Tensors.TensorTestUtil;

namespace VaeText.Tests.Tensors;

public class GemmTests
{
    public enum Form { MatMul, TransB, TransA }

    private static void Fast<T>(Form f, T[] a, T[] b, T[] c, int m, int k, int n, bool acc) where T : unmanaged, IFloatingPointIeee754<T>
    {
        switch (f)
        {
            case Form.MatMul: Gemm.MatMul<T>(a, b, c, m, k, n, acc); break;
            case Form.TransB: Gemm.MatMulTransB<T>(a, b, c, m, k, n, acc); break;
            default: Gemm.MatMulTransA<T>(a, b, c, m, k, n, acc); break;
        }
    }

    private static void Plain<T>(Form f, T[] a, T[] b, T[] c, int m, int k, int n, bool acc) where T : unmanaged, IFloatingPointIeee754<T>
    {
        switch (f)
        {
            case Form.MatMul: GemmPlain.MatMul<T>(a, b, c, m, k, n, acc); break;
            case Form.TransB: GemmPlain.MatMulTransB<T>(a, b, c, m, k, n, acc); break;
            default: GemmPlain.MatMulTransA<T>(a, b, c, m, k, n, acc); break;
        }
    }

    private static void Compare<T>(Rng rng, Form f, int m, int k, int n, bool acc) where T : unmanaged, IFloatingPointIeee754<T>
    {
        var a = Random<T>(rng, m * k);
        var b = Random<T>(rng, k * n);
        var c0 = Random<T>(rng, m * n + 3);
        var c1 = (T[])c0.Clone();
        var c2 = (T[])c0.Clone();
        Fast(f, a, b, c1, m, k, n, acc);
        Plain(f, a, b, c2, m, k, n, acc);
        double tol = 4 * Eps<T>() * (k + 2);
        for (int i = 0; i < c1.Length; i++)
        {
            double x = double.CreateChecked(c1[i]), y = double.CreateChecked(c2[i]);
            if (Math.Abs(x - y) > tol)
                Assert.Fail($"{typeof(T).Name} {f} m={m} k={k} n={n} acc={acc}: element {i} fast={x} plain={y}");
        }
        // Elements past m*n are untouched.
        for (int i = m * n; i < c1.Length; i++) Assert.That(c1[i], Is.EqualTo(c0[i]));
    }

    private static void AllSizes<T>(Form f) where T : unmanaged, IFloatingPointIeee754<T>
    {
        var rng = new Rng(11 + (int)f);
        foreach (bool acc in new[] { false, true })
        {
            for (int s = 0; s <= 33; s++)
            {
                Compare<T>(rng, f, s, 7, 35, acc);
                Compare<T>(rng, f, 13, s, 33, acc);
                Compare<T>(rng, f, 29, 9, s, acc);
            }
            Compare<T>(rng, f, 1, 1, 1, acc);
            Compare<T>(rng, f, 67, 257, 45, acc);
            Compare<T>(rng, f, 37, 67, 129, acc);
            Compare<T>(rng, f, 5, 600, 70, acc);
            Compare<T>(rng, f, 100, 64, 257, acc);
        }
    }

    [TestCase(Form.MatMul)]
    [TestCase(Form.TransB)]
    [TestCase(Form.TransA)]
    public void FloatMatchesPlainOverSizes(Form f) => AllSizes<float>(f);

    [TestCase(Form.MatMul)]
    [TestCase(Form.TransB)]
    [TestCase(Form.TransA)]
    public void DoubleMatchesPlainOverSizes(Form f) => AllSizes<double>(f);

    [TestCase(Form.MatMul, 256, 1000, 64)]
    [TestCase(Form.TransB, 256, 64, 1000)]
    [TestCase(Form.TransA, 1000, 256, 64)]
    [TestCase(Form.MatMul, 130, 300, 130)]
    [TestCase(Form.TransA, 77, 513, 91)]
    public void ResultDoesNotDependOnThreadCount(Form f, int m, int k, int n)
    {
        foreach (bool acc in new[] { false, true })
        {
            var rng = new Rng(5);
            var a = Random<float>(rng, m * k);
            var b = Random<float>(rng, k * n);
            var c0 = Random<float>(rng, m * n);
            float[] Run(int threads)
            {
                var c = (float[])c0.Clone();
                WithThreads(threads, () => Fast(f, a, b, c, m, k, n, acc));
                return c;
            }
            var one = Run(1);
            Assert.That(Run(2), Is.EqualTo(one), "2 threads");
            Assert.That(Run(3), Is.EqualTo(one), "3 threads");
            var ad = Array.ConvertAll(a, x => (double)x);
            var bd = Array.ConvertAll(b, x => (double)x);
            var cd0 = Array.ConvertAll(c0, x => (double)x);
            double[] RunD(int threads)
            {
                var c = (double[])cd0.Clone();
                WithThreads(threads, () => Fast(f, ad, bd, c, m, k, n, acc));
                return c;
            }
            Assert.That(RunD(2), Is.EqualTo(RunD(1)), "double, 2 threads");
        }
    }

    [Test]
    public void LargeProductMatchesPlain()
    {
        var rng = new Rng(9);
        foreach (Form f in Enum.GetValues<Form>()) Compare<float>(rng, f, 150, 300, 170, true);
    }

    [Test]
    public void HalfFallsBackToPlain()
    {
        var a = new Half[] { (Half)1, (Half)2, (Half)3, (Half)4 };
        var b = new Half[] { (Half)1, (Half)0, (Half)0, (Half)1 };
        var c = new Half[4];
        Gemm.MatMul<Half>(a, b, c, 2, 2, 2);
        Assert.That(c, Is.EqualTo(a));
    }

    [Test]
    public void BadArgumentsAreRejected()
    {
        var x = new float[6];
        Assert.Throws<ArgumentOutOfRangeException>(() => Gemm.MatMul<float>(x, x, x, -1, 2, 3));
        var e = Assert.Throws<ArgumentException>(() => Gemm.MatMul<float>(x, new float[9], new float[5], 2, 3, 3));
        Assert.That(e!.ParamName, Is.EqualTo("c"));
        Assert.Throws<ArgumentException>(() => Gemm.MatMulTransA<float>(new float[5], x, x, 2, 3, 2));
        Assert.Throws<ArgumentOutOfRangeException>(() => KernelOptions.MaxThreads = 0);
    }
}
