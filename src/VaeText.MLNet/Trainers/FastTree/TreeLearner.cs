using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;

namespace VaeText.Trainers.FastTree;

/// <summary>A regression tree as grown by <see cref="TreeLearner"/>, in binned and in raw-value form.</summary>
internal sealed class GrownTree
{
    // Internal nodes: child >= 0 is an internal node, child < 0 is leaf ~child.
    public readonly List<int> Slot = new();          // used-feature slot
    public readonly List<int> Feature = new();       // original column
    public readonly List<int> BinThreshold = new();  // left iff bin <= threshold
    public readonly List<float> Threshold = new();   // left iff value <= threshold
    public readonly List<int> Left = new();
    public readonly List<int> Right = new();
    public readonly List<double> Gain = new();
    public readonly List<double> LeafValue = new();

    public int LeafOfBinned(ReadOnlySpan<byte> row)
    {
        if (Slot.Count == 0) return 0;
        int node = 0;
        while (true)
        {
            int next = row[Slot[node]] <= BinThreshold[node] ? Left[node] : Right[node];
            if (next < 0) return ~next;
            node = next;
        }
    }
}

/// <summary>Settings of one tree.</summary>
internal readonly record struct TreeSettings(int NumberOfLeaves, int MinimumExampleCountPerLeaf, double MinimumHessianPerLeaf,
    double L2Regularization, double MinimumSplitGain, int Threads);

/// <summary>
/// Leaf-wise (best-first) histogram tree learner. Rows of each leaf occupy a contiguous range of one index
/// array; each leaf keeps a histogram: per bin of every used feature the sums (gradient, hessian, count, 0) as one
/// 32-byte entry, so adding a row to a bin is a single 256-bit load/add/store. Gradients and hessians of a leaf's
/// rows are first gathered into contiguous "ordered" arrays. After a split only the smaller child's histogram is
/// built from rows; the larger one is parent − smaller. Histograms are built in parallel over disjoint feature
/// blocks (and split search likewise), so every sum is accumulated in row order by one thread and results do not
/// depend on the thread count.
/// </summary>
internal sealed class TreeLearner
{
    /// <summary>Doubles per histogram bin: gradient, hessian, count, padding.</summary>
    internal const int Stride = 4;
    private readonly BinnedData _d;
    private readonly byte[] _cols;
    private readonly int[] _idx;
    private readonly int[] _tmp;
    private double[] _ogh = Array.Empty<double>(); // ordered (gradient, hessian) pairs of the current leaf
    private readonly Stack<double[]> _pool = new();
    private readonly int _histLen;
    private readonly List<Leaf> _leaves = new();

    public TreeLearner(BinnedData data)
    {
        _d = data;
        _cols = data.Columns;
        _idx = new int[data.Rows];
        _tmp = new int[data.Rows];
        _histLen = data.HistOffset[data.UsedFeatures] * Stride;
    }

    private struct Split
    {
        public int Slot, Bin;
        public double Gain, GL, HL, GR, HR;
        public int CL, CR;
        public bool Valid => Slot >= 0;
    }

    private sealed class Leaf
    {
        public int Begin, End;
        public double[] Hist = null!;
        public double G, H;
        public Split Best;
        public int ParentNode = -1; public bool IsLeftChild;
        public int Count => End - Begin;
    }

    /// <summary>Number of leaves of the last grown tree.</summary>
    public int LeafCount => _leaves.Count;

    /// <summary>Rows (from the bag) that landed in leaf <paramref name="leaf"/> of the last grown tree.</summary>
    public ReadOnlySpan<int> LeafRows(int leaf) => _idx.AsSpan(_leaves[leaf].Begin, _leaves[leaf].Count);

