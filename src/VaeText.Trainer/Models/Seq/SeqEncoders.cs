using System.Numerics;
using VaeText.Core;
using VaeText.Nn;

namespace VaeText.Models;

/// <summary>Shared batch preparation of the sequence encoders: lengths and the longest-first order.</summary>
internal static class SeqBatching
{
    /// <summary>Fills lengths (cut at maxLen) and a permutation sorting the batch by length, longest first (stable).</summary>
    public static int Prepare(TokenBatch batch, int maxLen, int tokenCount, ref int[] lengths, ref int[] order)
    {
        int b = batch.Count;
        SeqOps.Ensure(ref lengths, b); SeqOps.Ensure(ref order, b);
        var rows = batch.Rows.Span;
        int longest = 0;
        for (int i = 0; i < b; i++)
        {
            int r = rows[i];
            if ((uint)r >= (uint)batch.Documents.Count) throw new ArgumentOutOfRangeException(nameof(batch), r, $"row {i} names document {r} of {batch.Documents.Count}");
            var doc = batch.Documents[r] ?? throw new ArgumentException($"document {r} is null", nameof(batch));
            int len = Math.Min(doc.Length, maxLen);
            for (int t = 0; t < len; t++)
                if ((uint)doc[t] >= (uint)tokenCount || doc[t] == 0)
                    throw new ArgumentOutOfRangeException(nameof(batch), doc[t], $"token {t} of document {r} must be in [1, {tokenCount})");
            lengths[i] = len;
            order[i] = i;
            longest = Math.Max(longest, len);
        }
        var ls = lengths;
        Array.Sort(order, 0, b, Comparer<int>.Create((x, y) => ls[x] != ls[y] ? ls[y].CompareTo(ls[x]) : x.CompareTo(y)));
        return longest;
    }
}

/// <summary>Embedding → LSTM → (mean, log-variance) encoder over token batches.</summary>
internal sealed class LstmEncoder<T> : IVaeEncoder<T, TokenBatch> where T : unmanaged, IFloatingPointIeee754<T>
{
    private readonly ParameterStore<T> _store;
    private readonly int _maxLen;
    public Embedding<T> Embed { get; }
    public Lstm<T> Rnn { get; }
    public Affine<T> MeanHead { get; }
    public Affine<T> LogVarHead { get; }
    public int LatentSize { get; }

    public LstmEncoder(ParameterStore<T> store, int tokenCount, int embedding, int hidden, bool bidirectional, LstmPooling pooling, int latent, int maxLen)
    {
        _store = store; _maxLen = maxLen; LatentSize = latent;
        Embed = new Embedding<T>(store, "emb", tokenCount, embedding);
        Rnn = new Lstm<T>(store, "lstm", embedding, hidden, bidirectional, pooling);
        MeanHead = new Affine<T>(store, "mean", Rnn.OutputSize, latent);
        LogVarHead = new Affine<T>(store, "logvar", Rnn.OutputSize, latent);
    }

    public void Initialize(Rng rng)
    {
        Embed.Initialize(_store, rng); Rnn.Initialize(_store, rng); MeanHead.Initialize(_store, rng); LogVarHead.Initialize(_store, rng);
    }

    private sealed class Ws
    {
        public int[] Lengths = [], Order = [], SortedLengths = [], Ids = [];
        public T[] X = [], Pooled = [], Mu = [], Lv = [], DMu = [], DLv = [], DPooled = [], DX = [];
        public readonly Lstm<T>.Workspace Rnn = new();
        public int Steps, Batch;
    }

    public object CreateWorkspace(int capacity, bool training) => new Ws();
    public int Count(TokenBatch input) => input.Count;

