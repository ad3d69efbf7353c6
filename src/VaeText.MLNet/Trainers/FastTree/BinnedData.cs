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

    /// <summary>Bins a dense row-major [rows, cols] matrix.</summary>
    public static BinnedData FromDense(float[] x, int rows, int cols, int maxBins, int threads)
    {
        if ((long)rows * cols != x.Length) throw new ArgumentException($"feature matrix has {x.Length} values, expected {rows} x {cols}");
        var all = new FeatureBins[cols];
        var po = new ParallelOptions { MaxDegreeOfParallelism = Math.Max(1, threads) };
        Parallel.For(0, cols, po, () => new float[rows], (f, _, col) =>
        {
            for (int i = 0; i < rows; i++) col[i] = x[(long)i * cols + f];
            Array.Sort(col);
            all[f] = FastTree.FeatureBins.FromSorted(col, 0, maxBins);
            return col;
        }, _ => { });
        var used = Enumerable.Range(0, cols).Where(f => all[f].Count > 1).ToArray();
        int u = used.Length;
        var data = new byte[(long)rows * u];
        var bins = used.Select(f => all[f]).ToArray();
        Parallel.For(0, rows, po, i =>
        {
            long baseX = (long)i * cols, baseB = (long)i * u;
            for (int k = 0; k < u; k++) data[baseB + k] = (byte)bins[k].BinOf(x[baseX + used[k]]);
        });
        return new BinnedData(rows, cols, used, bins, data);
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