    /// <summary>
    /// Grows one tree on the rows <paramref name="rows"/> (bag) with gradients/hessians indexed by row; returns the
    /// tree with leaf values −G/(H + λ)·<paramref name="shrinkage"/>.
    /// </summary>
    public GrownTree Grow(ReadOnlySpan<double> grad, ReadOnlySpan<double> hess, ReadOnlySpan<int> rows, bool[] featureMask,
        in TreeSettings s, double shrinkage)
    {
        rows.CopyTo(_idx);
        var tree = new GrownTree();
        var leaves = _leaves;
        leaves.Clear();
        var root = new Leaf { Begin = 0, End = rows.Length, Hist = Rent() };
        BuildHistogram(root, grad, hess, featureMask, s.Threads);
        for (int j = root.Begin; j < root.End; j++) { root.G += grad[_idx[j]]; root.H += hess[_idx[j]]; }
        root.Best = FindBest(root, featureMask, s);
        leaves.Add(root);

        while (leaves.Count < s.NumberOfLeaves)
        {
            int bestLeaf = -1; double bestGain = s.MinimumSplitGain;
            for (int l = 0; l < leaves.Count; l++)
            {
                if (leaves[l].Best.Valid && leaves[l].Best.Gain > bestGain) { bestGain = leaves[l].Best.Gain; bestLeaf = l; }
            }
            if (bestLeaf < 0) break;
            var leaf = leaves[bestLeaf];
            var sp = leaf.Best;
            int node = tree.Slot.Count;
            tree.Slot.Add(sp.Slot); tree.Feature.Add(_d.FeatureIndex[sp.Slot]); tree.BinThreshold.Add(sp.Bin);
            tree.Threshold.Add(_d.FeatureBins[sp.Slot].UpperBounds[sp.Bin]);
            tree.Gain.Add(sp.Gain);
            tree.Left.Add(~bestLeaf); tree.Right.Add(~leaves.Count);
            if (leaf.ParentNode >= 0)
            {
                if (leaf.IsLeftChild) tree.Left[leaf.ParentNode] = node; else tree.Right[leaf.ParentNode] = node;
            }
            int mid = Partition(leaf.Begin, leaf.End, sp.Slot, sp.Bin);
            var right = new Leaf { Begin = mid, End = leaf.End, G = sp.GR, H = sp.HR, ParentNode = node, IsLeftChild = false };
            leaf.End = mid; leaf.G = sp.GL; leaf.H = sp.HL; leaf.ParentNode = node; leaf.IsLeftChild = true;
            leaves.Add(right);
            bool more = leaves.Count < s.NumberOfLeaves;
            if (!more) break; // children's histograms are not needed any more
            // Smaller child from rows, larger = parent − smaller (in place in the parent's buffer).
            var parentHist = leaf.Hist;
            Leaf small = leaf.Count <= right.Count ? leaf : right, large = ReferenceEquals(small, leaf) ? right : leaf;
            small.Hist = Rent();
            Gather(small, grad, hess);
            large.Hist = parentHist;
            SubtractAndFind(large, small, featureMask, s);
        }
        foreach (var l in leaves)
        {
            tree.LeafValue.Add(-l.G / (l.H + s.L2Regularization) * shrinkage);
            if (l.Hist != null) { _pool.Push(l.Hist); l.Hist = null!; }
        }
        return tree;
    }

    private double[] Rent()
    {
        if (_pool.Count > 0) { var h = _pool.Pop(); return h; }
        return new double[_histLen];
    }

