using System.Text;

namespace VaeText.Trainers.FastTree;

/// <summary>
/// A trained gradient-boosted tree ensemble, stored flat for fast prediction: all trees' internal nodes in one
/// set of arrays (feature, threshold, left, right; a child &lt; 0 is leaf <c>~child</c> of that tree) and all
/// leaf values in another. With K outputs, tree <c>t</c> adds to output <c>t % K</c>. Raw score of output k =
/// <see cref="InitialScores"/>[k] + Σ leaf values of its trees.
/// </summary>
public sealed class GbdtModel
{
    private readonly int[] _nodeStart, _leafStart;    // per tree, length trees + 1
    private readonly int[] _feature, _left, _right;   // per internal node
    private readonly float[] _threshold;              // per internal node: go left iff value <= threshold
    private readonly double[] _gain;                  // per internal node
    private readonly double[] _leafValue;             // per leaf
    private readonly double[] _init;
    // Prediction layout: per tree, its m internal nodes then its m + 1 leaves as nodes whose two children are
    // themselves (threshold +∞), so every row can take exactly depth(tree) steps with no data-dependent branch.
    private readonly Node[] _nodes;
    private readonly int[] _packStart;  // per tree: first node in _nodes (length trees + 1)
    private readonly int[] _depth;      // per tree: longest root-to-leaf path (0 for a single leaf)

    /// <summary>One node as read by prediction: go to <c>Child0</c> iff value ≤ threshold, else <c>Child1</c>.</summary>
    private struct Node
    {
        public int Feature;
        public float Threshold;
        public int Child0, Child1;
    }

    private (Node[] Nodes, int[] Start, int[] Depth) Pack()
    {
        int T = _nodeStart.Length - 1;
        var start = new int[T + 1]; var depth = new int[T];
        for (int t = 0; t < T; t++) start[t + 1] = start[t] + (_nodeStart[t + 1] - _nodeStart[t]) + (_leafStart[t + 1] - _leafStart[t]);
        var nodes = new Node[start[T]];
        var stack = new Stack<(int Node, int Depth)>();
        for (int t = 0; t < T; t++)
        {
            int m = _nodeStart[t + 1] - _nodeStart[t], leaves = _leafStart[t + 1] - _leafStart[t], p = start[t];
            for (int j = 0; j < m; j++)
            {
                int g = _nodeStart[t] + j;
                int l = _left[g], r = _right[g];
                nodes[p + j] = new Node { Feature = _feature[g], Threshold = _threshold[g], Child0 = l >= 0 ? l : m + ~l, Child1 = r >= 0 ? r : m + ~r };
            }
            for (int l = 0; l < leaves; l++) nodes[p + m + l] = new Node { Feature = 0, Threshold = float.PositiveInfinity, Child0 = m + l, Child1 = m + l };
            int d = 0;
            if (m > 0)
            {
                stack.Push((0, 0));
                while (stack.Count > 0)
                {
                    var (nd, dep) = stack.Pop();
                    if (nd >= m) { d = Math.Max(d, dep); continue; }
                    stack.Push((nodes[p + nd].Child0, dep + 1)); stack.Push((nodes[p + nd].Child1, dep + 1));
                }
            }
            depth[t] = d;
        }
        return (nodes, start, depth);
    }

    /// <summary>The task the model was trained for.</summary>
    public GbdtTask Task { get; }
    /// <summary>Length of the feature vector the model expects.</summary>
    public int NumberOfFeatures { get; }
    /// <summary>Number of raw outputs: 1 for binary and regression, K for K-class softmax.</summary>
    public int NumberOfOutputs { get; }
    /// <summary>Number of trees (rounds × outputs).</summary>
    public int NumberOfTrees => _nodeStart.Length - 1;
    /// <summary>Initial (bias) score of each output, before any tree.</summary>
    public IReadOnlyList<double> InitialScores => _init;

    internal GbdtModel(GbdtTask task, int features, double[] init, IReadOnlyList<GrownTree> trees)
    {
        Task = task; NumberOfFeatures = features; NumberOfOutputs = init.Length; _init = init;
        int nodes = trees.Sum(t => t.Slot.Count), leaves = trees.Sum(t => t.LeafValue.Count);
        _nodeStart = new int[trees.Count + 1]; _leafStart = new int[trees.Count + 1];
        _feature = new int[nodes]; _left = new int[nodes]; _right = new int[nodes];
        _threshold = new float[nodes]; _gain = new double[nodes]; _leafValue = new double[leaves];
        for (int t = 0; t < trees.Count; t++)
        {
            var tr = trees[t];
            int ns = _nodeStart[t], ls = _leafStart[t];
            for (int i = 0; i < tr.Slot.Count; i++)
            {
                _feature[ns + i] = tr.Feature[i]; _threshold[ns + i] = tr.Threshold[i];
                _left[ns + i] = tr.Left[i]; _right[ns + i] = tr.Right[i]; _gain[ns + i] = tr.Gain[i];
            }
            for (int i = 0; i < tr.LeafValue.Count; i++) _leafValue[ls + i] = tr.LeafValue[i];
            _nodeStart[t + 1] = ns + tr.Slot.Count; _leafStart[t + 1] = ls + tr.LeafValue.Count;
        }
        (_nodes, _packStart, _depth) = Pack();
    }

