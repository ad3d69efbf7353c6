using System.Numerics;
using System.Numerics.Tensors;
using VaeText.Core;
using VaeText.Nn;
using VaeText.Tensors;

namespace VaeText.Models;

/// <summary>
/// Autoregressive LSTM decoder conditioned on z (Bowman et al. 2016): h0 = tanh(W_h·z + b_h), and W_z·z is added to
/// every step's gate pre-activations (the same as concatenating z to each input embedding). Teacher forcing: the
/// input at step 0 is BOS (the zero vector), at step t the previous target token, each replaced by the unknown token
/// with probability WordDropout during training; the targets are the document's first MaxLength tokens, then EOS.
/// Output classes: 0 = EOS, 1 = unknown, 2 + w = word w (the token-id convention of <see cref="TokenBatch"/>).
/// </summary>
internal sealed class LstmTextDecoder<T> : IVaeDecoder<T, TokenBatch> where T : unmanaged, IFloatingPointIeee754<T>
{
    /// <summary>The end-of-sequence class (also the BOS input id, which embeds to zeros).</summary>
    public const int Eos = 0;
    /// <summary>The unknown-word class.</summary>
    public const int Unknown = 1;

    private readonly ParameterStore<T> _store;
    private readonly int _maxLen;
    private readonly double _wordDropout;

    public LstmTextDecoder(ParameterStore<T> store, int classes, int embedding, int hidden, int latent, int maxLen, double wordDropout)
    {
        _store = store; _maxLen = maxLen; _wordDropout = wordDropout;
        Classes = classes; LatentSize = latent;
        Embed = new Embedding<T>(store, "dec.emb", classes, embedding);
        Cell = new LstmCell<T>(store, "dec.lstm", embedding, hidden);
        InitState = new Affine<T>(store, "dec.init", latent, hidden);
        ZGates = new Affine<T>(store, "dec.z", latent, 4 * hidden, bias: false);
        Output = new Affine<T>(store, "dec.out", hidden, classes);
    }

    public int Classes { get; }
    public int LatentSize { get; }
    public int HiddenSize => Cell.HiddenSize;
    public int MaxLength => _maxLen;
    public Embedding<T> Embed { get; }
    public LstmCell<T> Cell { get; }
    public Affine<T> InitState { get; }
    public Affine<T> ZGates { get; }
    public Affine<T> Output { get; }

    /// <summary>Weights like the encoder's layers; output bias = log smoothed class frequency (words from the bag of words, EOS once per document).</summary>
    public void Initialize(Rng rng, CsrMatrix? background)
    {
        Embed.Initialize(_store, rng);
        Cell.Initialize(_store, rng);
        InitState.Initialize(_store, rng);
        ZGates.Initialize(_store, rng);
        Output.Initialize(_store, rng);
        var bias = _store.Value(Output.Bias);
        if (background is null) return;
        var freq = new double[Classes];
        Array.Fill(freq, 1.0);
        freq[Eos] += background.Rows;
        for (int p = 0; p < background.NonZeros; p++) freq[background.Indices[p] + 2] += background.Values[p];
        double total = freq.Sum();
        for (int i = 0; i < Classes; i++) bias[i] = T.CreateTruncating(Math.Log(freq[i] / total));
    }

    internal sealed class Ws
    {
        public int[] DocLen = [], Order = [], Lengths = [], InIds = [], Targets = [], Src = [], RowOf = [];
        public T[] Zs = [], H0 = [], GateBias = [], X = [], Hc = [], Logits = [], DHc = [], DOut = [], DX = [], DH0 = [], DGateBias = [], DZs = [];
        public double[] Nll = [];
        public readonly LstmCell<T>.Workspace Cell = new();
        public int Steps, Batch, N;
    }

    public object CreateWorkspace() => new Ws();

    public double ForwardBackward(TokenBatch input, ReadOnlySpan<T> z, Span<T> dz, Span<double> rowRecon, double scale, object workspace, Rng rng, int maxThreads)
    {
        var ws = (Ws)workspace;
        Forward(input, z, ws, _wordDropout > 0 ? rng : null);
        Loss(ws, rowRecon, scale, gradient: true, maxThreads);
        Backward(ws, dz);
        return ws.N;
    }

    public double Evaluate(TokenBatch input, ReadOnlySpan<T> z, Span<double> rowRecon, object workspace, int maxThreads)
    {
        var ws = (Ws)workspace;
        Forward(input, z, ws, null);
        Loss(ws, rowRecon, 0, gradient: false, maxThreads);
        return ws.N;
    }

