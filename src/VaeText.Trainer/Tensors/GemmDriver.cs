using System.Numerics;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;

namespace VaeText.Tensors;

/// <summary>
/// The blocked, packed, parallel GEMM behind <see cref="Gemm"/>. One routine serves the three forms through
/// strides: A(i,p) = a[i·ars + p·acs], B(p,j) = b[p·brs + j·bcs], C(i,j) = c[i·n + j].
/// </summary>
/// <remarks>
/// Loop nest (outer to inner): column blocks of NC, depth blocks of KC (B panels packed, or read in place when
/// B is row-major and the panel is full), row blocks of MC (A packed into MR-row panels), NR-column panels,
/// MR-row tiles, then the register-blocked micro-kernel. Edge tiles use the same kernel on zero-padded panels
/// and a scratch tile, so every element of C is computed by the same sequence of fused multiply-adds whatever
/// the partition: the result does not depend on the thread count. KC depends only on k.
/// </remarks>
internal static unsafe class GemmDriver
{
    internal static bool V512 => Vector512.IsHardwareAccelerated && Avx512F.IsSupported && Fma.IsSupported;
    internal static bool V256 => Vector256.IsHardwareAccelerated && Fma.IsSupported;

    private const int KcMax = 256;

    /// <summary>Benchmark switch: pack every A panel instead of reading row-major A in place.</summary>
    internal static bool AlwaysPackA;
    private const double MinFlopsPerPart = 1_500_000;

    internal static int Mr<T>() => typeof(T) == typeof(float)
        ? (V512 ? GemmKernels.MrF512 : GemmKernels.MrF256)
        : (V512 ? GemmKernels.MrD512 : GemmKernels.MrD256);

    internal static int Nr<T>() => typeof(T) == typeof(float)
        ? (V512 ? GemmKernels.NrF512 : GemmKernels.NrF256)
        : (V512 ? GemmKernels.NrD512 : GemmKernels.NrD256);

    /// <summary>Depth block used for k (a function of k only).</summary>
    internal static int Kc(int k)
    {
        if (k <= KcMax) return k;
        int blocks = (k + KcMax - 1) / KcMax;
        return (k + blocks - 1) / blocks;
    }