    public void Forward(TokenBatch input, Span<T> mean, Span<T> logVar, object workspace, Rng? dropoutRng)
    {
        var ws = (Ws)workspace;
        int b = input.Count, e = Embed.Dim, l = LatentSize, w = Rnn.OutputSize;
        int steps = SeqBatching.Prepare(input, _maxLen, Embed.VocabSize, ref ws.Lengths, ref ws.Order);
        ws.Steps = steps; ws.Batch = b;
        SeqOps.Ensure(ref ws.SortedLengths, b); SeqOps.Ensure(ref ws.Ids, (long)steps * b);
        var rows = input.Rows.Span;
        for (int s = 0; s < b; s++)
        {
            int i = ws.Order[s];
            var doc = input.Documents[rows[i]];
            int len = ws.Lengths[i];
            ws.SortedLengths[s] = len;
            for (int t = 0; t < steps; t++) ws.Ids[t * b + s] = t < len ? doc[t] : 0;
        }
        SeqOps.Ensure(ref ws.X, (long)steps * b * e);
        Embed.Forward(_store, ws.Ids.AsSpan(0, steps * b), ws.X);
        SeqOps.Ensure(ref ws.Pooled, (long)b * w); SeqOps.Ensure(ref ws.Mu, (long)b * l); SeqOps.Ensure(ref ws.Lv, (long)b * l);
        Rnn.Encode(_store, ws.X, steps, b, ws.SortedLengths.AsSpan(0, b), ws.Pooled, ws.Rnn);
        MeanHead.Forward(_store, ws.Pooled, b, ws.Mu);
        LogVarHead.Forward(_store, ws.Pooled, b, ws.Lv);
        for (int s = 0; s < b; s++)
        {
            int i = ws.Order[s];
            ws.Mu.AsSpan(s * l, l).CopyTo(mean.Slice(i * l, l));
            ws.Lv.AsSpan(s * l, l).CopyTo(logVar.Slice(i * l, l));
        }
    }

    public void Backward(TokenBatch input, ReadOnlySpan<T> dMean, ReadOnlySpan<T> dLogVar, object workspace)
    {
        var ws = (Ws)workspace;
        int b = ws.Batch, steps = ws.Steps, e = Embed.Dim, l = LatentSize, w = Rnn.OutputSize;
        SeqOps.Ensure(ref ws.DMu, (long)b * l); SeqOps.Ensure(ref ws.DLv, (long)b * l);
        for (int s = 0; s < b; s++)
        {
            int i = ws.Order[s];
            dMean.Slice(i * l, l).CopyTo(ws.DMu.AsSpan(s * l, l));
            dLogVar.Slice(i * l, l).CopyTo(ws.DLv.AsSpan(s * l, l));
        }
        SeqOps.Ensure(ref ws.DPooled, (long)b * w); SeqOps.Ensure(ref ws.DX, (long)steps * b * e);
        MeanHead.Backward(_store, ws.Pooled, ws.DMu, b, ws.DPooled);
        LogVarHead.Backward(_store, ws.Pooled, ws.DLv, b, ws.DPooled, accumulateDx: true);
        Rnn.Backward(_store, ws.X, ws.DPooled, ws.DX, false, ws.Rnn);
        Embed.Backward(_store, ws.Ids.AsSpan(0, steps * b), ws.DX);
    }
}

/// <summary>Embedding + positions → pre-norm Transformer blocks → LayerNorm → mean over tokens → (mean, log-variance).</summary>
internal sealed class TransformerEncoder<T> : IVaeEncoder<T, TokenBatch> where T : unmanaged, IFloatingPointIeee754<T>
{
    private readonly ParameterStore<T> _store;
    private readonly int _maxLen;
    private readonly T[]? _sinusoids;
    public Embedding<T> Embed { get; }
    public LearnedPositions<T>? Learned { get; }
    public TransformerEncoderBlock<T>[] Blocks { get; }
    public LayerNorm<T> FinalNorm { get; }
    public Affine<T> MeanHead { get; }
    public Affine<T> LogVarHead { get; }
    public int LatentSize { get; }

    public TransformerEncoder(ParameterStore<T> store, int tokenCount, int dim, int layers, int heads, int ff, PositionKind positions, int latent, int maxLen)
    {
        _store = store; _maxLen = maxLen; LatentSize = latent;
        Embed = new Embedding<T>(store, "emb", tokenCount, dim);
        if (positions == PositionKind.Learned) Learned = new LearnedPositions<T>(store, "pos", maxLen, dim);
        else _sinusoids = SinusoidalPositions.Table<T>(maxLen, dim);
        Blocks = new TransformerEncoderBlock<T>[layers];
        for (int i = 0; i < layers; i++) Blocks[i] = new TransformerEncoderBlock<T>(store, "block" + i, dim, heads, ff);
        FinalNorm = new LayerNorm<T>(store, "ln_final", dim);
        MeanHead = new Affine<T>(store, "mean", dim, latent);
        LogVarHead = new Affine<T>(store, "logvar", dim, latent);
    }

    public void Initialize(Rng rng)
    {
        Embed.Initialize(_store, rng);
        Learned?.Initialize(_store, rng);
        foreach (var b in Blocks) b.Initialize(_store, rng);
        FinalNorm.Initialize(_store);
        MeanHead.Initialize(_store, rng); LogVarHead.Initialize(_store, rng);
    }

    private sealed class Ws
    {
        public int[] Lengths = [], Order = [], Starts = [], Ids = [];
        public T[][] Acts = [];
        public TransformerEncoderBlock<T>.Workspace[] Blocks = [];
        public T[] Normed = [], XHat = [], Rstd = [], Pooled = [], DNormed = [], DA = [], DB = [], Scratch = [];
        public int Rows, Batch;
    }