    private void Forward(TokenBatch input, ReadOnlySpan<T> z, Ws ws, Rng? dropRng)
    {
        int b = input.Count, l = LatentSize, h = HiddenSize, e = Embed.Dim;
        SeqOps.Need(z.Length, (long)b * l, nameof(z));
        int longest = SeqBatching.Prepare(input, _maxLen, Classes, ref ws.DocLen, ref ws.Order);
        int steps = longest + 1;
        ws.Steps = steps; ws.Batch = b;
        SeqOps.Ensure(ref ws.Lengths, b);
        int n = 0;
        for (int s = 0; s < b; s++) { ws.Lengths[s] = ws.DocLen[ws.Order[s]] + 1; n += ws.Lengths[s]; }
        ws.N = n;
        SeqOps.Ensure(ref ws.InIds, (long)steps * b);
        SeqOps.Ensure(ref ws.Targets, n); SeqOps.Ensure(ref ws.Src, n); SeqOps.Ensure(ref ws.RowOf, n);
        var rows = input.Rows.Span;
        for (int t = 0; t < steps; t++)
            for (int s = 0; s < b; s++)
            {
                int i = ws.Order[s], len = ws.DocLen[i];
                var doc = input.Documents[rows[i]];
                int id = 0;
                if (t >= 1 && t <= len)
                {
                    id = doc[t - 1];
                    if (dropRng is not null && dropRng.NextDouble() < _wordDropout) id = Unknown;
                }
                ws.InIds[t * b + s] = id;
            }
        // Compact real positions, time-major: at step t the real rows are the sorted prefix s < count(t).
        int c = 0;
        for (int t = 0; t < steps; t++)
            for (int s = 0; s < b && ws.Lengths[s] > t; s++)
            {
                int i = ws.Order[s], len = ws.DocLen[i];
                ws.Targets[c] = t < len ? input.Documents[rows[i]][t] : Eos;
                ws.Src[c] = t * b + s;
                ws.RowOf[c] = s;
                c++;
            }
        SeqOps.Ensure(ref ws.Zs, (long)b * l);
        for (int s = 0; s < b; s++) z.Slice(ws.Order[s] * l, l).CopyTo(ws.Zs.AsSpan(s * l, l));
        SeqOps.Ensure(ref ws.H0, (long)b * h); SeqOps.Ensure(ref ws.GateBias, (long)b * 4 * h);
        var zs = ws.Zs.AsSpan(0, b * l);
        var h0 = ws.H0.AsSpan(0, b * h);
        InitState.Forward(_store, zs, b, h0);
        TensorPrimitives.Tanh<T>(h0, h0);
        ZGates.Forward(_store, zs, b, ws.GateBias.AsSpan(0, b * 4 * h));
        SeqOps.Ensure(ref ws.X, (long)steps * b * e);
        Embed.Forward(_store, ws.InIds.AsSpan(0, steps * b), ws.X);
        Cell.Forward(_store, ws.X, steps, b, ws.Lengths.AsSpan(0, b), h0, ws.GateBias.AsSpan(0, b * 4 * h), ws.Cell);
        var outs = ws.Cell.Outputs(h);
        SeqOps.Ensure(ref ws.Hc, (long)n * h);
        for (int k = 0; k < n; k++) outs.Slice(ws.Src[k] * h, h).CopyTo(ws.Hc.AsSpan(k * h, h));
    }

    /// <summary>Softmax cross-entropy of the compact rows, in chunks that bound the logits buffer; with gradient, dHc.</summary>
    private void Loss(Ws ws, Span<double> rowRecon, double scale, bool gradient, int maxThreads)
    {
        int n = ws.N, h = HiddenSize, k = Classes, b = ws.Batch;
        int chunk = Math.Max(1, Math.Min(n, (1 << 21) / k));
        SeqOps.Ensure(ref ws.Logits, (long)chunk * k);
        SeqOps.Ensure(ref ws.Nll, n);
        if (gradient) SeqOps.Ensure(ref ws.DHc, (long)n * h);
        var logits = ws.Logits; var nll = ws.Nll; var targets = ws.Targets;
        for (int c0 = 0; c0 < n; c0 += chunk)
        {
            int m = Math.Min(chunk, n - c0);
            var hc = ws.Hc.AsSpan(c0 * h, m * h);
            Output.Forward(_store, hc, m, logits.AsSpan(0, m * k));
            int start0 = c0;
            Parallelism.For(m, 32, maxThreads, (s, e) =>
            {
                for (int r = s; r < e; r++)
                {
                    var row = logits.AsSpan(r * k, k);
                    int target = targets[start0 + r];
                    T max = TensorPrimitives.Max<T>(row);
                    T logit = row[target];
                    TensorPrimitives.Subtract(row, max, row);
                    TensorPrimitives.Exp<T>(row, row);
                    double sum = double.CreateTruncating(TensorPrimitives.Sum<T>(row));
                    nll[start0 + r] = double.CreateTruncating(max) + Math.Log(sum) - double.CreateTruncating(logit);
                    if (gradient)
                    {
                        TensorPrimitives.Multiply(row, T.CreateTruncating(scale / sum), row);
                        row[target] -= T.CreateTruncating(scale);
                    }
                }
            });
            if (gradient) Output.Backward(_store, hc, logits.AsSpan(0, m * k), m, ws.DHc.AsSpan(c0 * h, m * h));
        }
        for (int s = 0; s < b; s++) rowRecon[ws.Order[s]] = 0;
        for (int c = 0; c < n; c++) rowRecon[ws.Order[ws.RowOf[c]]] += nll[c];
    }

