using VaeText.Tensors;

namespace VaeText.Trainers.FastTree;

/// <summary>
/// The training matrix after binning, built once before boosting: one byte per (row, used feature), row-major
/// (<c>Bins[row * UsedFeatures + u]</c>). Features with a single bin (constant over the training rows) are dropped;
/// <see cref="FeatureIndex"/> maps a used-feature slot back to the original column.
/// </summary>
internal sealed class BinnedData
{
    public readonly int Rows;
    public readonly int TotalFeatures;
    public readonly int UsedFeatures;
    /// <summary>[rows, usedFeatures] bin ids.</summary>
    public readonly byte[] Bins;
    /// <summary>Original column of each used-feature slot.</summary>
    public readonly int[] FeatureIndex;
    /// <summary>Bin boundaries of each used-feature slot.</summary>
    public readonly FeatureBins[] FeatureBins;
    /// <summary>Offset of each used feature's bins in a flat histogram; last entry = total bins.</summary>
    public readonly int[] HistOffset;
    private byte[]? _columns;

    /// <summary>
    /// The same bin ids column-major (<c>[usedFeature * Rows + row]</c>), built on first use: partitioning a leaf by
    /// one feature then reads one compact column instead of one cache line per row.
    /// </summary>
    public byte[] Columns
    {
        get
        {
            if (_columns != null) return _columns;
            var c = new byte[(long)Rows * UsedFeatures];
            int U = UsedFeatures;
            for (int i = 0; i < Rows; i++)
            {
                long rb = (long)i * U;
                for (int k = 0; k < U; k++) c[(long)k * Rows + i] = Bins[rb + k];
            }
            Interlocked.CompareExchange(ref _columns, c, null);
            return _columns!;
        }
    }

    private BinnedData(int rows, int total, int[] featureIndex, FeatureBins[] bins, byte[] data)
    {
        Rows = rows; TotalFeatures = total; UsedFeatures = featureIndex.Length;
        FeatureIndex = featureIndex; FeatureBins = bins; Bins = data;
        HistOffset = new int[UsedFeatures + 1];
        for (int u = 0; u < UsedFeatures; u++) HistOffset[u + 1] = HistOffset[u] + bins[u].Count;
    }

    /// <summary>Throws a clear error for the first NaN found in a dense row-major matrix.</summary>
    public static void CheckFinite(ReadOnlySpan<float> x, int rows, int cols, string columnName)
    {
        for (int i = 0; i < x.Length; i++)
        {
            if (float.IsNaN(x[i]))
                throw new ArgumentException($"Feature column '{columnName}' holds NaN at row {i / Math.Max(1, cols)}, slot {i % Math.Max(1, cols)}; GBDT and SDCA trainers need finite values (replace missing values first).");
        }
    }

    /// <summary>
    /// Bins a dense row-major [rows, cols] matrix. Each column is sorted together with its row ids (LSD radix sort on
    /// the order-preserving integer image of the floats), bin boundaries come from the sorted values, and one walk
    /// over the sorted order assigns every row its bin, so no per-value search is needed.
    /// </summary>
    public static BinnedData FromDense(float[] x, int rows, int cols, int maxBins, int threads)
    {
        if ((long)rows * cols != x.Length) throw new ArgumentException($"feature matrix has {x.Length} values, expected {rows} x {cols}");
        var all = new FeatureBins[cols];
        var colBins = new byte[cols][];
        var po = new ParallelOptions { MaxDegreeOfParallelism = Math.Max(1, threads) };
        Parallel.For(0, cols, po, () => new SortScratch(rows), (f, _, sc) =>
        {
            BinColumn(x, rows, cols, f, maxBins, sc, out all[f], out colBins[f]);
            return sc;
        }, _ => { });
        var used = Enumerable.Range(0, cols).Where(f => all[f].Count > 1).ToArray();
        int u = used.Length;
        var data = new byte[(long)rows * u];
        var columns = new byte[(long)rows * u];
        var bins = used.Select(f => all[f]).ToArray();
        for (int k = 0; k < u; k++) Array.Copy(colBins[used[k]], 0, columns, (long)k * rows, rows);
        const int block = 1024;
        Parallel.For(0, (rows + block - 1) / block, po, b =>
        {
            int r0 = b * block, r1 = Math.Min(rows, r0 + block);
            for (int k = 0; k < u; k++)
            {
                var cb = colBins[used[k]];
                for (int i = r0; i < r1; i++) data[(long)i * u + k] = cb[i];
            }
        });
        return new BinnedData(rows, cols, used, bins, data) { _columns = columns };
    }

    private sealed class SortScratch
    {
        public readonly uint[] Keys, Keys2;
        public readonly int[] Ids, Ids2;
        public readonly float[] Sorted;
        public SortScratch(int n) { Keys = new uint[n]; Keys2 = new uint[n]; Ids = new int[n]; Ids2 = new int[n]; Sorted = new float[n]; }
    }

