using System.Numerics;
using System.Numerics.Tensors;
using VaeText.Core;
using VaeText.Tensors;

namespace VaeText.Nn;

/// <summary>How an LSTM encoder turns its outputs into one vector per sequence.</summary>
public enum LstmPooling
{
    /// <summary>The hidden state after the last real token (for the backward direction: after the first token).</summary>
    Last,
    /// <summary>The mean of the hidden states over the real tokens.</summary>
    Mean,
}

/// <summary>
/// One LSTM direction with the fused gate kernel: the input projection of all four gates (i, f, g, o) over the
/// whole sequence is one GEMM, then each step adds one recurrent GEMM of the active rows. Input is time-major
/// [steps, batch, In]; sequence b is real for steps t &lt; lengths[b], and its state is carried unchanged through the
/// padding steps, so the state after the last step is each sequence's final state.
/// </summary>
/// <typeparam name="T">float for training, double for gradient checks.</typeparam>
public sealed class LstmCell<T> where T : unmanaged, IFloatingPointIeee754<T>
{
    /// <summary>Input width.</summary>
    public int InputSize { get; }
    /// <summary>Hidden width H.</summary>
    public int HiddenSize { get; }
    /// <summary>Input weights [4H, In] (gate blocks i, f, g, o).</summary>
    public ParameterSlice InputWeight { get; }
    /// <summary>Recurrent weights [4H, H].</summary>
    public ParameterSlice RecurrentWeight { get; }
    /// <summary>Gate bias [4H].</summary>
    public ParameterSlice Bias { get; }

    /// <summary>Reserves the weights under <paramref name="name"/>.</summary>
    public LstmCell(ParameterStore<T> store, string name, int inputSize, int hiddenSize)
    {
        ArgumentNullException.ThrowIfNull(store);
        if (inputSize <= 0) throw new ArgumentOutOfRangeException(nameof(inputSize), inputSize, "must be positive");
        if (hiddenSize <= 0) throw new ArgumentOutOfRangeException(nameof(hiddenSize), hiddenSize, "must be positive");
        InputSize = inputSize; HiddenSize = hiddenSize;
        InputWeight = store.Reserve(name + ".w_ih", checked(4 * hiddenSize * inputSize));
        RecurrentWeight = store.Reserve(name + ".w_hh", checked(4 * hiddenSize * hiddenSize));
        Bias = store.Reserve(name + ".bias", 4 * hiddenSize);
    }

    /// <summary>Uniform(±1/√H) weights (PyTorch's range), zero bias except 1 for the forget gate.</summary>
    public void Initialize(ParameterStore<T> store, Rng rng)
    {
        double bound = 1.0 / Math.Sqrt(HiddenSize);
        SeqOps.Uniform(store.Value(InputWeight), rng, bound);
        SeqOps.Uniform(store.Value(RecurrentWeight), rng, bound);
        var b = store.Value(Bias);
        b.Clear();
        b.Slice(HiddenSize, HiddenSize).Fill(T.One);
    }

    /// <summary>Caller-owned activations of one pass over a batch; grows as needed.</summary>
    public sealed class Workspace
    {
        internal T[] Gates = [];   // [steps, batch, 4H] activated gates
        internal T[] C = [];       // [steps+1, batch, H] cell states (slot 0 = c0 = 0)
        internal T[] H = [];       // [steps+1, batch, H] hidden states (slot 0 = h0)
        internal T[] TanhC = [];   // [steps, batch, H]
        internal T[] DGates = [];  // [steps, batch, 4H]
        internal T[] DH = [], DC = [], Tmp = []; // [batch, H]
        internal T[] WhhT = [];    // [H, 4H] recurrent weights transposed once per pass (row-major B: the GEMM reads it in place)
        internal int[] Lengths = [], Active = [];
        internal int Steps, Batch;

        /// <summary>Hidden outputs, time-major [steps, batch, H]; values at padding steps are carried states and must be ignored.</summary>
        public ReadOnlySpan<T> Outputs(int hidden) => H.AsSpan(Batch * hidden, Steps * Batch * hidden);
        /// <summary>Final hidden states [batch, H] (each sequence's state after its last real token).</summary>
        public ReadOnlySpan<T> Final(int hidden) => H.AsSpan(Steps * Batch * hidden, Batch * hidden);
    }

