using System.Numerics;
using VaeText.Core;
using VaeText.Nn;

namespace VaeText.Models;

/// <summary>
/// The bag-of-words encoder: SparseLinear(V→h₀) → act → [dropout] → Linear(h₀→h₁) → act → [dropout] … →
/// mean = Linear(h→L), log-variance = Linear(h→L).
/// </summary>
internal sealed class BowEncoder<T> : IVaeEncoder<T, CsrBatch> where T : unmanaged, IFloatingPointIeee754<T>
{
    private readonly SparseLinear<T> _first;
    private readonly Linear<T>[] _hidden; // _hidden[i] maps layer i to layer i + 1
    private readonly ActivationLayer<T>[] _acts;
    private readonly Dropout<T>? _dropout;
    private readonly Linear<T> _mean;
    private readonly Linear<T> _logVar;
    private readonly int[] _sizes;

    public BowEncoder(ParameterStore<T> store, int vocabularySize, IReadOnlyList<int> hiddenSizes, Activation activation, int latentSize, double dropout)
    {
        _sizes = hiddenSizes.ToArray();
        _first = new SparseLinear<T>(store, "enc0", vocabularySize, _sizes[0]);
        _hidden = new Linear<T>[_sizes.Length - 1];
        for (int i = 1; i < _sizes.Length; i++) _hidden[i - 1] = new Linear<T>(store, "enc" + i, _sizes[i - 1], _sizes[i]);
        _acts = _sizes.Select(s => new ActivationLayer<T>(activation, s)).ToArray();
        _dropout = dropout > 0 ? new Dropout<T>(dropout) : null;
        _mean = new Linear<T>(store, "mean", _sizes[^1], latentSize);
        _logVar = new Linear<T>(store, "logvar", _sizes[^1], latentSize);
        LatentSize = latentSize;
    }

    public int LatentSize { get; }

    public SparseLinear<T> First => _first;

    public void Initialize(Rng rng)
    {
        _first.Initialize(rng);
        foreach (var l in _hidden) l.Initialize(rng);
        _mean.Initialize(rng);
        _logVar.Initialize(rng);
    }

    private sealed class Workspace
    {
        public required T[][] Pre;   // [layer][cap, h]
        public required T[][] Act;   // [layer][cap, h]
        public required T[][] Out;   // == Act without dropout
        public required T[][] Mask;  // dropout masks (training with dropout only)
        public required T[] DA;      // [cap, maxH]
        public required T[] DB;      // [cap, maxH]
        public bool Dropped;
    }

    public object CreateWorkspace(int capacity, bool training)
    {
        int layers = _sizes.Length, maxH = _sizes.Max();
        bool drop = training && _dropout != null;
        var pre = new T[layers][]; var act = new T[layers][]; var outp = new T[layers][]; var mask = new T[layers][];
        for (int i = 0; i < layers; i++)
        {
            int n = capacity * _sizes[i];
            pre[i] = new T[n];
            act[i] = new T[n];
            outp[i] = drop ? new T[n] : act[i];
            mask[i] = drop ? new T[n] : Array.Empty<T>();
        }
        return new Workspace
        {
            Pre = pre, Act = act, Out = outp, Mask = mask,
            DA = training ? new T[capacity * maxH] : Array.Empty<T>(),
            DB = training ? new T[capacity * maxH] : Array.Empty<T>(),
        };
    }

    public int Count(CsrBatch input) => input.Count;

    public void Forward(CsrBatch input, Span<T> mean, Span<T> logVar, object workspace, Rng? dropoutRng)
    {
        var ws = (Workspace)workspace;
        int b = input.Count;
        bool drop = dropoutRng != null && _dropout != null;
        if (drop && ws.Mask[0].Length == 0) throw new InvalidOperationException("workspace was created for inference");
        ws.Dropped = drop;
        for (int i = 0; i < _sizes.Length; i++)
        {
            int n = b * _sizes[i];
            if (i == 0) _first.Forward(input, ws.Pre[0]);
            else _hidden[i - 1].Forward(ws.Out[i - 1].AsSpan(0, b * _sizes[i - 1]), ws.Pre[i], b);
            _acts[i].Forward(ws.Pre[i], ws.Act[i], b);
            if (drop)
            {
                _dropout!.SampleMask(ws.Mask[i].AsSpan(0, n), dropoutRng!);
                _dropout.Forward(ws.Act[i], ws.Mask[i], ws.Out[i], n);
            }
            else if (!ReferenceEquals(ws.Out[i], ws.Act[i]))
            {
                ws.Act[i].AsSpan(0, n).CopyTo(ws.Out[i]);
            }
        }
        int last = _sizes.Length - 1;
        var h = ws.Out[last].AsSpan(0, b * _sizes[last]);
        _mean.Forward(h, mean, b);
        _logVar.Forward(h, logVar, b);
    }

    public void Backward(CsrBatch input, ReadOnlySpan<T> dMean, ReadOnlySpan<T> dLogVar, object workspace)
    {
        var ws = (Workspace)workspace;
        int b = input.Count;
        int last = _sizes.Length - 1;
        var h = ws.Out[last].AsSpan(0, b * _sizes[last]);
        Span<T> d = ws.DA.AsSpan(0, b * _sizes[last]);
        _mean.Backward(h, dMean, d, b);
        _logVar.Backward(h, dLogVar, d, b, accumulateInput: true);
        T[] cur = ws.DA, other = ws.DB;
        for (int i = last; i >= 0; i--)
        {
            int n = b * _sizes[i];
            var dOut = cur.AsSpan(0, n);
            if (ws.Dropped) _dropout!.Backward(dOut, ws.Mask[i], dOut, n);
            _acts[i].Backward(ws.Pre[i], ws.Act[i], dOut, dOut, b);
            if (i == 0)
            {
                _first.Backward(input, dOut);
            }
            else
            {
                _hidden[i - 1].Backward(ws.Out[i - 1].AsSpan(0, b * _sizes[i - 1]), dOut, other.AsSpan(0, b * _sizes[i - 1]), b);
                (cur, other) = (other, cur);
            }
        }
    }
}