    private void Subtract(double[] parent, double[] small, bool[] mask, int f0, int U)
    {
        var off = _d.HistOffset;
        for (int u = f0; u < U;)
        {
            if (!mask[u]) { u++; continue; }
            int u1 = u; while (u1 < U && mask[u1]) u1++;
            var p = parent.AsSpan(off[u] * Stride, (off[u1] - off[u]) * Stride);
            System.Numerics.Tensors.TensorPrimitives.Subtract(p, small.AsSpan(off[u] * Stride, p.Length), p);
            u = u1;
        }
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private int Partition(int begin, int end, int slot, int bin)
    {
        var col = _cols.AsSpan((int)((long)slot * _d.Rows), _d.Rows);
        int l = begin, r = 0;
        for (int j = begin; j < end; j++)
        {
            int row = _idx[j];
            if (col[row] <= bin) _idx[l++] = row; else _tmp[r++] = row;
        }
        Array.Copy(_tmp, 0, _idx, l, r);
        return l;
    }

    /// <summary>
    /// Test hook: the histogram of <paramref name="rows"/> built row-wise or column-wise
    /// (entries of <see cref="Stride"/> doubles per bin, features at <see cref="BinnedData.HistOffset"/>).
    /// </summary>
    internal double[] HistogramOf(ReadOnlySpan<int> rows, double[] grad, double[] hess, bool[] mask, bool byColumn, int threads)
    {
        rows.CopyTo(_idx);
        var leaf = new Leaf { Begin = 0, End = rows.Length, Hist = new double[_histLen] };
        BuildHistogram(leaf, grad, hess, mask, threads, byColumn);
        return leaf.Hist;
    }

    /// <summary>Copies the leaf's gradients and hessians, in its row order, into the ordered pair array.</summary>
    private void Gather(Leaf leaf, ReadOnlySpan<double> grad, ReadOnlySpan<double> hess)
    {
        int n = leaf.Count;
        if (_ogh.Length < 2 * n) _ogh = new double[2 * _d.Rows];
        var idx = _idx.AsSpan(leaf.Begin, n);
        var ogh = _ogh;
        for (int j = 0; j < idx.Length; j++) { int row = idx[j]; ogh[2 * j] = grad[row]; ogh[2 * j + 1] = hess[row]; }
    }

    private void BuildHistogram(Leaf leaf, ReadOnlySpan<double> grad, ReadOnlySpan<double> hess, bool[] mask, int threads, bool? forceColumn = null)
    {
        int n = leaf.Count;
        Gather(leaf, grad, hess);
        var hist = leaf.Hist;
        int U = _d.UsedFeatures;
        // Dense leaves read the column-major copy (one feature's histogram stays in L1); sparse ones read whole rows.
        bool byColumn = forceColumn ?? (long)n * ColumnDensityDivisor >= _d.Rows;
        int blocks = Math.Min(U, threads <= 1 || (long)n * U < 40_000 ? 1 : threads * 2);
        if (blocks <= 1) { Accumulate(leaf.Begin, n, 0, U, hist, mask, byColumn); return; }
        int per = (U + blocks - 1) / blocks;
        var po = new ParallelOptions { MaxDegreeOfParallelism = threads };
        int begin = leaf.Begin;
        Parallel.For(0, blocks, po, b =>
        {
            int f0 = b * per, f1 = Math.Min(U, f0 + per);
            if (f0 < f1) Accumulate(begin, n, f0, f1, hist, mask, byColumn);
        });
    }

    /// <summary>A leaf holding at least 1/this of all rows builds its histogram column by column.</summary>
    internal const int ColumnDensityDivisor = 16;

    /// <summary>
    /// Clears and fills the histogram segments of features [f0, f1) (masked-in ones) from the leaf's rows. Either
    /// way every bin receives its rows in the leaf's row order, so both paths give identical sums.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private unsafe void Accumulate(int begin, int n, int f0, int f1, double[] hist, bool[] mask, bool byColumn)
    {
        int U = _d.UsedFeatures, N = _d.Rows;
        var off = _d.HistOffset;
        // Masked-in features of this block, as a compact list.
        Span<int> feats = f1 - f0 <= 512 ? stackalloc int[f1 - f0] : new int[f1 - f0];
        Span<int> offs = f1 - f0 <= 512 ? stackalloc int[f1 - f0] : new int[f1 - f0];
        int m = 0;
        for (int u = f0; u < f1; u++)
        {
            if (!mask[u]) continue;
            feats[m] = u; offs[m] = off[u] * Stride; m++;
            Array.Clear(hist, off[u] * Stride, (off[u + 1] - off[u]) * Stride);
        }
        if (m == 0) return;
        fixed (byte* bins = _d.Bins)
        fixed (byte* cols = _cols)
        fixed (double* h = hist)
        fixed (double* ogh = _ogh)
        fixed (int* idx = _idx)
        fixed (int* fs = feats)
        fixed (int* os = offs)
        {
            int* rows = idx + begin;
            if (Vector256.IsHardwareAccelerated)
            {
                var cnt = Vector128.Create(1.0, 0.0);
                if (byColumn)
                {
                    for (int k = 0; k < m; k++)
                    {
                        byte* cb = cols + (long)fs[k] * N;
                        double* hk = h + os[k];
                        for (int j = 0; j < n; j++)
                        {
                            double* e = hk + cb[rows[j]] * Stride;
                            Vector256.Store(Vector256.Load(e) + Vector256.Create(Vector128.Load(ogh + 2 * j), cnt), e);
                        }
                    }
                }
                else
                {
                    for (int j = 0; j < n; j++)
                    {
                        byte* rb = bins + (long)rows[j] * U;
                        if (j + 8 < n && Sse.IsSupported) Sse.Prefetch0(bins + (long)rows[j + 8] * U + f0);
                        var v = Vector256.Create(Vector128.Load(ogh + 2 * j), cnt);
                        for (int k = 0; k < m; k++)
                        {
                            double* e = h + os[k] + rb[fs[k]] * Stride;
                            Vector256.Store(Vector256.Load(e) + v, e);
                        }
                    }
                }
            }
            else
            {
                for (int j = 0; j < n; j++)
                {
                    byte* rb = bins + (long)rows[j] * U;
                    double g = ogh[2 * j], hh = ogh[2 * j + 1];
                    for (int k = 0; k < m; k++)
                    {
                        double* e = h + os[k] + rb[fs[k]] * Stride;
                        e[0] += g; e[1] += hh; e[2] += 1;
                    }
                }
            }
        }
    }

    /// <summary>
    /// Turns <paramref name="large"/>'s histogram (still the parent's) into parent − small and finds both children's
    /// best splits, in one pass over feature blocks (in parallel). Block results merge in feature order.
    /// </summary>
    private void SubtractAndFind(Leaf large, Leaf small, bool[] mask, in TreeSettings s)
    {
        // One parallel region per split: each feature block builds the smaller child's histogram for its
        // features, turns the parent's into the larger child's, and searches both children.
        int U = _d.UsedFeatures, n = small.Count;
        bool byColumn = (long)n * ColumnDensityDivisor >= _d.Rows;
        int blocks = s.Threads <= 1 || U < 8 ? 1 : Math.Min(2 * s.Threads, U);
        bool splitSmall = small.Count >= 2 * s.MinimumExampleCountPerLeaf, splitLarge = large.Count >= 2 * s.MinimumExampleCountPerLeaf;
        var ss = s;
        var partS = new Split[blocks]; var partL = new Split[blocks];
        int per = (U + blocks - 1) / blocks;
        void Block(int b)
        {
            int f0 = b * per, f1 = Math.Min(U, f0 + per);
            partS[b] = NoSplit; partL[b] = NoSplit;
            if (f0 >= f1) return;
            Accumulate(small.Begin, n, f0, f1, small.Hist, mask, byColumn);
            Subtract(large.Hist, small.Hist, mask, f0, f1);
            if (splitSmall) partS[b] = FindBestRange(small, mask, ss, f0, f1);
            if (splitLarge) partL[b] = FindBestRange(large, mask, ss, f0, f1);
        }
        if (blocks == 1) Block(0);
        else Parallel.For(0, blocks, new ParallelOptions { MaxDegreeOfParallelism = s.Threads }, Block);
        small.Best = Merge(partS, s.MinimumSplitGain);
        large.Best = Merge(partL, s.MinimumSplitGain);
    }

    /// <summary>No split (gain −∞).</summary>
    private static readonly Split NoSplit = new() { Slot = -1, Gain = double.NegativeInfinity };

    /// <summary>The first part with the strictly largest gain (feature order, so equal to a serial scan), if above <paramref name="minGain"/>.</summary>
    private static Split Merge(Split[] parts, double minGain)
    {
        var best = NoSplit;
        foreach (var p in parts) if (p.Slot >= 0 && p.Gain > best.Gain) best = p;
        if (best.Slot >= 0 && !(best.Gain > minGain)) best.Slot = -1;
        return best;
    }

    private Split FindBest(Leaf leaf, bool[] mask, in TreeSettings s)
    {
        if (leaf.Count < 2 * s.MinimumExampleCountPerLeaf) return NoSplit;
        int U = _d.UsedFeatures;
        int blocks = s.Threads <= 1 || U < 8 ? 1 : Math.Min(s.Threads, U);
        if (blocks == 1) return Merge([FindBestRange(leaf, mask, s, 0, U)], s.MinimumSplitGain);
        var part = new Split[blocks];
        int per = (U + blocks - 1) / blocks;
        var ss = s;
        Parallel.For(0, blocks, new ParallelOptions { MaxDegreeOfParallelism = s.Threads }, b =>
        {
            int f0 = b * per, f1 = Math.Min(U, f0 + per);
            part[b] = f0 < f1 ? FindBestRange(leaf, mask, ss, f0, f1) : NoSplit;
        });
        return Merge(part, s.MinimumSplitGain);
    }

    /// <summary>
    /// Best split among features [f0, f1): for each feature, prefix sums over its bins, then the gains of all
    /// candidate thresholds in SIMD lanes (invalid candidates — empty bin, too few rows or too little hessian on a
    /// side — get −∞), then the first maximum. Equal to a serial scan that keeps the first strictly larger gain.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private unsafe Split FindBestRange(Leaf leaf, bool[] mask, in TreeSettings s, int f0, int f1)
    {
        var best = NoSplit;
        var hist = leaf.Hist; var off = _d.HistOffset;
        const int MaxBins = 256;
        // Prefix sums of two features at a time (two independent add chains); counts keep a leading 0 so that
        // "bin b is not empty" is cls[b] != cls[b − 1].
        double* bufA = stackalloc double[3 * MaxBins + 1], bufB = stackalloc double[3 * MaxBins + 1];
        double* gains = stackalloc double[MaxBins];
        var ev = new SplitEval(leaf, s);
        fixed (double* hp = hist)
        {
            for (int u = f0; u < f1; u++)
            {
                if (!mask[u]) continue;
                int m = off[u + 1] - off[u] - 1; // candidate thresholds: bins 0..nb−2
                int u2 = u + 1;
                while (u2 < f1 && !mask[u2]) u2++;
                double* gA = bufA, hA = bufA + MaxBins, cA = bufA + 2 * MaxBins + 1;
                double* gB = bufB, hB = bufB + MaxBins, cB = bufB + 2 * MaxBins + 1;
                cA[-1] = 0; cB[-1] = 0;
                double* e = hp + off[u] * Stride;
                if (u2 < f1 && off[u2 + 1] - off[u2] - 1 == m)
                {
                    double* e2 = hp + off[u2] * Stride;
                    double gl = 0, hl = 0, cl = 0, gl2 = 0, hl2 = 0, cl2 = 0;
                    for (int bb = 0; bb < m; bb++, e += Stride, e2 += Stride)
                    {
                        gl += e[0]; hl += e[1]; cl += e[2];
                        gl2 += e2[0]; hl2 += e2[1]; cl2 += e2[2];
                        gA[bb] = gl; hA[bb] = hl; cA[bb] = cl;
                        gB[bb] = gl2; hB[bb] = hl2; cB[bb] = cl2;
                    }
                    ev.Feature(u, m, gA, hA, cA, gains, ref best);
                    ev.Feature(u2, m, gB, hB, cB, gains, ref best);
                    u = u2;
                }
                else
                {
                    double gl = 0, hl = 0, cl = 0;
                    for (int bb = 0; bb < m; bb++, e += Stride)
                    {
                        gl += e[0]; hl += e[1]; cl += e[2];
                        gA[bb] = gl; hA[bb] = hl; cA[bb] = cl;
                    }
                    ev.Feature(u, m, gA, hA, cA, gains, ref best);
                }
            }
        }
        return best;
    }

    /// <summary>Split evaluation of one leaf: gains of all thresholds of a feature from its prefix sums.</summary>
    private readonly struct SplitEval
    {
        private readonly double _g, _h, _c, _lambda, _minH, _minC, _parent;
        private readonly int _count;

        public SplitEval(Leaf leaf, in TreeSettings s)
        {
            _g = leaf.G; _h = leaf.H; _c = leaf.Count; _count = leaf.Count;
            _lambda = s.L2Regularization; _minH = s.MinimumHessianPerLeaf; _minC = s.MinimumExampleCountPerLeaf;
            _parent = _g * _g / (_h + _lambda);
        }

        [MethodImpl(MethodImplOptions.AggressiveOptimization)]
        public unsafe void Feature(int u, int m, double* gls, double* hls, double* cls, double* gains, ref Split best)
        {
            double G = _g, H = _h, C = _c, lambda = _lambda, minH = _minH, minC = _minC, parentScore = _parent;
            int b0 = 0;
            if (Vector256.IsHardwareAccelerated)
            {
                var vG = Vector256.Create(G); var vH = Vector256.Create(H); var vC = Vector256.Create(C);
                var vLam = Vector256.Create(lambda); var vMinH = Vector256.Create(minH); var vMinC = Vector256.Create(minC);
                var vPar = Vector256.Create(parentScore); var vNeg = Vector256.Create(double.NegativeInfinity);
                for (; b0 + 4 <= m; b0 += 4)
                {
                    var vgl = Vector256.Load(gls + b0); var vhl = Vector256.Load(hls + b0); var vcl = Vector256.Load(cls + b0);
                    var vgr = vG - vgl; var vhr = vH - vhl; var vcr = vC - vcl;
                    var gain = vgl * vgl / (vhl + vLam) + vgr * vgr / (vhr + vLam) - vPar;
                    var ok = ~Vector256.Equals(vcl, Vector256.Load(cls + b0 - 1))
                        & Vector256.GreaterThanOrEqual(vcl, vMinC) & Vector256.GreaterThanOrEqual(vcr, vMinC)
                        & Vector256.GreaterThanOrEqual(vhl, vMinH) & Vector256.GreaterThanOrEqual(vhr, vMinH)
                        & Vector256.Equals(gain, gain);
                    Vector256.Store(Vector256.ConditionalSelect(ok, gain, vNeg), gains + b0);
                }
            }
            for (int b = b0; b < m; b++)
            {
                double vgl = gls[b], vhl = hls[b], vcl = cls[b];
                double vgr = G - vgl, vhr = H - vhl, vcr = C - vcl;
                double gain = vgl * vgl / (vhl + lambda) + vgr * vgr / (vhr + lambda) - parentScore;
                bool ok = vcl != cls[b - 1] && vcl >= minC && vcr >= minC && vhl >= minH && vhr >= minH && !double.IsNaN(gain);
                gains[b] = ok ? gain : double.NegativeInfinity;
            }
            int bestB = -1; double bg = best.Gain;
            for (int b = 0; b < m; b++) if (gains[b] > bg) { bg = gains[b]; bestB = b; }
            if (bestB >= 0)
            {
                double gl2 = gls[bestB], hl2 = hls[bestB]; int cl2 = (int)cls[bestB];
                best = new Split { Slot = u, Bin = bestB, Gain = bg, GL = gl2, HL = hl2, CL = cl2, GR = G - gl2, HR = H - hl2, CR = _count - cl2 };
            }
        }
    }
}