    /// <summary>
    /// Runs the sequence. <paramref name="h0"/> [batch, H] is the initial hidden state (empty: zeros);
    /// <paramref name="rowGateBias"/> [batch, 4H] is added to every step's gate pre-activations of that row
    /// (empty: none; a decoder uses it to condition on a latent code).
    /// </summary>
    public void Forward(ParameterStore<T> store, ReadOnlySpan<T> x, int steps, int batch, ReadOnlySpan<int> lengths,
        ReadOnlySpan<T> h0, ReadOnlySpan<T> rowGateBias, Workspace ws)
    {
        ArgumentNullException.ThrowIfNull(ws);
        if (steps < 0) throw new ArgumentOutOfRangeException(nameof(steps), steps, "must be non-negative");
        if (batch < 0) throw new ArgumentOutOfRangeException(nameof(batch), batch, "must be non-negative");
        SeqOps.CheckLengths(lengths, batch, steps, nameof(lengths));
        int H = HiddenSize, G = 4 * H, inSize = InputSize, rows = steps * batch;
        SeqOps.Need(x.Length, (long)rows * inSize, nameof(x));
        if (!h0.IsEmpty) SeqOps.Need(h0.Length, (long)batch * H, nameof(h0));
        if (!rowGateBias.IsEmpty) SeqOps.Need(rowGateBias.Length, (long)batch * G, nameof(rowGateBias));
        ws.Steps = steps; ws.Batch = batch;
        ws.Lengths = lengths[..batch].ToArray();
        SeqOps.Ensure(ref ws.Gates, (long)rows * G);
        SeqOps.Ensure(ref ws.C, (long)(steps + 1) * batch * H);
        SeqOps.Ensure(ref ws.H, (long)(steps + 1) * batch * H);
        SeqOps.Ensure(ref ws.TanhC, (long)rows * H);
        if (ws.Active.Length < steps) ws.Active = new int[steps];
        for (int t = 0; t < steps; t++)
        {
            int last = 0;
            for (int b = 0; b < batch; b++) if (lengths[b] > t) last = b + 1;
            ws.Active[t] = last;
        }
        var wih = store.Value(InputWeight); var whh = store.Value(RecurrentWeight); var bias = store.Value(Bias);
        var gates = ws.Gates.AsSpan(0, rows * G);
        Gemm.MatMulTransB<T>(x, wih, gates, rows, inSize, G);
        SeqOps.AddBiasRows(gates, rows, bias);
        if (!rowGateBias.IsEmpty)
            for (int t = 0; t < steps; t++)
                TensorPrimitives.Add(gates.Slice(t * batch * G, batch * G), rowGateBias[..(batch * G)], gates.Slice(t * batch * G, batch * G));
        var hs = ws.H.AsSpan(); var cs = ws.C.AsSpan();
        if (h0.IsEmpty) hs[..(batch * H)].Clear(); else h0[..(batch * H)].CopyTo(hs);
        cs[..(batch * H)].Clear();
        // h·Whhᵀ as h·(Whhᵀ): one transpose per pass instead of the GEMM packing Whh at every step.
        SeqOps.Ensure(ref ws.WhhT, (long)H * G);
        var whhT = ws.WhhT.AsSpan(0, H * G);
        for (int g = 0; g < G; g++)
        {
            var src = whh.Slice(g * H, H);
            for (int j = 0; j < H; j++) whhT[j * G + g] = src[j];
        }
        for (int t = 0; t < steps; t++)
        {
            int nAct = ws.Active[t];
            var gt = gates.Slice(t * batch * G, batch * G);
            if (nAct > 0) Gemm.MatMul<T>(hs.Slice(t * batch * H, nAct * H), whhT, gt[..(nAct * G)], nAct, H, G, accumulate: true);
            for (int b = 0; b < batch; b++)
            {
                var hp = hs.Slice((t * batch + b) * H, H); var cp = cs.Slice((t * batch + b) * H, H);
                var hn = hs.Slice(((t + 1) * batch + b) * H, H); var cn = cs.Slice(((t + 1) * batch + b) * H, H);
                if (t >= lengths[b]) { hp.CopyTo(hn); cp.CopyTo(cn); continue; }
                var g = gt.Slice(b * G, G);
                TensorPrimitives.Sigmoid(g[..(2 * H)], g[..(2 * H)]);
                TensorPrimitives.Tanh(g.Slice(2 * H, H), g.Slice(2 * H, H));
                TensorPrimitives.Sigmoid(g.Slice(3 * H, H), g.Slice(3 * H, H));
                TensorPrimitives.Multiply(g.Slice(H, H), cp, cn);                    // c = f·c'
                TensorPrimitives.FusedMultiplyAdd(g[..H], g.Slice(2 * H, H), cn, cn); //   + i·g
                var tc = ws.TanhC.AsSpan((t * batch + b) * H, H);
                TensorPrimitives.Tanh(cn, tc);
                TensorPrimitives.Multiply(g.Slice(3 * H, H), tc, hn);                // h = o·tanh(c)
            }
        }
    }