    public static void Run<T>(ReadOnlySpan<T> a, ReadOnlySpan<T> b, Span<T> c, int m, int k, int n, bool accumulate, bool transA, bool transB)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        if (m == 0 || n == 0) return;
        if (k == 0)
        {
            if (!accumulate) c[..(m * n)].Clear();
            return;
        }
        if ((typeof(T) != typeof(float) && typeof(T) != typeof(double)) || !(V512 || V256))
        {
            if (transA) GemmPlain.MatMulTransA(a, b, c, m, k, n, accumulate);
            else if (transB) GemmPlain.MatMulTransB(a, b, c, m, k, n, accumulate);
            else GemmPlain.MatMul(a, b, c, m, k, n, accumulate);
            return;
        }
        fixed (T* pa = a, pb = b, pc = c)
        {
            var job = GemmJob<T>.Instance ??= new GemmJob<T>();
            job.A = pa; job.B = pb; job.C = pc;
            job.M = m; job.K = k; job.N = n; job.Accumulate = accumulate;
            job.Ars = transA ? 1 : k; job.Acs = transA ? m : 1;
            job.Brs = transB ? 1 : n; job.Bcs = transB ? k : 1;
            int mr = Mr<T>(), nr = Nr<T>();
            int tilesM = (m + mr - 1) / mr, tilesN = (n + nr - 1) / nr;
            job.SplitN = tilesN >= tilesM;
            int units = job.SplitN ? tilesN : tilesM;
            double perUnit = 2.0 * k * (job.SplitN ? (double)m * nr : (double)n * mr);
            int parts = KernelPool.Parts(units, perUnit, MinFlopsPerPart);
            job.Units = units; job.Parts = parts;
            KernelPool.Run(job, parts);
            job.A = job.B = job.C = null;
        }
    }

    private sealed class GemmJob<T> : PartJob where T : unmanaged
    {
        [ThreadStatic] internal static GemmJob<T>? Instance;
        public T* A, B, C;
        public int M, K, N, Units, Parts;
        public nint Ars, Acs, Brs, Bcs;
        public bool Accumulate, SplitN;

        public override void Run(int part)
        {
            var (u0, u1) = KernelPool.Range(Units, Parts, part);
            if (u0 >= u1) return;
            if (SplitN)
            {
                int nr = Nr<T>();
                Compute(0, M, u0 * nr, Math.Min(N, u1 * nr));
            }
            else
            {
                int mr = Mr<T>();
                Compute(u0 * mr, Math.Min(M, u1 * mr), 0, N);
            }
        }

        private void Compute(int i0, int i1, int j0, int j1)
        {
            int mr = Mr<T>(), nr = Nr<T>();
            int kcMax = Kc(K);
            int mcMax = Math.Max(mr, (1 << 19) / (kcMax * sizeof(T)) / mr * mr);
            mcMax = Math.Min(mcMax, (i1 - i0 + mr - 1) / mr * mr);
            int ncMax = Math.Max(nr, (1 << 20) / (kcMax * sizeof(T)) / nr * nr);
            ncMax = Math.Min(ncMax, (j1 - j0 + nr - 1) / nr * nr);
            var scratch = Scratch.Get((long)mcMax * kcMax * sizeof(T), (long)ncMax * kcMax * sizeof(T), (long)mr * nr * sizeof(T));
            T* abuf = (T*)scratch.APtr, bbuf = (T*)scratch.BPtr, tile = (T*)scratch.TilePtr;
            bool bInPlace = Bcs == 1;
            bool aInPlace = Acs == 1 && !AlwaysPackA;
            for (int jc = j0; jc < j1; jc += ncMax)
            {
                int nc = Math.Min(ncMax, j1 - jc);
                for (int pc = 0; pc < K; pc += kcMax)
                {
                    int kc = Math.Min(kcMax, K - pc);
                    bool add = Accumulate || pc > 0;
                    int panels = (nc + nr - 1) / nr;
                    if (bInPlace)
                    {
                        int full = nc / nr;
                        if (full < panels) PackB(B + (nint)pc * Brs + jc + (nint)full * nr, Brs, Bcs, nc - full * nr, kc, nr, bbuf + (nint)full * nr * kc);
                    }
                    else
                    {
                        PackB(B + (nint)pc * Brs + (nint)jc * Bcs, Brs, Bcs, nc, kc, nr, bbuf);
                    }
                    for (int ic = i0; ic < i1; ic += mcMax)
                    {
                        int mc = Math.Min(mcMax, i1 - ic);
                        int fullTiles = mc / mr;
                        if (!aInPlace) PackA(A + (nint)ic * Ars + (nint)pc * Acs, Ars, Acs, mc, kc, mr, abuf);
                        else if (fullTiles * mr < mc) PackA(A + (nint)(ic + fullTiles * mr) * Ars + (nint)pc * Acs, Ars, Acs, mc - fullTiles * mr, kc, mr, abuf);
                        // Row tiles outer, column panels inner: C is written row-sequentially (streams the
                        // prefetcher follows), the A tile stays in L1 and the B panels come from L2.
                        for (int t = 0; t * mr < mc; t++)
                        {
                            int rows = Math.Min(mr, mc - t * mr);
                            bool rowsInPlace = aInPlace && rows == mr;
                            T* ap = rowsInPlace ? A + (nint)(ic + t * mr) * Ars + pc : aInPlace ? abuf : abuf + (nint)t * mr * kc;
                            for (int q = 0; q < panels; q++)
                            {
                                int cols = Math.Min(nr, nc - q * nr);
                                T* bp; nint ldb;
                                if (bInPlace && cols == nr) { bp = B + (nint)pc * Brs + jc + (nint)q * nr; ldb = Brs; }
                                else { bp = bbuf + (nint)q * nr * kc; ldb = nr; }
                                T* cp = C + (nint)(ic + t * mr) * N + jc + q * nr;
                                if (rows == mr && cols == nr)
                                {
                                    if (rowsInPlace) KernelRows(kc, ap, Ars, bp, ldb, cp, N, add);
                                    else Kernel(kc, ap, bp, ldb, cp, N, add);
                                }
                                else
                                {
                                    if (rowsInPlace) KernelRows(kc, ap, Ars, bp, ldb, tile, nr, false);
                                    else Kernel(kc, ap, bp, ldb, tile, nr, false);
                                    for (int i = 0; i < rows; i++)
                                    {
                                        T* cr = cp + (nint)i * N;
                                        T* tr = tile + (nint)i * nr;
                                        if (add) for (int j = 0; j < cols; j++) cr[j] = Add(cr[j], tr[j]);
                                        else for (int j = 0; j < cols; j++) cr[j] = tr[j];
                                    }
                                }
                            }
                        }
                    }
                }
            }
        }
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static T Add<T>(T x, T y) where T : unmanaged
    {
        if (typeof(T) == typeof(float)) { float r = Unsafe.As<T, float>(ref x) + Unsafe.As<T, float>(ref y); return Unsafe.As<float, T>(ref r); }
        double d = Unsafe.As<T, double>(ref x) + Unsafe.As<T, double>(ref y); return Unsafe.As<double, T>(ref d);
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void Kernel<T>(int kc, T* a, T* b, nint ldb, T* c, nint ldc, bool add) where T : unmanaged
    {
        if (typeof(T) == typeof(float))
        {
            if (V512) GemmKernels.F512(kc, (float*)a, (float*)b, ldb, (float*)c, ldc, add);
            else GemmKernels.F256(kc, (float*)a, (float*)b, ldb, (float*)c, ldc, add);
        }
        else
        {
            if (V512) GemmKernels.D512(kc, (double*)a, (double*)b, ldb, (double*)c, ldc, add);
            else GemmKernels.D256(kc, (double*)a, (double*)b, ldb, (double*)c, ldc, add);
        }
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void KernelRows<T>(int kc, T* a, nint lda, T* b, nint ldb, T* c, nint ldc, bool add) where T : unmanaged
    {
        if (typeof(T) == typeof(float))
        {
            if (V512) GemmKernels.F512R(kc, (float*)a, lda, (float*)b, ldb, (float*)c, ldc, add);
            else GemmKernels.F256R(kc, (float*)a, lda, (float*)b, ldb, (float*)c, ldc, add);
        }
        else
        {
            if (V512) GemmKernels.D512R(kc, (double*)a, lda, (double*)b, ldb, (double*)c, ldc, add);
            else GemmKernels.D256R(kc, (double*)a, lda, (double*)b, ldb, (double*)c, ldc, add);
        }
    }

    /// <summary>Packs A rows [0, mc) × depth [0, kc) into MR-row panels: panel t holds (p, i) at t·MR·kc + p·MR + i.</summary>
    internal static void PackA<T>(T* a, nint ars, nint acs, int mc, int kc, int mr, T* dst) where T : unmanaged
    {
        for (int t = 0; t * mr < mc; t++)
        {
            int rows = Math.Min(mr, mc - t * mr);
            T* d = dst + (nint)t * mr * kc;
            T* s = a + (nint)t * mr * ars;
            if (acs == 1)
            {
                for (int i = 0; i < rows; i++)
                {
                    T* src = s + (nint)i * ars;
                    T* dd = d + i;
                    for (int p = 0; p < kc; p++) dd[(nint)p * mr] = src[p];
                }
                for (int i = rows; i < mr; i++)
                    for (int p = 0; p < kc; p++) d[(nint)p * mr + i] = default;
            }
            else if (rows < mr)
            {
                for (int p = 0; p < kc; p++)
                {
                    T* src = s + (nint)p * acs;
                    T* dd = d + (nint)p * mr;
                    for (int i = 0; i < rows; i++) dd[i] = src[(nint)i * ars];
                    for (int i = rows; i < mr; i++) dd[i] = default;
                }
            }
        }
        if (acs != 1)
        {
            // A stored [k, m] (ars == 1): walk each source row once, left to right (prefetch-friendly), and
            // scatter its full MR-element runs into the panels. The partial last panel was packed above.
            int full = mc / mr;
            nint bytes = (nint)mr * sizeof(T);
            for (int p = 0; p < kc; p++)
            {
                byte* src = (byte*)(a + (nint)p * acs);
                byte* dd = (byte*)(dst + (nint)p * mr);
                nint panelBytes = (nint)mr * kc * sizeof(T);
                if (bytes == 48)
                {
                    for (int t = 0; t < full; t++, src += 48, dd += panelBytes)
                    {
                        Vector256.Store(Vector256.Load(src), dd);
                        Vector128.Store(Vector128.Load(src + 32), dd + 32);
                    }
                }
                else if (bytes == 96)
                {
                    for (int t = 0; t < full; t++, src += 96, dd += panelBytes)
                    {
                        Vector512.Store(Vector512.Load(src), dd);
                        Vector256.Store(Vector256.Load(src + 64), dd + 64);
                    }
                }
                else if (bytes == 24)
                {
                    for (int t = 0; t < full; t++, src += 24, dd += panelBytes)
                    {
                        Vector128.Store(Vector128.Load(src), dd);
                        *(long*)(dd + 16) = *(long*)(src + 16);
                    }
                }
                else
                {
                    for (int t = 0; t < full; t++, src += bytes, dd += panelBytes) Buffer.MemoryCopy(src, dd, bytes, bytes);
                }
            }
        }
    }

    /// <summary>Packs B depth [0, kc) × columns [0, nc) into NR-column panels: panel q holds (p, j) at q·NR·kc + p·NR + j.</summary>
    internal static void PackB<T>(T* b, nint brs, nint bcs, int nc, int kc, int nr, T* dst) where T : unmanaged
    {
        for (int q = 0; q * nr < nc; q++)
        {
            int cols = Math.Min(nr, nc - q * nr);
            T* d = dst + (nint)q * nr * kc;
            T* s = b + (nint)q * nr * bcs;
            if (bcs == 1)
            {
                for (int p = 0; p < kc; p++)
                {
                    T* src = s + (nint)p * brs;
                    T* dd = d + (nint)p * nr;
                    for (int j = 0; j < cols; j++) dd[j] = src[j];
                    for (int j = cols; j < nr; j++) dd[j] = default;
                }
            }
            else
            {
                for (int j = 0; j < cols; j++)
                {
                    T* src = s + (nint)j * bcs;
                    T* dd = d + j;
                    for (int p = 0; p < kc; p++) dd[(nint)p * nr] = src[(nint)p * brs];
                }
                for (int j = cols; j < nr; j++)
                    for (int p = 0; p < kc; p++) d[(nint)p * nr + j] = default;
            }
        }
    }

    /// <summary>Per-thread, 64-byte aligned pack buffers, grown on demand and freed with the thread.</summary>
    private sealed class Scratch
    {
        [ThreadStatic] private static Scratch? current;
        private byte* mem;
        private long aBytes, bBytes, tileBytes;
        public byte* APtr => mem;
        public byte* BPtr => mem + aBytes;
        public byte* TilePtr => mem + aBytes + bBytes;

        public static Scratch Get(long a, long b, long tile)
        {
            var s = current ??= new Scratch();
            a = (a + 63) & ~63L; b = (b + 63) & ~63L; tile = (tile + 63) & ~63L;
            if (s.mem == null || a > s.aBytes || b > s.bBytes || tile > s.tileBytes)
            {
                a = Math.Max(a, s.aBytes); b = Math.Max(b, s.bBytes); tile = Math.Max(tile, s.tileBytes);
                if (s.mem != null) NativeMemory.AlignedFree(s.mem);
                s.mem = null;
                s.mem = (byte*)NativeMemory.AlignedAlloc((nuint)(a + b + tile), 64);
                s.aBytes = a; s.bBytes = b; s.tileBytes = tile;
            }
            return s;
        }

        ~Scratch()
        {
            if (mem != null) NativeMemory.AlignedFree(mem);
        }
    }
}
