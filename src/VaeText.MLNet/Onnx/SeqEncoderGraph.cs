using VaeText.Models;
using VaeText.Nn;
using static VaeText.Onnx.OnnxGraphBuilder;

namespace VaeText.Onnx;

/// <summary>
/// The sequence encoders as ONNX. Token ids follow the engine's convention (padding 0, unknown 1, word w = 2 + w):
/// a vocabulary key k (word k − 1, or 0 for an unknown word) becomes id k + 1; an empty document becomes the one
/// unknown token [1]; the first MaxLength ids are read. Then embedding → LSTM (last state or mean over tokens, one
/// or two directions) or embedding + positions → pre-norm Transformer blocks → LayerNorm → mean over tokens, then
/// the latent heads.
/// </summary>
internal static class SeqEncoderGraph
{
    /// <summary>Engine token ids int64 <c>[len]</c>, 1 ≤ len ≤ MaxLength, from keys int64 <c>[m]</c>.</summary>
    public static string TokenIds(OnnxGraphBuilder g, string keys, int maxLength)
    {
        string one = g.Longs1("one", 1);
        string ids = g.Node("Add", [keys, one]);                                   // key k -> id k + 1 (0 -> 1 = unknown)
        string padded = g.Node("Concat", [ids, one], Attr("axis", 0L));            // [m + 1]: an empty document reads [1]
        string count = g.Node("Shape", [keys]);                                    // [1] = m
        string len = g.Node("Min", [g.Node("Max", [count, one]), g.Longs1("max_length", maxLength)]);
        return g.Node("Slice", [padded, g.Longs1("zero", 0), len, g.Longs1("axes", 0)]);
    }

    /// <summary>Adds the encoder of <paramref name="o"/> over <paramref name="ids"/>; returns float <c>[1, latent]</c> mean and clamped log-variance.</summary>
    public static (string Mean, string? LogVar) Build(OnnxGraphBuilder g, OnnxParameters p, SeqVaeOptions o, string ids, bool withLogVar)
    {
        int tokens = o.VocabularySize + 2, e = o.EmbeddingSize;
        string x = g.Node("Gather", [g.Floats("embedding", p.Get("emb.table", (long)tokens * e), tokens, e), ids], Attr("axis", 0L)); // [len, E]
        var (pooled, width) = o.Encoder switch
        {
            SeqEncoderKind.Lstm => Lstm(g, p, o, x),
            SeqEncoderKind.Transformer => Transformer(g, p, o, ids, x),
            _ => throw new NotSupportedException($"encoder {o.Encoder} has no ONNX export"),
        };
        return LatentHeads.Build(g, p, pooled, width, o.LatentSize, o.LogVarianceMin, o.LogVarianceMax, withLogVar);
    }

    private static (string Pooled, int Width) Lstm(OnnxGraphBuilder g, OnnxParameters p, SeqVaeOptions o, string x)
    {
        int e = o.EmbeddingSize, h = o.HiddenSize, dirs = o.Bidirectional ? 2 : 1;
        var w = new float[(long)dirs * 4 * h * e];
        var r = new float[(long)dirs * 4 * h * h];
        var b = new float[(long)dirs * 8 * h]; // per direction: input bias (the engine's one bias), then recurrent bias 0
        string[] names = o.Bidirectional ? ["lstm.fwd", "lstm.bwd"] : ["lstm.fwd"];
        for (int d = 0; d < dirs; d++)
        {
            OnnxParameters.ToOnnxGateOrder(p.Get(names[d] + ".w_ih", 4L * h * e), h, e).CopyTo(w.AsSpan(d * 4 * h * e));
            OnnxParameters.ToOnnxGateOrder(p.Get(names[d] + ".w_hh", 4L * h * h), h, h).CopyTo(r.AsSpan(d * 4 * h * h));
            OnnxParameters.ToOnnxGateOrder(p.Get(names[d] + ".bias", 4L * h), h, 1).CopyTo(b.AsSpan(d * 8 * h));
        }
        string x3 = g.Node("Unsqueeze", [x, g.Longs1("axes", 1)]); // [len, 1, E]
        bool last = o.Pooling == LstmPooling.Last;
        var outs = g.NodeSome("LSTM", [x3, g.Floats("lstm_w", w, dirs, 4 * h, e), g.Floats("lstm_r", r, dirs, 4 * h, h), g.Floats("lstm_b", b, dirs, 8 * h)],
            [!last, last], Attr("hidden_size", (long)h), Attr("direction", o.Bidirectional ? "bidirectional" : "forward"));
        // Y [len, dirs, 1, H]; Y_h [dirs, 1, H]. The engine's pooled row is [forward, backward].
        string pooled = last ? outs[1] : g.Node("ReduceMean", [outs[0]], Ints("axes", 0), Attr("keepdims", 0L));
        return (g.Node("Reshape", [pooled, g.Longs1("shape", 1, dirs * h)]), dirs * h);
    }