    /// <summary>Order-preserving map of a (non-NaN) float to an unsigned integer; −0 and +0 both map to the image of +0.</summary>
    private static uint SortKey(float v)
    {
        if (v == 0) v = 0f;
        uint b = BitConverter.SingleToUInt32Bits(v);
        return (b & 0x8000_0000u) != 0 ? ~b : b | 0x8000_0000u;
    }

    private static float FromKey(uint k) => BitConverter.UInt32BitsToSingle((k & 0x8000_0000u) != 0 ? k & 0x7FFF_FFFFu : ~k);

    [System.Runtime.CompilerServices.MethodImpl(System.Runtime.CompilerServices.MethodImplOptions.AggressiveOptimization)]
    private static void BinColumn(float[] x, int rows, int cols, int f, int maxBins, SortScratch sc, out FeatureBins fb, out byte[] colBin)
    {
        uint[] keys = sc.Keys, keys2 = sc.Keys2; int[] ids = sc.Ids, ids2 = sc.Ids2;
        for (int i = 0; i < rows; i++) { keys[i] = SortKey(x[(long)i * cols + f]); ids[i] = i; }
        // Three stable counting passes of 11, 11 and 10 bits.
        Span<int> count = stackalloc int[2048];
        for (int pass = 0, shift = 0; pass < 3; pass++, shift += 11)
        {
            count.Clear();
            uint maskBits = pass == 2 ? 0x3FFu : 0x7FFu;
            for (int i = 0; i < rows; i++) count[(int)((keys[i] >> shift) & maskBits)]++;
            if (count[(int)((keys[0] >> shift) & maskBits)] == rows) continue; // all equal in this digit
            int sum = 0;
            for (int d = 0; d < 2048; d++) { int c = count[d]; count[d] = sum; sum += c; }
            for (int i = 0; i < rows; i++)
            {
                int d = (int)((keys[i] >> shift) & maskBits);
                int p = count[d]++;
                keys2[p] = keys[i]; ids2[p] = ids[i];
            }
            (keys, keys2) = (keys2, keys); (ids, ids2) = (ids2, ids);
        }
        var sorted = sc.Sorted;
        for (int i = 0; i < rows; i++) sorted[i] = FromKey(keys[i]);
        fb = FastTree.FeatureBins.FromSorted(sorted.AsSpan(0, rows), 0, maxBins);
        colBin = new byte[rows];
        var ub = fb.UpperBounds;
        int bin = 0;
        for (int j = 0; j < rows; j++)
        {
            float v = sorted[j];
            while (!(v <= ub[bin])) bin++;
            colBin[ids[j]] = (byte)bin;
        }
    }

    /// <summary>Bins a sparse matrix; implicit zeros go to the zero bin. Only columns with a stored value are kept.</summary>
    public static BinnedData FromCsr(CsrMatrix x, int maxBins, int threads)
    {
        int rows = x.Rows, cols = x.Columns;
        var counts = new int[cols + 1];
        for (int p = 0; p < x.NonZeros; p++) counts[x.Indices[p] + 1]++;
        for (int c = 0; c < cols; c++) counts[c + 1] += counts[c];
        var colVals = new float[x.NonZeros];
        var fill = (int[])counts.Clone();
        for (int p = 0; p < x.NonZeros; p++) colVals[fill[x.Indices[p]]++] = x.Values[p];
        var all = new FeatureBins[cols];
        var po = new ParallelOptions { MaxDegreeOfParallelism = Math.Max(1, threads) };
        Parallel.For(0, cols, po, c =>
        {
            var seg = colVals.AsSpan(counts[c], counts[c + 1] - counts[c]);
            seg.Sort();
            all[c] = FastTree.FeatureBins.FromSorted(seg, rows - seg.Length, maxBins);
        });
        var used = Enumerable.Range(0, cols).Where(f => all[f].Count > 1).ToArray();
        int u = used.Length;
        if ((long)rows * u > int.MaxValue)
            throw new ArgumentException($"too many distinct features for tree training: {rows} rows x {u} non-constant columns exceeds 2^31 bins; reduce the feature count first");
        var slot = new int[cols];
        Array.Fill(slot, -1);
        for (int k = 0; k < u; k++) slot[used[k]] = k;
        var bins = used.Select(f => all[f]).ToArray();
        var zeroBin = bins.Select(b => (byte)b.BinOf(0f)).ToArray();
        var data = new byte[(long)rows * u];
        Parallel.For(0, rows, po, i =>
        {
            long baseB = (long)i * u;
            zeroBin.AsSpan().CopyTo(data.AsSpan((int)baseB, u));
            for (int p = x.RowPtr[i]; p < x.RowPtr[i + 1]; p++)
            {
                int k = slot[x.Indices[p]];
                if (k >= 0) data[baseB + k] = (byte)bins[k].BinOf(x.Values[p]);
            }
        });
        return new BinnedData(rows, cols, used, bins, data);
    }
}
