using System.Diagnostics;
using System.Globalization;
using System.Runtime.Intrinsics;
using VaeText.Core;
using VaeText.Tensors;

namespace VaeText.Bench;

/// <summary>
/// GEMM micro-benchmark: `gemm [--threads N] [--min-ms T]`. Prints one JSON line per shape with GFLOP/s of the
/// fast kernel (and of the plain twin on small shapes), an estimated machine peak (a tight FMA loop per core
/// times the threads) and the ratio to it.
/// </summary>
internal static class GemmBench
{
    private enum Form { MatMul, TransB, TransA }

    public static int Run(string[] args)
    {
        int threads = Environment.ProcessorCount;
        double minMs = 300;
        bool ab = false;
        for (int i = 0; i < args.Length; i++)
        {
            switch (args[i])
            {
                case "--threads": threads = int.Parse(args[++i], CultureInfo.InvariantCulture); break;
                case "--min-ms": minMs = double.Parse(args[++i], CultureInfo.InvariantCulture); break;
                case "--ab": ab = true; break;
                default: Console.Error.WriteLine($"gemm: unknown option '{args[i]}'"); return 2;
            }
        }
        KernelOptions.MaxThreads = threads;
        double peak1 = PeakPerCore();
        double peak = peak1 * Math.Min(threads, Environment.ProcessorCount);
        var shapes = new (string Name, Form F, int M, int K, int N)[]
        {
            ("decoder_fwd_transB", Form.TransB, 256, 64, 20000),
            ("decoder_dW_transA", Form.TransA, 20000, 256, 64),
            ("decoder_dz_matmul", Form.MatMul, 256, 20000, 64),
            ("enc_256x256x256", Form.MatMul, 256, 256, 256),
            ("enc_256x256x256_transB", Form.TransB, 256, 256, 256),
            ("enc_256x256x256_transA", Form.TransA, 256, 256, 256),
            ("enc_256x256x64_transB", Form.TransB, 256, 256, 64),
            ("enc_256x256x64_matmul", Form.MatMul, 256, 256, 64),
            ("square_512", Form.MatMul, 512, 512, 512),
        };
        foreach (var s in shapes)
        {
            var rng = new Rng(1);
            var a = new float[s.M * s.K]; rng.FillGaussian(a);
            var b = new float[s.K * s.N]; rng.FillGaussian(b);
            var c = new float[s.M * s.N];
            double flops = 2.0 * s.M * s.K * s.N;
            if (ab)
            {
                // Interleaved A/B of the in-place-A path against always packing A (noise-robust: best of each).
                double inPlace = 0, packed = 0;
                for (int r = 0; r < 4; r++)
                {
                    GemmDriver.AlwaysPackA = false;
                    inPlace = Math.Max(inPlace, Measure(() => Call(s.F, a, b, c, s.M, s.K, s.N, false), flops, minMs / 4));
                    GemmDriver.AlwaysPackA = true;
                    packed = Math.Max(packed, Measure(() => Call(s.F, a, b, c, s.M, s.K, s.N, false), flops, minMs / 4));
                }
                GemmDriver.AlwaysPackA = false;
                Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"{{\"shape\":\"{s.Name}\",\"in_place_a_gflops\":{inPlace:F2},\"packed_a_gflops\":{packed:F2}}}"));
                continue;
            }
            double fast = Measure(() => Call(s.F, a, b, c, s.M, s.K, s.N, false), flops, minMs);
            string plain = "null";
            if (flops <= 40e6)
                plain = Measure(() => CallPlain(s.F, a, b, c, s.M, s.K, s.N), flops, minMs / 3).ToString("F2", CultureInfo.InvariantCulture);
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"{{\"bench\":\"gemm\",\"shape\":\"{s.Name}\",\"form\":\"{s.F}\",\"m\":{s.M},\"k\":{s.K},\"n\":{s.N},\"threads\":{threads},\"fast_gflops\":{fast:F2},\"plain_gflops\":{plain},\"peak_gflops\":{peak:F1},\"peak_per_core_gflops\":{peak1:F1},\"fraction_of_peak\":{fast / peak:F3},\"isa\":\"{(Vector512.IsHardwareAccelerated ? "avx512" : Vector256.IsHardwareAccelerated ? "avx2" : "scalar")}\"}}"));
        }
        return 0;
    }

    private static void Call(Form f, float[] a, float[] b, float[] c, int m, int k, int n, bool acc)
    {
        switch (f)
        {
            case Form.MatMul: Gemm.MatMul<float>(a, b, c, m, k, n, acc); break;
            case Form.TransB: Gemm.MatMulTransB<float>(a, b, c, m, k, n, acc); break;
            default: Gemm.MatMulTransA<float>(a, b, c, m, k, n, acc); break;
        }
    }

    private static void CallPlain(Form f, float[] a, float[] b, float[] c, int m, int k, int n)
    {
        switch (f)
        {
            case Form.MatMul: GemmPlain.MatMul<float>(a, b, c, m, k, n); break;
            case Form.TransB: GemmPlain.MatMulTransB<float>(a, b, c, m, k, n); break;
            default: GemmPlain.MatMulTransA<float>(a, b, c, m, k, n); break;
        }
    }

    /// <summary>Best GFLOP/s over repeated runs (after warm-up) lasting at least <paramref name="minMs"/> in total.</summary>
    private static double Measure(Action body, double flops, double minMs)
    {
        for (int i = 0; i < 3; i++) body();
        double best = double.MaxValue, total = 0;
        int runs = 0;
        while (total < minMs || runs < 5)
        {
            long t0 = Stopwatch.GetTimestamp();
            body();
            double ms = Stopwatch.GetElapsedTime(t0).TotalMilliseconds;
            best = Math.Min(best, ms);
            total += ms;
            runs++;
        }
        return flops / (best * 1e6);
    }

    /// <summary>GFLOP/s of independent FMA chains on one core (Vector512 when accelerated, else Vector256).</summary>
    private static double PeakPerCore()
    {
        double best = 0;
        for (int rep = 0; rep < 25; rep++)
        {
            const int iters = 2_000_000;
            long t0 = Stopwatch.GetTimestamp();
            double sink = Vector512.IsHardwareAccelerated ? Fma512(iters) : Fma256(iters);
            double s = Stopwatch.GetElapsedTime(t0).TotalSeconds;
            int lanes = Vector512.IsHardwareAccelerated ? 16 : 8;
            double gf = 2.0 * 12 * lanes * iters / s / 1e9;
            if (sink != 1.2345) best = Math.Max(best, gf);
        }
        return best;
    }

    private static double Fma512(int iters)
    {
        var x = Vector512.Create(0.999f);
        var y = Vector512.Create(1e-7f);
        Vector512<float> a0 = x, a1 = x, a2 = x, a3 = x, a4 = x, a5 = x, a6 = x, a7 = x, a8 = x, a9 = x, a10 = x, a11 = x;
        for (int i = 0; i < iters; i++)
        {
            a0 = Vector512.FusedMultiplyAdd(a0, x, y); a1 = Vector512.FusedMultiplyAdd(a1, x, y);
            a2 = Vector512.FusedMultiplyAdd(a2, x, y); a3 = Vector512.FusedMultiplyAdd(a3, x, y);
            a4 = Vector512.FusedMultiplyAdd(a4, x, y); a5 = Vector512.FusedMultiplyAdd(a5, x, y);
            a6 = Vector512.FusedMultiplyAdd(a6, x, y); a7 = Vector512.FusedMultiplyAdd(a7, x, y);
            a8 = Vector512.FusedMultiplyAdd(a8, x, y); a9 = Vector512.FusedMultiplyAdd(a9, x, y);
            a10 = Vector512.FusedMultiplyAdd(a10, x, y); a11 = Vector512.FusedMultiplyAdd(a11, x, y);
        }
        var s = a0 + a1 + a2 + a3 + a4 + a5 + a6 + a7 + a8 + a9 + a10 + a11;
        return Vector512.Sum(s);
    }

    private static double Fma256(int iters)
    {
        var x = Vector256.Create(0.999f);
        var y = Vector256.Create(1e-7f);
        Vector256<float> a0 = x, a1 = x, a2 = x, a3 = x, a4 = x, a5 = x, a6 = x, a7 = x, a8 = x, a9 = x, a10 = x, a11 = x;
        for (int i = 0; i < iters; i++)
        {
            a0 = Vector256.FusedMultiplyAdd(a0, x, y); a1 = Vector256.FusedMultiplyAdd(a1, x, y);
            a2 = Vector256.FusedMultiplyAdd(a2, x, y); a3 = Vector256.FusedMultiplyAdd(a3, x, y);
            a4 = Vector256.FusedMultiplyAdd(a4, x, y); a5 = Vector256.FusedMultiplyAdd(a5, x, y);
            a6 = Vector256.FusedMultiplyAdd(a6, x, y); a7 = Vector256.FusedMultiplyAdd(a7, x, y);
            a8 = Vector256.FusedMultiplyAdd(a8, x, y); a9 = Vector256.FusedMultiplyAdd(a9, x, y);
            a10 = Vector256.FusedMultiplyAdd(a10, x, y); a11 = Vector256.FusedMultiplyAdd(a11, x, y);
        }
        var s = a0 + a1 + a2 + a3 + a4 + a5 + a6 + a7 + a8 + a9 + a10 + a11;
        return Vector256.Sum(s);
    }
}