    private static (string Pooled, int Width) Transformer(OnnxGraphBuilder g, OnnxParameters p, SeqVaeOptions o, string ids, string x)
    {
        int d = o.EmbeddingSize, heads = o.Heads, hd = d / heads, ff = o.FeedForwardSize, maxLen = o.MaxLength;
        ReadOnlySpan<float> table = o.Positions == PositionKind.Learned
            ? p.Get("pos.table", (long)maxLen * d)
            : SinusoidalPositions.Table<float>(maxLen, d);
        string len = g.Node("Shape", [ids]);
        string pos = g.Node("Slice", [g.Floats("positions", table, maxLen, d), g.Longs1("zero", 0), len, g.Longs1("axes", 0)]);
        x = g.Node("Add", [x, pos]); // [len, d]
        float scale = 1f / MathF.Sqrt(hd);
        for (int i = 0; i < o.Layers; i++)
        {
            string n = $"block{i}";
            // x1 = x + Attention(LN1(x))
            string a = LayerNorm(g, p, n + ".ln1", x, d);
            string qkv = Linear(g, p, n + ".attn.qkv", a, d, 3 * d);                                        // [len, 3d]
            string split = g.Node("Transpose", [g.Node("Reshape", [qkv, g.Longs1("shape", -1, 3 * heads, hd)])], Ints("perm", 1, 0, 2));
            var qkvParts = g.NodeN("Split", [split, g.Longs1("split", heads, heads, heads)], 3, Attr("axis", 0L)); // 3 × [heads, len, hd]
            string kt = g.Node("Transpose", [qkvParts[1]], Ints("perm", 0, 2, 1));
            string scores = g.Node("Mul", [g.Node("MatMul", [qkvParts[0], kt]), g.Floats("scale", [scale])]);   // [heads, len, len]
            string ctx = g.Node("MatMul", [g.Node("Softmax", [scores], Attr("axis", -1L)), qkvParts[2]]);        // [heads, len, hd]
            ctx = g.Node("Reshape", [g.Node("Transpose", [ctx], Ints("perm", 1, 0, 2)), g.Longs1("shape", -1, d)]);
            string x1 = g.Node("Add", [Linear(g, p, n + ".attn.out", ctx, d, d), x]);
            // y = x1 + FeedForward(LN2(x1))
            string hidden = g.Node("Relu", [Linear(g, p, n + ".ff.up", LayerNorm(g, p, n + ".ln2", x1, d), d, ff)]);
            x = g.Node("Add", [Linear(g, p, n + ".ff.down", hidden, ff, d), x1]);
        }
        string normed = LayerNorm(g, p, "ln_final", x, d);
        return (g.Node("ReduceMean", [normed], Ints("axes", 0), Attr("keepdims", 1L)), d); // [1, d]
    }

    private static string LayerNorm(OnnxGraphBuilder g, OnnxParameters p, string name, string x, int d) =>
        g.Node("LayerNormalization", [x, g.Floats(name + "_gain", p.Get(name + ".gain", d), d), g.Floats(name + "_shift", p.Get(name + ".shift", d), d)],
            Attr("axis", -1L), Attr("epsilon", 1e-5f));

    /// <summary>x [rows, in] · Wᵀ + b of the engine's Affine layer <paramref name="name"/> (weights [out, in]).</summary>
    internal static string Linear(OnnxGraphBuilder g, OnnxParameters p, string name, string x, int inSize, int outSize)
    {
        string w = g.Floats(name + "_weight", p.Get(name + ".weight", (long)inSize * outSize), outSize, inSize);
        return p.Length(name + ".bias") == 0
            ? g.Node("Gemm", [x, w], Attr("transB", 1L))
            : g.Node("Gemm", [x, w, g.Floats(name + "_bias", p.Get(name + ".bias", outSize), outSize)], Attr("transB", 1L));
    }
}
