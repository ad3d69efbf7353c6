using System.Numerics;
using System.Numerics.Tensors;
using VaeText.Core;
using VaeText.Tensors;

namespace VaeText.Nn;

/// <summary>
/// Multi-head scaled dot-product self-attention with padding masks. Sequence b occupies rows
/// [starts[b], starts[b] + lengths[b]) of a [rows, Dim] buffer; positions outside those rows are padding: they are
/// never attended to, and their outputs are the output bias only (they must be ignored downstream, e.g. by
/// <see cref="MeanPooling"/>). Works on a padded layout (starts[b] = b·T) or a packed one (no padding rows).
/// </summary>
/// <typeparam name="T">float for training, double for gradient checks.</typeparam>
public sealed class MultiHeadSelfAttention<T> where T : unmanaged, IFloatingPointIeee754<T>
{
    /// <summary>Model width.</summary>
    public int Dim { get; }
    /// <summary>Number of heads.</summary>
    public int Heads { get; }
    /// <summary>Width of one head (Dim / Heads).</summary>
    public int HeadDim { get; }
    /// <summary>Joint query/key/value projection d → 3d (queries, then keys, then values).</summary>
    public Affine<T> Qkv { get; }
    /// <summary>Output projection d → d.</summary>
    public Affine<T> Output { get; }

    /// <summary>Reserves the projections under <paramref name="name"/>.qkv / .out.</summary>
    public MultiHeadSelfAttention(ParameterStore<T> store, string name, int dim, int heads)
    {
        if (heads <= 0) throw new ArgumentOutOfRangeException(nameof(heads), heads, "must be positive");
        if (dim <= 0 || dim % heads != 0) throw new ArgumentOutOfRangeException(nameof(dim), dim, $"must be a positive multiple of heads ({heads})");
        Dim = dim; Heads = heads; HeadDim = dim / heads;
        Qkv = new Affine<T>(store, name + ".qkv", dim, 3 * dim);
        Output = new Affine<T>(store, name + ".out", dim, dim);
    }

    /// <summary>Xavier-uniform projections, zero biases.</summary>
    public void Initialize(ParameterStore<T> store, Rng rng)
    {
        SeqOps.Uniform(store.Value(Qkv.Weight), rng, Math.Sqrt(6.0 / (Dim + Dim)));
        store.Value(Qkv.Bias).Clear();
        SeqOps.Uniform(store.Value(Output.Weight), rng, 1.0 / Math.Sqrt(Dim));
        store.Value(Output.Bias).Clear();
    }

    /// <summary>Caller-owned activations of one forward/backward pass; grows as needed.</summary>
    public sealed class Workspace
    {
        internal T[] QkvBuf = [];      // [rows, 3d]
        internal T[] Ctx = [];         // [rows, d] attention output before the output projection
        internal T[] Probs = [];       // per sequence and head: [len, len]
        internal long[] ProbOffset = []; // [batch]
        internal T[] DCtx = [];        // [rows, d]
        internal T[] DQkv = [];        // [rows, 3d]
        internal int Rows, Batch;
        internal int[] Starts = [], Lengths = [];
    }

    private sealed class Scratch
    {
        public T[] Q = [], K = [], V = [], O = [], DP = [], DQ = [], DK = [], DV = [];
        public void Ensure(int len, int hd)
        {
            long n = (long)len * hd;
            SeqOps.Ensure(ref Q, n); SeqOps.Ensure(ref K, n); SeqOps.Ensure(ref V, n); SeqOps.Ensure(ref O, n);
            SeqOps.Ensure(ref DQ, n); SeqOps.Ensure(ref DK, n); SeqOps.Ensure(ref DV, n);
            SeqOps.Ensure(ref DP, (long)len * len);
        }
    }

    /// <summary>Maximum worker threads used across sequences (default: processor count).</summary>
    public int MaxThreads { get; set; } = Environment.ProcessorCount;

    /// <summary>y[rows, Dim] = attention over each sequence's rows of x.</summary>
    public void Forward(ParameterStore<T> store, ReadOnlySpan<T> x, int rows, ReadOnlySpan<int> starts, ReadOnlySpan<int> lengths,
        Span<T> y, Workspace ws)
    {
        ArgumentNullException.ThrowIfNull(ws);
        int d = Dim, batch = lengths.Length;
        SeqOps.Need(starts.Length, batch, nameof(starts));
        for (int b = 0; b < batch; b++)
            if (lengths[b] < 0 || starts[b] < 0 || starts[b] + lengths[b] > rows)
                throw new ArgumentOutOfRangeException(nameof(lengths), lengths[b], $"sequence {b} (start {starts[b]}) does not fit in {rows} rows");
        ws.Rows = rows; ws.Batch = batch;
        ws.Starts = starts.ToArray(); ws.Lengths = lengths.ToArray();
        SeqOps.Ensure(ref ws.QkvBuf, (long)rows * 3 * d);
        SeqOps.Ensure(ref ws.Ctx, (long)rows * d);
        if (ws.ProbOffset.Length < batch) ws.ProbOffset = new long[batch];
        long total = 0;
        for (int b = 0; b < batch; b++) { ws.ProbOffset[b] = total; total += (long)Heads * lengths[b] * lengths[b]; }
        SeqOps.Ensure(ref ws.Probs, total);
        Qkv.Forward(store, x, rows, ws.QkvBuf);
        Array.Clear(ws.Ctx, 0, rows * d);
        RunParallel(batch, (b, s) => ForwardSequence(ws, b, s));
        Output.Forward(store, ws.Ctx, rows, y);
    }

