using VaeText.Models;
using VaeText.Nn;
using static VaeText.Onnx.OnnxGraphBuilder;

namespace VaeText.Onnx;

/// <summary>
/// The bag-of-words encoder as ONNX: the first layer sums, over the document's tokens, the weight rows of their
/// vocabulary ids (a gather and a sum — never a dense one-hot product); a padded zero row 0 absorbs
/// out-of-vocabulary keys, so counting words and dropping unknown ones come for free. Then bias, activation, the
/// hidden layers, and the mean and clamped log-variance heads.
/// </summary>
internal static class BowEncoderGraph
{
    /// <summary>Adds the encoder; <paramref name="keys"/> is int64 <c>[m]</c>. Returns mean and (when asked) the clamped log-variance, both float <c>[1, latent]</c>.</summary>
    public static (string Mean, string? LogVar) Build(OnnxGraphBuilder g, OnnxParameters p, BowVaeOptions o, string keys, bool withLogVar)
    {
        int v = o.VocabularySize, l = o.LatentSize;
        var sizes = o.EncoderHiddenSizes;
        int h0 = sizes[0];
        // [V + 1, h0]: row 0 (key 0, not in the vocabulary) is zero, row k is word k - 1's input weights.
        var w0 = new float[(long)(v + 1) * h0];
        p.Get("enc0.weight", (long)v * h0).CopyTo(w0.AsSpan(h0));
        string rows = g.Node("Gather", [g.Floats("enc0_weight_padded", w0, v + 1, h0), keys], Attr("axis", 0L)); // [m, h0]
        // Σ rows as [1, m]·[m, h0] with a row of ones: a GEMM sums far faster than ReduceSum over the first axis.
        string ones = g.Node("ConstantOfShape", [g.Node("Shape", [g.Node("Unsqueeze", [keys, g.Longs1("axes", 0)])])],
            Attr("value", OneFloat()));
        string sum = g.Node("MatMul", [ones, rows]);                                                                // [1, h0]
        string x = Activation(g, o.Activation, g.Node("Add", [sum, g.Floats("enc0_bias", p.Get("enc0.bias", h0), h0)]));
        for (int i = 1; i < sizes.Count; i++)
        {
            string w = g.Floats($"enc{i}_weight", p.Get($"enc{i}.weight", (long)sizes[i] * sizes[i - 1]), sizes[i], sizes[i - 1]);
            string b = g.Floats($"enc{i}_bias", p.Get($"enc{i}.bias", sizes[i]), sizes[i]);
            x = Activation(g, o.Activation, g.Node("Gemm", [x, w, b], Attr("transB", 1L)));
        }
        return LatentHeads.Build(g, p, x, sizes[^1], l, o.LogVarianceMin, o.LogVarianceMax, withLogVar);
    }

    private static string Activation(OnnxGraphBuilder g, Activation kind, string x) => kind switch
    {
        Nn.Activation.ReLU => g.Node("Relu", [x]),
        Nn.Activation.Tanh => g.Node("Tanh", [x]),
        Nn.Activation.Softplus => g.Node("Softplus", [x]),
        _ => throw new NotSupportedException($"activation {kind} has no ONNX export"),
    };
}

/// <summary>The latent heads every encoder ends with: mean = Linear(h), log-variance = clamp(Linear(h)).</summary>
internal static class LatentHeads
{
    /// <summary><paramref name="h"/> is float <c>[1, width]</c>; returns float <c>[1, latent]</c> mean and clamped log-variance.</summary>
    public static (string Mean, string? LogVar) Build(OnnxGraphBuilder g, OnnxParameters p, string h, int width, int latent,
        double logVarMin, double logVarMax, bool withLogVar)
    {
        string mean = g.Node("Gemm", [h, g.Floats("mean_weight", p.Get("mean.weight", (long)latent * width), latent, width),
            g.Floats("mean_bias", p.Get("mean.bias", latent), latent)], Attr("transB", 1L));
        if (!withLogVar) return (mean, null);
        string lv = g.Node("Gemm", [h, g.Floats("logvar_weight", p.Get("logvar.weight", (long)latent * width), latent, width),
            g.Floats("logvar_bias", p.Get("logvar.bias", latent), latent)], Attr("transB", 1L));
        // The engine clamps in float: the bounds are the doubles rounded to float, as its VaeHead holds them.
        lv = g.Node("Clip", [lv, g.Floats("logvar_min", [(float)logVarMin]), g.Floats("logvar_max", [(float)logVarMax])]);
        return (mean, lv);
    }
}