    private GbdtModel(GbdtTask task, int features, double[] init, int[] nodeStart, int[] leafStart, int[] feature,
        float[] threshold, int[] left, int[] right, double[] gain, double[] leafValue)
    {
        Task = task; NumberOfFeatures = features; NumberOfOutputs = init.Length; _init = init;
        _nodeStart = nodeStart; _leafStart = leafStart; _feature = feature; _threshold = threshold;
        _left = left; _right = right; _gain = gain; _leafValue = leafValue;
        (_nodes, _packStart, _depth) = Pack();
    }

    /// <summary>A model holding only the first <paramref name="trees"/> trees (for early stopping).</summary>
    internal GbdtModel Truncate(int trees)
    {
        int nodes = _nodeStart[trees], leaves = _leafStart[trees];
        return new GbdtModel(Task, NumberOfFeatures, (double[])_init.Clone(), _nodeStart[..(trees + 1)], _leafStart[..(trees + 1)],
            _feature[..nodes], _threshold[..nodes], _left[..nodes], _right[..nodes], _gain[..nodes], _leafValue[..leaves]);
    }

    /// <summary>Leaf value reached by <paramref name="features"/> in tree <paramref name="tree"/>.</summary>
    internal double TreeOutput(int tree, ReadOnlySpan<float> features)
    {
        int ns = _nodeStart[tree];
        if (_nodeStart[tree + 1] == ns) return _leafValue[_leafStart[tree]];
        int node = 0;
        while (true)
        {
            int g = ns + node;
            int next = features[_feature[g]] <= _threshold[g] ? _left[g] : _right[g];
            if (next < 0) return _leafValue[_leafStart[tree] + ~next];
            node = next;
        }
    }

    /// <summary>Raw scores of one example (length <see cref="NumberOfOutputs"/>).</summary>
    /// <param name="features">Feature vector, length <see cref="NumberOfFeatures"/>.</param>
    /// <param name="scores">Destination, length <see cref="NumberOfOutputs"/>.</param>
    public void PredictRaw(ReadOnlySpan<float> features, Span<double> scores)
    {
        if (features.Length != NumberOfFeatures) throw new ArgumentException($"expected {NumberOfFeatures} features, got {features.Length}", nameof(features));
        if (scores.Length < NumberOfOutputs) throw new ArgumentException($"scores needs length {NumberOfOutputs}", nameof(scores));
        int K = NumberOfOutputs;
        _init.CopyTo(scores);
        for (int t = 0; t < NumberOfTrees; t++) scores[t % K] += TreeOutput(t, features);
    }

    /// <summary>
    /// Outputs of one example: probabilities for classification (σ for binary — length 1, the positive class;
    /// softmax for multiclass — length K), the prediction for regression.
    /// </summary>
    public void Predict(ReadOnlySpan<float> features, Span<double> output)
    {
        PredictRaw(features, output);
        if (Task == GbdtTask.BinaryClassification) output[0] = GbdtObjective.Sigmoid(output[0]);
        else if (Task == GbdtTask.MulticlassClassification) SoftmaxObjective.Softmax(output[..NumberOfOutputs], output);
    }

    /// <summary>Raw scores of many rows: dense row-major [rows, features] in, [rows, outputs] out; parallel over rows.</summary>
    public double[] PredictRawBatch(float[] features, int rows, int threads = 0)
    {
        ArgumentNullException.ThrowIfNull(features);
        if ((long)rows * NumberOfFeatures != features.Length) throw new ArgumentException($"features has {features.Length} values, expected {rows} x {NumberOfFeatures}", nameof(features));
        int K = NumberOfOutputs;
        var outp = new double[(long)rows * K];
        var po = new ParallelOptions { MaxDegreeOfParallelism = threads > 0 ? threads : Environment.ProcessorCount };
        const int block = 128;
        Parallel.For(0, (rows + block - 1) / block, po, b =>
        {
            int r0 = b * block, r1 = Math.Min(rows, r0 + block);
            for (int i = r0; i < r1; i++) _init.CopyTo(outp.AsSpan(i * K, K));
            PredictBlock(features, outp, r0, r1);
        });
        return outp;
    }

