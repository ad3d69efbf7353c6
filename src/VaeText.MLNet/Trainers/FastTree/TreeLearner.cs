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
/// array; each leaf keeps a histogram (sum of gradients, hessians and counts per bin of every used feature).
/// After a split only the smaller child's histogram is built from rows; the larger one is parent − smaller.
/// Histograms are built in parallel over disjoint feature blocks, so every sum is accumulated in row order by one
/// thread and results do not depend on the thread count.
/// </summary>
internal sealed class TreeLearner
{
    private readonly BinnedData _d;
    private readonly int[] _idx;
    private readonly int[] _tmp;
    private double[] _og = Array.Empty<double>(), _oh = Array.Empty<double>();
    private readonly Stack<double[]> _pool = new();
    private readonly int _histLen;

    public TreeLearner(BinnedData data)
    {
        _d = data;
        _idx = new int[data.Rows];
        _tmp = new int[data.Rows];
        _histLen = data.HistOffset[data.UsedFeatures] * 3;
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

    /// <summary>
    /// Grows one tree on the rows <paramref name="rows"/> (bag) with gradients/hessians indexed by row; returns the
    /// tree with leaf values −G/(H + λ)·<paramref name="shrinkage"/>.
    /// </summary>
    public GrownTree Grow(ReadOnlySpan<double> grad, ReadOnlySpan<double> hess, ReadOnlySpan<int> rows, bool[] featureMask,
        in TreeSettings s, double shrinkage)
    {
        rows.CopyTo(_idx);
        var tree = new GrownTree();
        var leaves = new List<Leaf>();
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
            // Smaller child from rows, larger = parent − smaller (in place in the parent's buffer).
            var parentHist = leaf.Hist;
            Leaf small = leaf.Count <= right.Count ? leaf : right, large = ReferenceEquals(small, leaf) ? right : leaf;
            small.Hist = Rent();
            BuildHistogram(small, grad, hess, featureMask, s.Threads);
            Subtract(parentHist, small.Hist, featureMask);
            large.Hist = parentHist;
            leaves.Add(right);
            if (leaves.Count < s.NumberOfLeaves)
            {
                leaf.Best = FindBest(leaf, featureMask, s);
                right.Best = FindBest(right, featureMask, s);
            }
        }
        foreach (var l in leaves)
        {
            tree.LeafValue.Add(-l.G / (l.H + s.L2Regularization) * shrinkage);
            _pool.Push(l.Hist);
        }
        return tree;
    }

    private double[] Rent()
    {
        if (_pool.Count > 0) { var h = _pool.Pop(); return h; }
        return new double[_histLen];
    }

    private void Subtract(double[] parent, double[] small, bool[] mask)
    {
        var off = _d.HistOffset;
        for (int u = 0; u < _d.UsedFeatures; u++)
        {
            if (!mask[u]) continue;
            var p = parent.AsSpan(off[u] * 3, (off[u + 1] - off[u]) * 3);
            System.Numerics.Tensors.TensorPrimitives.Subtract(p, small.AsSpan(off[u] * 3, p.Length), p);
        }
    }

    private int Partition(int begin, int end, int slot, int bin)
    {
        var bins = _d.Bins; int U = _d.UsedFeatures;
        int l = begin, r = 0;
        for (int j = begin; j < end; j++)
        {
            int row = _idx[j];
            if (bins[(long)row * U + slot] <= bin) _idx[l++] = row; else _tmp[r++] = row;
        }
        Array.Copy(_tmp, 0, _idx, l, r);
        return l;
    }