    /// <summary>
    /// Backward through the last Forward on <paramref name="ws"/>. <paramref name="dOutputs"/> [steps, batch, H]
    /// (empty: none; entries at padding steps are ignored) and <paramref name="dFinal"/> [batch, H] (empty: none)
    /// are the gradients of the outputs and final states. Accumulates parameter gradients; writes (or adds, with
    /// <paramref name="accumulateDx"/>) dx [steps, batch, In]; writes dh0 [batch, H]; adds to dRowGateBias [batch, 4H].
    /// Empty output spans are skipped.
    /// </summary>
    public void Backward(ParameterStore<T> store, ReadOnlySpan<T> x, ReadOnlySpan<T> dOutputs, ReadOnlySpan<T> dFinal,
        Span<T> dx, bool accumulateDx, Span<T> dh0, Span<T> dRowGateBias, Workspace ws)
    {
        ArgumentNullException.ThrowIfNull(ws);
        int steps = ws.Steps, batch = ws.Batch, H = HiddenSize, G = 4 * H, rows = steps * batch, inSize = InputSize;
        SeqOps.Need(x.Length, (long)rows * inSize, nameof(x));
        if (!dOutputs.IsEmpty) SeqOps.Need(dOutputs.Length, (long)rows * H, nameof(dOutputs));
        if (!dFinal.IsEmpty) SeqOps.Need(dFinal.Length, (long)batch * H, nameof(dFinal));
        SeqOps.Ensure(ref ws.DGates, (long)rows * G);
        SeqOps.Ensure(ref ws.DH, (long)batch * H); SeqOps.Ensure(ref ws.DC, (long)batch * H); SeqOps.Ensure(ref ws.Tmp, (long)batch * H);
        var dg = ws.DGates.AsSpan(0, rows * G);
        var dhc = ws.DH.AsSpan(0, batch * H); var dcc = ws.DC.AsSpan(0, batch * H);
        if (dFinal.IsEmpty) dhc.Clear(); else dFinal[..(batch * H)].CopyTo(dhc);
        dcc.Clear();
        var whh = store.Value(RecurrentWeight);
        var lengths = ws.Lengths;
        T one = T.One;
        for (int t = steps - 1; t >= 0; t--)
        {
            for (int b = 0; b < batch; b++)
            {
                var dgr = dg.Slice((t * batch + b) * G, G);
                if (t >= lengths[b]) { dgr.Clear(); continue; }
                var gr = ws.Gates.AsSpan((t * batch + b) * G, G);
                var tc = ws.TanhC.AsSpan((t * batch + b) * H, H);
                var cp = ws.C.AsSpan((t * batch + b) * H, H);
                var dh = dhc.Slice(b * H, H); var dc = dcc.Slice(b * H, H);
                if (!dOutputs.IsEmpty) TensorPrimitives.Add(dh, dOutputs.Slice((t * batch + b) * H, H), dh);
                int j = 0;
                if (Vector.IsHardwareAccelerated && Vector<T>.Count > 1)
                {
                    var vone = Vector<T>.One;
                    for (; j <= H - Vector<T>.Count; j += Vector<T>.Count)
                    {
                        var i = new Vector<T>(gr[j..]); var f = new Vector<T>(gr[(H + j)..]);
                        var gg = new Vector<T>(gr[(2 * H + j)..]); var o = new Vector<T>(gr[(3 * H + j)..]);
                        var c = new Vector<T>(tc[j..]); var dhv = new Vector<T>(dh[j..]);
                        var dcv = new Vector<T>(dc[j..]) + dhv * o * (vone - c * c);
                        (dcv * gg * i * (vone - i)).CopyTo(dgr[j..]);
                        (dcv * new Vector<T>(cp[j..]) * f * (vone - f)).CopyTo(dgr[(H + j)..]);
                        (dcv * i * (vone - gg * gg)).CopyTo(dgr[(2 * H + j)..]);
                        (dhv * c * o * (vone - o)).CopyTo(dgr[(3 * H + j)..]);
                        (dcv * f).CopyTo(dc[j..]);
                    }
                }
                for (; j < H; j++)
                {
                    T i = gr[j], f = gr[H + j], gg = gr[2 * H + j], o = gr[3 * H + j], c = tc[j];
                    T dhv = dh[j];
                    T dcv = dc[j] + dhv * o * (one - c * c);
                    dgr[j] = dcv * gg * i * (one - i);
                    dgr[H + j] = dcv * cp[j] * f * (one - f);
                    dgr[2 * H + j] = dcv * i * (one - gg * gg);
                    dgr[3 * H + j] = dhv * c * o * (one - o);
                    dc[j] = dcv * f;
                }
            }
            int nAct = ws.Active[t];
            if (nAct > 0)
            {
                var tmp = ws.Tmp.AsSpan(0, nAct * H);
                Gemm.MatMul<T>(dg.Slice(t * batch * G, nAct * G), whh, tmp, nAct, G, H);
                for (int b = 0; b < nAct; b++)
                    if (t < lengths[b]) tmp.Slice(b * H, H).CopyTo(dhc.Slice(b * H, H));
            }
        }
        if (!dh0.IsEmpty) { SeqOps.Need(dh0.Length, (long)batch * H, nameof(dh0)); dhc.CopyTo(dh0); }
        if (!dRowGateBias.IsEmpty)
        {
            SeqOps.Need(dRowGateBias.Length, (long)batch * G, nameof(dRowGateBias));
            for (int t = 0; t < steps; t++)
                TensorPrimitives.Add(dRowGateBias[..(batch * G)], dg.Slice(t * batch * G, batch * G), dRowGateBias[..(batch * G)]);
        }
        if (rows == 0) return;
        Gemm.MatMulTransA<T>(dg, x, store.Grad(InputWeight), G, rows, inSize, accumulate: true);
        Gemm.MatMulTransA<T>(dg, ws.H.AsSpan(0, rows * H), store.Grad(RecurrentWeight), G, rows, H, accumulate: true);
        SeqOps.AddColumnSums<T>(dg, rows, G, store.Grad(Bias));
        if (!dx.IsEmpty)
        {
            SeqOps.Need(dx.Length, (long)rows * inSize, nameof(dx));
            Gemm.MatMul<T>(dg, store.Value(InputWeight), dx, rows, G, inSize, accumulateDx);
        }
    }