    /// <summary>
    /// Adds every tree's output to rows [r0, r1), tree-major so one tree's nodes stay hot in cache. Rows go down a
    /// tree eight at a time, each taking exactly depth(tree) branch-free steps (finished rows stay on their leaf),
    /// so the eight independent chains overlap and no step mispredicts.
    /// </summary>
    [System.Runtime.CompilerServices.MethodImpl(System.Runtime.CompilerServices.MethodImplOptions.AggressiveOptimization)]
    private unsafe void PredictBlock(float[] features, double[] outp, int r0, int r1)
    {
        int K = NumberOfOutputs, F = NumberOfFeatures, T = NumberOfTrees;
        const int L = 8;
        int* cur = stackalloc int[L];
        fixed (Node* nodes = _nodes)
        fixed (double* leaves = _leafValue)
        fixed (int* packStart = _packStart, leafStart = _leafStart, nodeStart = _nodeStart, depth = _depth)
        fixed (float* x = features)
        fixed (double* o = outp)
        {
            for (int t = 0; t < T; t++)
            {
                int k = t % K, D = depth[t], m = nodeStart[t + 1] - nodeStart[t];
                Node* tn = nodes + packStart[t];
                double* tl = leaves + leafStart[t] - m; // leaf node m + l holds value tl[m + l]
                int i = r0;
                for (; i + L <= r1; i += L)
                {
                    float* xb = x + (long)i * F;
                    for (int q = 0; q < L; q++) cur[q] = 0;
                    for (int step = 0; step < D; step++)
                    {
                        for (int q = 0; q < L; q++)
                        {
                            Node* nd = tn + cur[q];
                            int go = xb[q * F + nd->Feature] <= nd->Threshold ? 0 : 1; // NaN goes right
                            cur[q] = (&nd->Child0)[go];
                        }
                    }
                    for (int q = 0; q < L; q++) o[(long)(i + q) * K + k] += tl[cur[q]];
                }
                for (; i < r1; i++)
                {
                    float* xi = x + (long)i * F;
                    int c = 0;
                    for (int step = 0; step < D; step++)
                    {
                        Node* nd = tn + c;
                        int go = xi[nd->Feature] <= nd->Threshold ? 0 : 1;
                        c = (&nd->Child0)[go];
                    }
                    o[(long)i * K + k] += tl[c];
                }
            }
        }
    }

    /// <summary>Total split gain per feature (length <see cref="NumberOfFeatures"/>): gain-based feature importance.</summary>
    public double[] FeatureImportance()
    {
        var imp = new double[NumberOfFeatures];
        for (int i = 0; i < _feature.Length; i++) imp[_feature[i]] += _gain[i];
        return imp;
    }

    // ---- Binary layout (little endian) ----
    // magic "VTGBDT01" (8 bytes) | int32 version written | int32 oldest readable version
    // int32 task | int32 features | int32 outputs | double[outputs] initial scores
    // int32 trees | int32 total nodes | int32 total leaves
    // per tree: int32 nodes, int32 leaves
    // per node: int32 feature, float32 threshold, int32 left, int32 right, float64 gain
    // per leaf: float64 value
    private static readonly byte[] Magic = "VTGBDT01"u8.ToArray();
    private const int Version = 1, OldestReadable = 1;

    /// <summary>Writes the model in its versioned binary layout.</summary>
    public void Save(Stream stream)
    {
        ArgumentNullException.ThrowIfNull(stream);
        using var w = new BinaryWriter(stream, Encoding.UTF8, leaveOpen: true);
        w.Write(Magic); w.Write(Version); w.Write(OldestReadable);
        w.Write((int)Task); w.Write(NumberOfFeatures); w.Write(NumberOfOutputs);
        foreach (var v in _init) w.Write(v);
        w.Write(NumberOfTrees); w.Write(_feature.Length); w.Write(_leafValue.Length);
        for (int t = 0; t < NumberOfTrees; t++) { w.Write(_nodeStart[t + 1] - _nodeStart[t]); w.Write(_leafStart[t + 1] - _leafStart[t]); }
        for (int i = 0; i < _feature.Length; i++) { w.Write(_feature[i]); w.Write(_threshold[i]); w.Write(_left[i]); w.Write(_right[i]); w.Write(_gain[i]); }
        foreach (var v in _leafValue) w.Write(v);
    }