    private void Backward(Ws ws, Span<T> dz)
    {
        int b = ws.Batch, steps = ws.Steps, h = HiddenSize, l = LatentSize, e = Embed.Dim, n = ws.N;
        SeqOps.Ensure(ref ws.DOut, (long)steps * b * h);
        var dOut = ws.DOut.AsSpan(0, steps * b * h);
        dOut.Clear();
        for (int c = 0; c < n; c++) ws.DHc.AsSpan(c * h, h).CopyTo(dOut.Slice(ws.Src[c] * h, h));
        SeqOps.Ensure(ref ws.DX, (long)steps * b * e); SeqOps.Ensure(ref ws.DH0, (long)b * h); SeqOps.Ensure(ref ws.DGateBias, (long)b * 4 * h);
        var dGate = ws.DGateBias.AsSpan(0, b * 4 * h);
        dGate.Clear();
        var dh0 = ws.DH0.AsSpan(0, b * h);
        Cell.Backward(_store, ws.X, dOut, default, ws.DX.AsSpan(0, steps * b * e), false, dh0, dGate, ws.Cell);
        Embed.Backward(_store, ws.InIds.AsSpan(0, steps * b), ws.DX.AsSpan(0, steps * b * e));
        var h0 = ws.H0.AsSpan(0, b * h);
        for (int i = 0; i < dh0.Length; i++) dh0[i] *= T.One - h0[i] * h0[i];
        SeqOps.Ensure(ref ws.DZs, (long)b * l);
        var zs = ws.Zs.AsSpan(0, b * l);
        var dzs = ws.DZs.AsSpan(0, b * l);
        InitState.Backward(_store, zs, dh0, b, dzs);
        ZGates.Backward(_store, zs, dGate, b, dzs, accumulateDx: true);
        for (int s = 0; s < b; s++) dzs.Slice(s * l, l).CopyTo(dz.Slice(ws.Order[s] * l, l));
    }

    /// <summary>Log-probabilities of the first token's classes given z [LatentSize].</summary>
    public T[] FirstStepLogProbabilities(ReadOnlySpan<T> z)
    {
        int h = HiddenSize;
        var hs = new T[h]; var cs = new T[h]; var gateBias = new T[4 * h]; var gates = new T[4 * h];
        var x = new T[Embed.Dim]; var logits = new T[Classes];
        InitState.Forward(_store, z, 1, hs);
        TensorPrimitives.Tanh<T>(hs, hs);
        ZGates.Forward(_store, z, 1, gateBias);
        Cell.Step(_store, x, 1, hs, cs, gateBias, gates);
        Output.Forward(_store, hs, 1, logits);
        SoftmaxCrossEntropy.LogSoftmax<T>(logits, logits, 1, Classes);
        return logits;
    }

    /// <summary>
    /// Writes a token sequence from z [LatentSize]: greedy (argmax) when <paramref name="temperature"/> is 0, else
    /// sampled from softmax(logits / temperature) with <paramref name="rng"/>. The unknown token is never produced, nor
    /// EOS before the first word; stops at EOS or after <paramref name="maxTokens"/> tokens. Returns token ids (2 + word id).
    /// </summary>
    public int[] Decode(ReadOnlySpan<T> z, double temperature, Rng? rng, int maxTokens)
    {
        int h = HiddenSize, k = Classes, e = Embed.Dim;
        var hs = new T[h]; var cs = new T[h]; var gateBias = new T[4 * h]; var gates = new T[4 * h];
        var x = new T[e]; var logits = new T[k];
        InitState.Forward(_store, z, 1, hs);
        TensorPrimitives.Tanh<T>(hs, hs);
        ZGates.Forward(_store, z, 1, gateBias);
        var table = _store.Value(Embed.Table);
        var result = new List<int>();
        var probs = new double[k];
        for (int t = 0; t < maxTokens; t++)
        {
            Cell.Step(_store, x, 1, hs, cs, gateBias, gates);
            Output.Forward(_store, hs, 1, logits);
            int id;
            // Never the unknown token; never EOS before the first word (every text has at least one word).
            int first = t == 0 ? 2 : Eos;
            if (temperature <= 0 || rng is null)
            {
                id = first;
                T best = logits[first];
                for (int j = 2; j < k; j++) if (logits[j] > best) { best = logits[j]; id = j; }
            }
            else
            {
                double max = double.NegativeInfinity;
                for (int j = first; j < k; j++) if (j != Unknown) max = Math.Max(max, double.CreateTruncating(logits[j]));
                double sum = 0;
                for (int j = 0; j < k; j++)
                {
                    probs[j] = j == Unknown || j < first ? 0 : Math.Exp((double.CreateTruncating(logits[j]) - max) / temperature);
                    sum += probs[j];
                }
                double u = rng.NextDouble() * sum, acc = 0;
                id = k - 1;
                for (int j = 0; j < k; j++)
                {
                    acc += probs[j];
                    if (u < acc && probs[j] > 0) { id = j; break; }
                }
            }
            if (id == Eos) break;
            result.Add(id);
            table.Slice(id * e, e).CopyTo(x);
        }
        return result.ToArray();
    }
}