    /// <summary>
    /// One inference step for decoding: from x [batch, In] and the previous state (h, c) [batch, H] computes the next
    /// state in place. <paramref name="gates"/> is scratch [batch, 4H]; <paramref name="rowGateBias"/> as in Forward.
    /// </summary>
    public void Step(ParameterStore<T> store, ReadOnlySpan<T> x, int batch, Span<T> h, Span<T> c, ReadOnlySpan<T> rowGateBias, Span<T> gates)
    {
        int H = HiddenSize, G = 4 * H;
        SeqOps.Need(x.Length, (long)batch * InputSize, nameof(x)); SeqOps.Need(h.Length, (long)batch * H, nameof(h));
        SeqOps.Need(c.Length, (long)batch * H, nameof(c)); SeqOps.Need(gates.Length, (long)batch * G, nameof(gates));
        Gemm.MatMulTransB<T>(x, store.Value(InputWeight), gates, batch, InputSize, G);
        Gemm.MatMulTransB<T>(h, store.Value(RecurrentWeight), gates, batch, H, G, accumulate: true);
        SeqOps.AddBiasRows(gates, batch, store.Value(Bias));
        if (!rowGateBias.IsEmpty) TensorPrimitives.Add(gates[..(batch * G)], rowGateBias[..(batch * G)], gates[..(batch * G)]);
        for (int b = 0; b < batch; b++)
        {
            var g = gates.Slice(b * G, G); var cb = c.Slice(b * H, H); var hb = h.Slice(b * H, H);
            TensorPrimitives.Sigmoid(g[..(2 * H)], g[..(2 * H)]);
            TensorPrimitives.Tanh(g.Slice(2 * H, H), g.Slice(2 * H, H));
            TensorPrimitives.Sigmoid(g.Slice(3 * H, H), g.Slice(3 * H, H));
            TensorPrimitives.Multiply(g.Slice(H, H), cb, cb);
            TensorPrimitives.FusedMultiplyAdd(g[..H], g.Slice(2 * H, H), cb, cb);
            TensorPrimitives.Tanh(cb, hb);
            TensorPrimitives.Multiply(g.Slice(3 * H, H), hb, hb);
        }
    }
}