    /// <summary>Reads a model written by <see cref="Save"/>, checking every field.</summary>
    /// <exception cref="InvalidDataException">The stream is not a valid model.</exception>
    public static GbdtModel Load(Stream stream)
    {
        ArgumentNullException.ThrowIfNull(stream);
        using var r = new BinaryReader(stream, Encoding.UTF8, leaveOpen: true);
        try
        {
            var magic = r.ReadBytes(8);
            if (!magic.AsSpan().SequenceEqual(Magic)) throw Bad("wrong signature (not a VaeText GBDT model)");
            int version = r.ReadInt32(), oldest = r.ReadInt32();
            if (oldest > Version) throw Bad($"written by a newer format (version {version}, needs reader ≥ {oldest}; this reader is {Version})");
            int task = r.ReadInt32();
            if (task < 0 || task > 2) throw Bad($"unknown task {task}");
            int features = r.ReadInt32(), outputs = r.ReadInt32();
            if (features < 0) throw Bad($"negative feature count {features}");
            if (outputs < 1 || outputs > 1_000_000 || (task != 1 && outputs != 1)) throw Bad($"invalid output count {outputs} for task {(GbdtTask)task}");
            var init = new double[outputs];
            for (int k = 0; k < outputs; k++) { init[k] = r.ReadDouble(); if (!double.IsFinite(init[k])) throw Bad($"initial score {k} is not finite"); }
            int trees = r.ReadInt32(), nodes = r.ReadInt32(), leaves = r.ReadInt32();
            long remaining = stream.CanSeek ? stream.Length - stream.Position : long.MaxValue;
            if (trees < 0 || nodes < 0 || leaves < 0 || (long)trees * 8 + (long)nodes * 24 + (long)leaves * 8 > remaining)
                throw Bad($"counts (trees {trees}, nodes {nodes}, leaves {leaves}) do not fit the stream");
            if (trees % outputs != 0) throw Bad($"{trees} trees is not a multiple of {outputs} outputs");
            var nodeStart = new int[trees + 1]; var leafStart = new int[trees + 1];
            for (int t = 0; t < trees; t++)
            {
                int tn = r.ReadInt32(), tl = r.ReadInt32();
                if (tn < 0 || tl != tn + 1) throw Bad($"tree {t}: {tn} nodes and {tl} leaves (a binary tree needs leaves = nodes + 1)");
                nodeStart[t + 1] = checked(nodeStart[t] + tn); leafStart[t + 1] = checked(leafStart[t] + tl);
            }
            if (nodeStart[trees] != nodes || leafStart[trees] != leaves) throw Bad("per-tree sizes do not add up to the totals");
            var feature = new int[nodes]; var threshold = new float[nodes]; var left = new int[nodes]; var right = new int[nodes]; var gain = new double[nodes];
            for (int i = 0; i < nodes; i++)
            {
                feature[i] = r.ReadInt32(); threshold[i] = r.ReadSingle(); left[i] = r.ReadInt32(); right[i] = r.ReadInt32(); gain[i] = r.ReadDouble();
            }
            var leafValue = new double[leaves];
            for (int i = 0; i < leaves; i++) { leafValue[i] = r.ReadDouble(); if (!double.IsFinite(leafValue[i])) throw Bad($"leaf {i} value is not finite"); }
            for (int t = 0; t < trees; t++)
            {
                int tn = nodeStart[t + 1] - nodeStart[t], tl = leafStart[t + 1] - leafStart[t];
                var seen = new bool[tl];
                for (int j = 0; j < tn; j++)
                {
                    int g = nodeStart[t] + j;
                    if (feature[g] < 0 || feature[g] >= features) throw Bad($"tree {t} node {j}: feature {feature[g]} outside [0, {features})");
                    if (float.IsNaN(threshold[g])) throw Bad($"tree {t} node {j}: NaN threshold");
                    foreach (int c in new[] { left[g], right[g] })
                    {
                        if (c >= 0) { if (c <= j || c >= tn) throw Bad($"tree {t} node {j}: child node {c} invalid (must be after the parent, inside the tree)"); }
                        else
                        {
                            int l = ~c;
                            if (l >= tl || seen[l]) throw Bad($"tree {t} node {j}: leaf {l} invalid or shared");
                            seen[l] = true;
                        }
                    }
                }
                if (tn > 0 && seen.Any(x => !x)) throw Bad($"tree {t}: some leaves are unreachable");
            }
            return new GbdtModel((GbdtTask)task, features, init, nodeStart, leafStart, feature, threshold, left, right, gain, leafValue);
        }
        catch (EndOfStreamException e) { throw new InvalidDataException("GBDT model is truncated", e); }
        catch (OverflowException e) { throw new InvalidDataException("GBDT model sizes overflow", e); }
    }

    private static InvalidDataException Bad(string what) => new($"Invalid GBDT model: {what}.");
}