    private unsafe void BuildHistogram(Leaf leaf, ReadOnlySpan<double> grad, ReadOnlySpan<double> hess, bool[] mask, int threads)
    {
        int n = leaf.Count;
        if (_og.Length < n) { _og = new double[_d.Rows]; _oh = new double[_d.Rows]; }
        for (int j = 0; j < n; j++) { int row = _idx[leaf.Begin + j]; _og[j] = grad[row]; _oh[j] = hess[row]; }
        var hist = leaf.Hist;
        int U = _d.UsedFeatures;
        // Clear only masked features' segments.
        var off = _d.HistOffset;
        for (int u = 0; u < U; u++) if (mask[u]) Array.Clear(hist, off[u] * 3, (off[u + 1] - off[u]) * 3);
        int blocks = Math.Min(U, threads <= 1 || (long)n * U < 40_000 ? 1 : threads * 2);
        if (blocks <= 1) { Accumulate(leaf.Begin, n, 0, U, hist, mask); return; }
        int per = (U + blocks - 1) / blocks;
        var po = new ParallelOptions { MaxDegreeOfParallelism = threads };
        int begin = leaf.Begin;
        Parallel.For(0, blocks, po, b =>
        {
            int f0 = b * per, f1 = Math.Min(U, f0 + per);
            if (f0 < f1) Accumulate(begin, n, f0, f1, hist, mask);
        });
    }

    private unsafe void Accumulate(int begin, int n, int f0, int f1, double[] hist, bool[] mask)
    {
        int U = _d.UsedFeatures;
        // Masked-in features of this block, as a compact list.
        Span<int> feats = f1 - f0 <= 512 ? stackalloc int[f1 - f0] : new int[f1 - f0];
        Span<int> offs = f1 - f0 <= 512 ? stackalloc int[f1 - f0] : new int[f1 - f0];
        int m = 0;
        for (int u = f0; u < f1; u++) if (mask[u]) { feats[m] = u; offs[m] = _d.HistOffset[u] * 3; m++; }
        if (m == 0) return;
        fixed (byte* bins = _d.Bins)
        fixed (double* h = hist)
        fixed (double* og = _og)
        fixed (double* oh = _oh)
        fixed (int* idx = _idx)
        fixed (int* fs = feats)
        fixed (int* os = offs)
        {
            for (int j = 0; j < n; j++)
            {
                byte* rowBins = bins + (long)idx[begin + j] * U;
                double g = og[j], hh = oh[j];
                for (int k = 0; k < m; k++)
                {
                    double* e = h + os[k] + rowBins[fs[k]] * 3;
                    e[0] += g; e[1] += hh; e[2] += 1;
                }
            }
        }
    }

    private Split FindBest(Leaf leaf, bool[] mask, in TreeSettings s)
    {
        var best = new Split { Slot = -1, Gain = double.NegativeInfinity };
        if (leaf.Count < 2 * s.MinimumExampleCountPerLeaf) return best;
        double lambda = s.L2Regularization;
        double G = leaf.G, H = leaf.H; int C = leaf.Count;
        double parentScore = G * G / (H + lambda);
        var hist = leaf.Hist; var off = _d.HistOffset;
        for (int u = 0; u < _d.UsedFeatures; u++)
        {
            if (!mask[u]) continue;
            int o = off[u] * 3, nb = off[u + 1] - off[u];
            double gl = 0, hl = 0; int cl = 0;
            for (int b = 0; b < nb - 1; b++)
            {
                gl += hist[o + 3 * b]; hl += hist[o + 3 * b + 1]; cl += (int)hist[o + 3 * b + 2];
                if (cl < s.MinimumExampleCountPerLeaf || hl < s.MinimumHessianPerLeaf) continue;
                int cr = C - cl;
                if (cr < s.MinimumExampleCountPerLeaf) break;
                double gr = G - gl, hr = H - hl;
                if (hr < s.MinimumHessianPerLeaf) continue;
                double gain = gl * gl / (hl + lambda) + gr * gr / (hr + lambda) - parentScore;
                if (gain > best.Gain)
                {
                    best = new Split { Slot = u, Bin = b, Gain = gain, GL = gl, HL = hl, CL = cl, GR = gr, HR = hr, CR = cr };
                }
            }
        }
        if (best.Slot >= 0 && !(best.Gain > s.MinimumSplitGain)) best.Slot = -1;
        return best;
    }
}