/// <summary>
/// LSTM encoder: one direction, or two (the second reads each sequence backwards within its own length), pooled to
/// one vector per sequence by the last state or the mean over real tokens. Output width H, or 2H when bidirectional
/// ([forward, backward]).
/// </summary>
/// <typeparam name="T">float for training, double for gradient checks.</typeparam>
public sealed class Lstm<T> where T : unmanaged, IFloatingPointIeee754<T>
{
    /// <summary>Forward direction.</summary>
    public LstmCell<T> ForwardCell { get; }
    /// <summary>Backward direction (null when unidirectional).</summary>
    public LstmCell<T>? ReverseCell { get; }
    /// <summary>Pooling of the outputs.</summary>
    public LstmPooling Pooling { get; }
    /// <summary>Hidden width per direction.</summary>
    public int HiddenSize => ForwardCell.HiddenSize;
    /// <summary>Input width.</summary>
    public int InputSize => ForwardCell.InputSize;
    /// <summary>Pooled width: H, or 2H when bidirectional.</summary>
    public int OutputSize => ReverseCell is null ? HiddenSize : 2 * HiddenSize;

    /// <summary>Reserves the parameters under <paramref name="name"/>.fwd (and .bwd).</summary>
    public Lstm(ParameterStore<T> store, string name, int inputSize, int hiddenSize, bool bidirectional = false, LstmPooling pooling = LstmPooling.Last)
    {
        if (!Enum.IsDefined(pooling)) throw new ArgumentOutOfRangeException(nameof(pooling), pooling, "unknown pooling");
        ForwardCell = new LstmCell<T>(store, name + ".fwd", inputSize, hiddenSize);
        if (bidirectional) ReverseCell = new LstmCell<T>(store, name + ".bwd", inputSize, hiddenSize);
        Pooling = pooling;
    }

    /// <summary>Initialises both directions.</summary>
    public void Initialize(ParameterStore<T> store, Rng rng) { ForwardCell.Initialize(store, rng); ReverseCell?.Initialize(store, rng); }

    /// <summary>Caller-owned activations of one pass; grows as needed.</summary>
    public sealed class Workspace
    {
        internal readonly LstmCell<T>.Workspace Fwd = new(), Bwd = new();
        internal T[] RevX = [], DRevX = [], DOut = [], DFinal = [];
        internal int Steps, Batch;
        internal int[] Lengths = [];
    }

    private static void Reverse1(ReadOnlySpan<T> src, Span<T> dst, int steps, int batch, int width, ReadOnlySpan<int> lengths, bool add)
    {
        for (int b = 0; b < batch; b++)
            for (int t = 0; t < steps; t++)
            {
                var d = dst.Slice((t * batch + b) * width, width);
                if (t >= lengths[b]) { if (!add) d.Clear(); continue; }
                var s = src.Slice(((lengths[b] - 1 - t) * batch + b) * width, width);
                if (add) TensorPrimitives.Add(d, s, d); else s.CopyTo(d);
            }
    }

