using VaeText.Models;
using static VaeText.Onnx.OnnxGraphBuilder;
using DataType = Onnx.TensorProto.Types.DataType;

namespace VaeText.Onnx;

/// <summary>
/// The score outputs: reconstruction error at z = mean (double precision, as the engine sums it) plus the KL
/// divergence of the posterior from N(0, I).
/// </summary>
internal static class ReconstructionGraph
{
    /// <summary>
    /// Bag-of-words decoder: −Σ count·log softmax(W·z + b) over the document's in-vocabulary tokens
    /// = count·logsumexp(logits) − Σ_tokens logit(token). <paramref name="keys"/> holds every token of the document
    /// (not cut at a sequence encoder's MaxLength: the engine's targets are the whole document's bag of words).
    /// Returns double <c>[1]</c>.
    /// </summary>
    public static string BagOfWords(OnnxGraphBuilder g, OnnxParameters p, int vocabulary, int latent, string mean, string keys)
    {
        string w = g.Floats("decoder_weight", p.Get("decoder.weight", (long)vocabulary * latent), vocabulary, latent);
        string b = g.Floats("decoder_bias", p.Get("decoder.bias", vocabulary), vocabulary);
        string logits = g.Node("Cast", [g.Node("Gemm", [mean, w, b], Attr("transB", 1L))], Attr("to", (long)DataType.Double)); // [1, V]
        string lse = g.Node("ReduceLogSumExp", [logits], Ints("axes", 1), Attr("keepdims", 0L));                           // [1]
        // Key k picks logit k - 1; key 0 (not in the vocabulary) picks the padded 0 and is not counted.
        string padded = g.Node("Concat", [g.Doubles("zero", [0.0], 1, 1), logits], Attr("axis", 1L));                    // [1, V + 1]
        string dot = g.Node("ReduceSum", [g.Node("Gather", [padded, keys], Attr("axis", 1L)), g.Longs1("axes", 1)], Attr("keepdims", 0L)); // [1]
        string known = g.Node("Cast", [g.Node("Greater", [keys, g.Longs("zero", [0L])])], Attr("to", (long)DataType.Double));
        string count = g.Node("ReduceSum", [known, g.Longs1("axes", 0)], Attr("keepdims", 1L));                          // [1]
        return g.Node("Sub", [g.Node("Mul", [count, lse]), dot]);
    }

    /// <summary>
    /// LSTM decoder: −Σ_t log p(target_t | BOS, ids_&lt;t, z = mean) with inputs [BOS, ids…] and targets [ids…, EOS]
    /// (teacher forcing without word dropout), h0 = tanh(W_h·z + b_h), W_z·z added to every step's gates.
    /// <paramref name="ids"/> are the engine token ids the encoder read. Returns double <c>[1]</c>.
    /// </summary>
    public static string LstmDecoder(OnnxGraphBuilder g, OnnxParameters p, SeqVaeOptions o, string mean, string ids)
    {
        int classes = o.VocabularySize + 2, e = o.EmbeddingSize, h = o.DecoderHiddenSize, l = o.LatentSize;
        string h0 = g.Node("Tanh", [SeqEncoderGraph.Linear(g, p, "dec.init", mean, l, h)]);                       // [1, H]
        h0 = g.Node("Reshape", [h0, g.Longs1("shape", 1, 1, h)]);                                                 // [dirs, batch, H]
        string zw = g.Floats("dec_z_weight", OnnxParameters.ToOnnxGateOrder(p.Get("dec.z.weight", 4L * h * l), h, l), 4 * h, l);
        string gateBias = g.Node("Add", [g.Node("Gemm", [mean, zw], Attr("transB", 1L)),
            g.Floats("dec_lstm_bias", OnnxParameters.ToOnnxGateOrder(p.Get("dec.lstm.bias", 4L * h), h, 1), 4 * h)]); // [1, 4H]
        string bias = g.Node("Concat", [gateBias, g.Floats("zero_recurrent_bias", new float[4 * h], 1, 4 * h)], Attr("axis", 1L)); // [1, 8H]
        string bos = g.Longs1("eos", LstmEos);
        string inputs = g.Node("Concat", [bos, ids], Attr("axis", 0L));   // [len + 1]
        string targets = g.Node("Concat", [ids, bos], Attr("axis", 0L));  // [len + 1]
        // BOS (id 0) embeds to zeros, as the engine's padding row does whatever the table holds.
        var table = p.Get("dec.emb.table", (long)classes * e).ToArray();
        Array.Clear(table, 0, e);
        string x = g.Node("Gather", [g.Floats("dec_embedding", table, classes, e), inputs], Attr("axis", 0L));
        x = g.Node("Unsqueeze", [x, g.Longs1("axes", 1)]);                                                        // [len + 1, 1, E]
        string w = g.Floats("dec_lstm_w", OnnxParameters.ToOnnxGateOrder(p.Get("dec.lstm.w_ih", 4L * h * e), h, e), 1, 4 * h, e);
        string r = g.Floats("dec_lstm_r", OnnxParameters.ToOnnxGateOrder(p.Get("dec.lstm.w_hh", 4L * h * h), h, h), 1, 4 * h, h);
        string y = g.NodeSome("LSTM", [x, w, r, bias, "", h0], [true, false], Attr("hidden_size", (long)h))[0]; // [len + 1, 1, 1, H]
        y = g.Node("Reshape", [y, g.Longs1("shape", -1, h)]);
        // Per step the log-sum-exp over the K classes in float (as the engine's softmax kernel), the rest in double.
        string logits = SeqEncoderGraph.Linear(g, p, "dec.out", y, h, classes);                                        // [len + 1, K]
        string lse = g.Node("ReduceLogSumExp", [logits], Ints("axes", 1), Attr("keepdims", 1L));                        // [len + 1, 1]
        string picked = g.Node("GatherElements", [logits, g.Node("Unsqueeze", [targets, g.Longs1("axes", 1)])], Attr("axis", 1L));
        string nllSteps = g.Node("Sub", [g.Node("Cast", [lse], Attr("to", (long)DataType.Double)), g.Node("Cast", [picked], Attr("to", (long)DataType.Double))]);
        string nll = g.Node("ReduceSum", [nllSteps, g.Longs1("axes", 0, 1)], Attr("keepdims", 0L));                      // []
        return g.Node("Reshape", [nll, g.Longs1("shape", 1)]);
    }

    private const long LstmEos = 0;

    /// <summary>KL(N(mean, exp(logVar)) ‖ N(0, I)) in double, <c>[1]</c>.</summary>
    public static string Kl(OnnxGraphBuilder g, string mean, string logVar)
    {
        string mu = g.Node("Cast", [mean], Attr("to", (long)DataType.Double));
        string lv = g.Node("Cast", [logVar], Attr("to", (long)DataType.Double));
        string t = g.Node("Sub", [g.Node("Sub", [g.Node("Add", [lv, g.ScalarDouble("one", 1.0)]), g.Node("Mul", [mu, mu])]), g.Node("Exp", [lv])]);
        string sum = g.Node("ReduceSum", [t, g.Longs1("axes", 1)], Attr("keepdims", 0L)); // [1]
        return g.Node("Mul", [sum, g.ScalarDouble("minus_half", -0.5)]);
    }
}