    /// <summary>Accumulates parameter gradients and writes (or adds) dx, using the activations of the last Forward on <paramref name="ws"/>.</summary>
    public void Backward(ParameterStore<T> store, ReadOnlySpan<T> x, ReadOnlySpan<T> dy, Span<T> dx, bool accumulateDx, Workspace ws)
    {
        ArgumentNullException.ThrowIfNull(ws);
        int d = Dim, rows = ws.Rows;
        SeqOps.Ensure(ref ws.DCtx, (long)rows * d);
        SeqOps.Ensure(ref ws.DQkv, (long)rows * 3 * d);
        Output.Backward(store, ws.Ctx, dy, rows, ws.DCtx);
        Array.Clear(ws.DQkv, 0, rows * 3 * d);
        RunParallel(ws.Batch, (b, s) => BackwardSequence(ws, b, s));
        Qkv.Backward(store, x, ws.DQkv, rows, dx, accumulateDx);
    }

    private void RunParallel(int batch, Action<int, Scratch> body)
    {
        int threads = Math.Max(1, Math.Min(MaxThreads, batch));
        if (threads == 1)
        {
            var s = new Scratch();
            for (int b = 0; b < batch; b++) body(b, s);
            return;
        }
        Parallel.For(0, batch, new ParallelOptions { MaxDegreeOfParallelism = threads }, () => new Scratch(),
            (b, _, s) => { body(b, s); return s; }, _ => { });
    }

    private void Gather(T[] src, int width, int start, int len, int col, Span<T> dst)
    {
        int hd = HeadDim;
        for (int t = 0; t < len; t++) src.AsSpan((start + t) * width + col, hd).CopyTo(dst.Slice(t * hd, hd));
    }

    private void Scatter(ReadOnlySpan<T> src, T[] dst, int width, int start, int len, int col)
    {
        int hd = HeadDim;
        for (int t = 0; t < len; t++) src.Slice(t * hd, hd).CopyTo(dst.AsSpan((start + t) * width + col, hd));
    }

    private void ForwardSequence(Workspace ws, int b, Scratch s)
    {
        int len = ws.Lengths[b], start = ws.Starts[b], d = Dim, hd = HeadDim, w = 3 * d;
        if (len == 0) return;
        s.Ensure(len, hd);
        T scale = T.One / T.Sqrt(T.CreateTruncating(hd));
        for (int h = 0; h < Heads; h++)
        {
            Gather(ws.QkvBuf, w, start, len, h * hd, s.Q);
            Gather(ws.QkvBuf, w, start, len, d + h * hd, s.K);
            Gather(ws.QkvBuf, w, start, len, 2 * d + h * hd, s.V);
            var p = ws.Probs.AsSpan((int)(ws.ProbOffset[b] + (long)h * len * len), len * len);
            Gemm.MatMulTransB<T>(s.Q, s.K, p, len, hd, len);
            for (int i = 0; i < len; i++)
            {
                var row = p.Slice(i * len, len);
                TensorPrimitives.Multiply(row, scale, row);
                T max = TensorPrimitives.Max<T>(row);
                TensorPrimitives.Subtract(row, max, row);
                TensorPrimitives.Exp(row, row);
                T sum = TensorPrimitives.Sum<T>(row);
                TensorPrimitives.Multiply(row, T.One / sum, row);
            }
            Gemm.MatMul<T>(p, s.V, s.O, len, len, hd);
            Scatter(s.O.AsSpan(0, len * hd), ws.Ctx, d, start, len, h * hd);
        }
    }

    private void BackwardSequence(Workspace ws, int b, Scratch s)
    {
        int len = ws.Lengths[b], start = ws.Starts[b], d = Dim, hd = HeadDim, w = 3 * d;
        if (len == 0) return;
        s.Ensure(len, hd);
        T scale = T.One / T.Sqrt(T.CreateTruncating(hd));
        for (int h = 0; h < Heads; h++)
        {
            Gather(ws.QkvBuf, w, start, len, h * hd, s.Q);
            Gather(ws.QkvBuf, w, start, len, d + h * hd, s.K);
            Gather(ws.QkvBuf, w, start, len, 2 * d + h * hd, s.V);
            Gather(ws.DCtx, d, start, len, h * hd, s.O); // s.O holds dO
            var p = ws.Probs.AsSpan((int)(ws.ProbOffset[b] + (long)h * len * len), len * len);
            var dp = s.DP.AsSpan(0, len * len);
            Gemm.MatMulTransB<T>(s.O, s.V, dp, len, hd, len);          // dP = dO·Vᵀ
            Gemm.MatMulTransA<T>(p, s.O, s.DV, len, len, hd);          // dV = Pᵀ·dO
            for (int i = 0; i < len; i++)
            {
                var pr = p.Slice(i * len, len); var dr = dp.Slice(i * len, len);
                T dot = TensorPrimitives.Dot<T>(pr, dr);
                TensorPrimitives.Subtract(dr, dot, dr);
                TensorPrimitives.Multiply(dr, pr, dr);
                TensorPrimitives.Multiply(dr, scale, dr);              // dS
            }
            Gemm.MatMul<T>(dp, s.K, s.DQ, len, len, hd);               // dQ = dS·K
            Gemm.MatMulTransA<T>(dp, s.Q, s.DK, len, len, hd);         // dK = dSᵀ·Q
            Scatter(s.DQ.AsSpan(0, len * hd), ws.DQkv, w, start, len, h * hd);
            Scatter(s.DK.AsSpan(0, len * hd), ws.DQkv, w, start, len, d + h * hd);
            Scatter(s.DV.AsSpan(0, len * hd), ws.DQkv, w, start, len, 2 * d + h * hd);
        }
    }
}