    /// <summary>Encodes time-major x [steps, batch, In] into y [batch, OutputSize].</summary>
    public void Encode(ParameterStore<T> store, ReadOnlySpan<T> x, int steps, int batch, ReadOnlySpan<int> lengths, Span<T> y, Workspace ws)
    {
        ArgumentNullException.ThrowIfNull(ws);
        int H = HiddenSize, W = OutputSize;
        SeqOps.Need(y.Length, (long)batch * W, nameof(y));
        ws.Steps = steps; ws.Batch = batch; ws.Lengths = lengths[..Math.Min(batch, lengths.Length)].ToArray();
        ForwardCell.Forward(store, x, steps, batch, lengths, default, default, ws.Fwd);
        Pool(ws.Fwd, y, 0, W, lengths, steps, batch);
        if (ReverseCell is not null)
        {
            SeqOps.Ensure(ref ws.RevX, (long)steps * batch * InputSize);
            Reverse1(x, ws.RevX, steps, batch, InputSize, lengths, false);
            ReverseCell.Forward(store, ws.RevX, steps, batch, lengths, default, default, ws.Bwd);
            Pool(ws.Bwd, y, H, W, lengths, steps, batch);
        }
    }

    private void Pool(LstmCell<T>.Workspace run, Span<T> y, int col, int w, ReadOnlySpan<int> lengths, int steps, int batch)
    {
        int H = HiddenSize;
        if (Pooling == LstmPooling.Last)
        {
            var fin = run.Final(H);
            for (int b = 0; b < batch; b++) fin.Slice(b * H, H).CopyTo(y.Slice(b * w + col, H));
            return;
        }
        var outs = run.Outputs(H);
        for (int b = 0; b < batch; b++)
        {
            var yb = y.Slice(b * w + col, H);
            yb.Clear();
            if (lengths[b] == 0) continue;
            for (int t = 0; t < lengths[b]; t++) TensorPrimitives.Add(yb, outs.Slice((t * batch + b) * H, H), yb);
            TensorPrimitives.Multiply(yb, T.One / T.CreateTruncating(lengths[b]), yb);
        }
    }

    private void PoolBackward(ReadOnlySpan<T> dy, int col, int w, Workspace ws, out bool useFinal)
    {
        int H = HiddenSize, steps = ws.Steps, batch = ws.Batch;
        useFinal = Pooling == LstmPooling.Last;
        if (useFinal)
        {
            SeqOps.Ensure(ref ws.DFinal, (long)batch * H);
            for (int b = 0; b < batch; b++) dy.Slice(b * w + col, H).CopyTo(ws.DFinal.AsSpan(b * H, H));
            return;
        }
        SeqOps.Ensure(ref ws.DOut, (long)steps * batch * H);
        Array.Clear(ws.DOut, 0, steps * batch * H);
        for (int b = 0; b < batch; b++)
        {
            int len = ws.Lengths[b];
            if (len == 0) continue;
            T s = T.One / T.CreateTruncating(len);
            for (int t = 0; t < len; t++)
                TensorPrimitives.Multiply(dy.Slice(b * w + col, H), s, ws.DOut.AsSpan((t * batch + b) * H, H));
        }
    }

    /// <summary>Accumulates parameter gradients from dy [batch, OutputSize]; writes (or adds) dx [steps, batch, In] (empty: skip).</summary>
    public void Backward(ParameterStore<T> store, ReadOnlySpan<T> x, ReadOnlySpan<T> dy, Span<T> dx, bool accumulateDx, Workspace ws)
    {
        ArgumentNullException.ThrowIfNull(ws);
        int H = HiddenSize, W = OutputSize, steps = ws.Steps, batch = ws.Batch, rows = steps * batch;
        SeqOps.Need(dy.Length, (long)batch * W, nameof(dy));
        PoolBackward(dy, 0, W, ws, out bool fin);
        ForwardCell.Backward(store, x, fin ? default : ws.DOut.AsSpan(0, rows * H), fin ? ws.DFinal.AsSpan(0, batch * H) : default,
            dx, accumulateDx, default, default, ws.Fwd);
        if (ReverseCell is not null)
        {
            PoolBackward(dy, H, W, ws, out fin);
            bool needDx = !dx.IsEmpty;
            if (needDx) SeqOps.Ensure(ref ws.DRevX, (long)rows * InputSize);
            ReverseCell.Backward(store, ws.RevX, fin ? default : ws.DOut.AsSpan(0, rows * H), fin ? ws.DFinal.AsSpan(0, batch * H) : default,
                needDx ? ws.DRevX.AsSpan(0, rows * InputSize) : default, false, default, default, ws.Bwd);
            if (needDx) Reverse1(ws.DRevX, dx, steps, batch, InputSize, ws.Lengths, true);
        }
    }
}