    public object CreateWorkspace(int capacity, bool training)
    {
        var ws = new Ws { Acts = new T[Blocks.Length + 1][], Blocks = new TransformerEncoderBlock<T>.Workspace[Blocks.Length] };
        for (int i = 0; i <= Blocks.Length; i++) ws.Acts[i] = [];
        for (int i = 0; i < Blocks.Length; i++) ws.Blocks[i] = new();
        return ws;
    }

    public int Count(TokenBatch input) => input.Count;

    public void Forward(TokenBatch input, Span<T> mean, Span<T> logVar, object workspace, Rng? dropoutRng)
    {
        var ws = (Ws)workspace;
        int b = input.Count, d = Embed.Dim, l = LatentSize;
        SeqBatching.Prepare(input, _maxLen, Embed.VocabSize, ref ws.Lengths, ref ws.Order);
        SeqOps.Ensure(ref ws.Starts, b);
        int rows = 0;
        for (int i = 0; i < b; i++) { ws.Starts[i] = rows; rows += ws.Lengths[i]; }
        ws.Rows = rows; ws.Batch = b;
        SeqOps.Ensure(ref ws.Ids, rows);
        var docRows = input.Rows.Span;
        for (int i = 0; i < b; i++) input.Documents[docRows[i]].AsSpan(0, ws.Lengths[i]).CopyTo(ws.Ids.AsSpan(ws.Starts[i]));
        var starts = ws.Starts.AsSpan(0, b); var lengths = ws.Lengths.AsSpan(0, b);
        long n = (long)rows * d;
        for (int i = 0; i <= Blocks.Length; i++) SeqOps.Ensure(ref ws.Acts[i], n);
        Embed.Forward(_store, ws.Ids.AsSpan(0, rows), ws.Acts[0]);
        if (Learned is not null) Learned.Forward(_store, ws.Acts[0], starts, lengths);
        else SinusoidalPositions.Add<T>(_sinusoids, ws.Acts[0], d, starts, lengths);
        for (int i = 0; i < Blocks.Length; i++) Blocks[i].Forward(_store, ws.Acts[i], rows, starts, lengths, ws.Acts[i + 1], ws.Blocks[i]);
        SeqOps.Ensure(ref ws.Normed, n); SeqOps.Ensure(ref ws.XHat, n); SeqOps.Ensure(ref ws.Rstd, rows);
        FinalNorm.Forward(_store, ws.Acts[^1], rows, ws.Normed, ws.XHat, ws.Rstd);
        SeqOps.Ensure(ref ws.Pooled, (long)b * d);
        MeanPooling.Forward<T>(ws.Normed, d, starts, lengths, ws.Pooled);
        MeanHead.Forward(_store, ws.Pooled, b, mean);
        LogVarHead.Forward(_store, ws.Pooled, b, logVar);
    }

    public void Backward(TokenBatch input, ReadOnlySpan<T> dMean, ReadOnlySpan<T> dLogVar, object workspace)
    {
        var ws = (Ws)workspace;
        int b = ws.Batch, d = Embed.Dim, rows = ws.Rows, n = rows * d;
        var starts = ws.Starts.AsSpan(0, b); var lengths = ws.Lengths.AsSpan(0, b);
        var dPooled = new T[b * d];
        MeanHead.Backward(_store, ws.Pooled, dMean, b, dPooled);
        LogVarHead.Backward(_store, ws.Pooled, dLogVar, b, dPooled, accumulateDx: true);
        SeqOps.Ensure(ref ws.DNormed, n); SeqOps.Ensure(ref ws.DA, n); SeqOps.Ensure(ref ws.DB, n); SeqOps.Ensure(ref ws.Scratch, d);
        Array.Clear(ws.DNormed, 0, n);
        MeanPooling.Backward<T>(dPooled, d, starts, lengths, ws.DNormed);
        FinalNorm.Backward(_store, ws.DNormed, rows, ws.XHat, ws.Rstd, ws.DA, false, ws.Scratch);
        for (int i = Blocks.Length - 1; i >= 0; i--)
        {
            Blocks[i].Backward(_store, ws.Acts[i], ws.DA, ws.DB, false, ws.Blocks[i]);
            (ws.DA, ws.DB) = (ws.DB, ws.DA);
        }
        Learned?.Backward(_store, ws.DA, starts, lengths);
        Embed.Backward(_store, ws.Ids.AsSpan(0, rows), ws.DA);
    }
}
