using System.Text;
using VaeText.Tensors;

namespace VaeText.Trainers.Sdca;

/// <summary>A binary linear classifier: score = w·x + b, probability of the positive class = σ(score).</summary>
public sealed class LinearBinaryModel
{
    internal readonly float[] W;
    /// <summary>Weights, one per feature.</summary>
    public IReadOnlyList<float> Weights => W;
    /// <summary>Bias.</summary>
    public float Bias { get; }
    /// <summary>Length of the feature vector.</summary>
    public int NumberOfFeatures => W.Length;

    internal LinearBinaryModel(float[] w, float bias) { W = w; Bias = bias; }

    /// <summary>Raw score of a dense feature vector.</summary>
    public double Score(ReadOnlySpan<float> x)
    {
        if (x.Length != W.Length) throw new ArgumentException($"expected {W.Length} features, got {x.Length}", nameof(x));
        double s = Bias;
        for (int j = 0; j < x.Length; j++) s += x[j] * W[j];
        return s;
    }

    /// <summary>Raw score of row <paramref name="row"/> of a sparse matrix.</summary>
    public double Score(CsrMatrix x, int row)
    {
        if (x.Columns != W.Length) throw new ArgumentException($"expected {W.Length} columns, got {x.Columns}", nameof(x));
        double s = Bias;
        for (int p = x.RowPtr[row]; p < x.RowPtr[row + 1]; p++) s += x.Values[p] * W[x.Indices[p]];
        return s;
    }

    /// <summary>Calibrated probability of the positive class, σ(score).</summary>
    public static double Probability(double score) => score >= 0 ? 1 / (1 + Math.Exp(-score)) : Math.Exp(score) / (1 + Math.Exp(score));

    // Layout: magic "VTLINB01" | int32 version | int32 oldest readable | int32 features | float32 bias | float32[features]
    private static readonly byte[] Magic = "VTLINB01"u8.ToArray();

    /// <summary>Writes the model (versioned binary layout).</summary>
    public void Save(Stream s)
    {
        using var w = new BinaryWriter(s, Encoding.UTF8, true);
        w.Write(Magic); w.Write(1); w.Write(1); w.Write(W.Length); w.Write(Bias);
        foreach (var v in W) w.Write(v);
    }

    /// <summary>Reads a model written by <see cref="Save"/>, checking every field.</summary>
    /// <exception cref="InvalidDataException">The stream is not a valid model.</exception>
    public static LinearBinaryModel Load(Stream s)
    {
        using var r = new BinaryReader(s, Encoding.UTF8, true);
        try
        {
            if (!r.ReadBytes(8).AsSpan().SequenceEqual(Magic)) throw new InvalidDataException("Invalid linear model: wrong signature.");
            int ver = r.ReadInt32(), oldest = r.ReadInt32();
            if (oldest > 1) throw new InvalidDataException($"Invalid linear model: needs reader version {oldest} (version {ver}).");
            int f = r.ReadInt32();
            if (f < 0 || (s.CanSeek && (long)f * 4 + 4 > s.Length - s.Position)) throw new InvalidDataException($"Invalid linear model: feature count {f}.");
            float b = r.ReadSingle();
            var w = new float[f];
            for (int j = 0; j < f; j++) w[j] = r.ReadSingle();
            if (!float.IsFinite(b) || w.Any(v => !float.IsFinite(v))) throw new InvalidDataException("Invalid linear model: non-finite weight.");
            return new LinearBinaryModel(w, b);
        }
        catch (EndOfStreamException e) { throw new InvalidDataException("Linear model is truncated.", e); }
    }
}

/// <summary>A K-class linear classifier: score_k = w_k·x + b_k, probabilities = softmax(scores).</summary>
public sealed class LinearMulticlassModel
{
    internal readonly float[] W; // [classes, features]
    internal readonly float[] B; // [classes]
    /// <summary>Number of classes.</summary>
    public int NumberOfClasses => B.Length;
    /// <summary>Length of the feature vector.</summary>
    public int NumberOfFeatures { get; }
    /// <summary>Weights, class-major [classes, features].</summary>
    public IReadOnlyList<float> Weights => W;
    /// <summary>Biases, one per class.</summary>
    public IReadOnlyList<float> Biases => B;

    internal LinearMulticlassModel(float[] w, float[] b, int features) { W = w; B = b; NumberOfFeatures = features; }

    /// <summary>Raw class scores of a dense feature vector into <paramref name="scores"/> (length K).</summary>
    public void Scores(ReadOnlySpan<float> x, Span<double> scores)
    {
        if (x.Length != NumberOfFeatures) throw new ArgumentException($"expected {NumberOfFeatures} features, got {x.Length}", nameof(x));
        int F = NumberOfFeatures;
        for (int k = 0; k < B.Length; k++)
        {
            double s = B[k];
            var wk = W.AsSpan(k * F, F);
            for (int j = 0; j < F; j++) s += x[j] * wk[j];
            scores[k] = s;
        }
    }

    /// <summary>Raw class scores of row <paramref name="row"/> of a sparse matrix.</summary>
    public void Scores(CsrMatrix x, int row, Span<double> scores)
    {
        if (x.Columns != NumberOfFeatures) throw new ArgumentException($"expected {NumberOfFeatures} columns, got {x.Columns}", nameof(x));
        int F = NumberOfFeatures;
        for (int k = 0; k < B.Length; k++)
        {
            double s = B[k];
            for (int p = x.RowPtr[row]; p < x.RowPtr[row + 1]; p++) s += x.Values[p] * W[k * F + x.Indices[p]];
            scores[k] = s;
        }
    }

    /// <summary>Softmax of raw scores in place (subtracting the maximum).</summary>
    public static void ToProbabilities(Span<double> scores)
    {
        double m = double.NegativeInfinity;
        foreach (var v in scores) m = Math.Max(m, v);
        double z = 0;
        for (int k = 0; k < scores.Length; k++) { scores[k] = Math.Exp(scores[k] - m); z += scores[k]; }
        for (int k = 0; k < scores.Length; k++) scores[k] /= z;
    }

    // Layout: magic "VTLINM01" | int32 version | int32 oldest | int32 classes | int32 features | float32[classes] biases | float32[classes*features]
    private static readonly byte[] Magic = "VTLINM01"u8.ToArray();

    /// <summary>Writes the model (versioned binary layout).</summary>
    public void Save(Stream s)
    {
        using var w = new BinaryWriter(s, Encoding.UTF8, true);
        w.Write(Magic); w.Write(1); w.Write(1); w.Write(B.Length); w.Write(NumberOfFeatures);
        foreach (var v in B) w.Write(v);
        foreach (var v in W) w.Write(v);
    }

    /// <summary>Reads a model written by <see cref="Save"/>, checking every field.</summary>
    /// <exception cref="InvalidDataException">The stream is not a valid model.</exception>
    public static LinearMulticlassModel Load(Stream s)
    {
        using var r = new BinaryReader(s, Encoding.UTF8, true);
        try
        {
            if (!r.ReadBytes(8).AsSpan().SequenceEqual(Magic)) throw new InvalidDataException("Invalid multiclass linear model: wrong signature.");
            int ver = r.ReadInt32(), oldest = r.ReadInt32();
            if (oldest > 1) throw new InvalidDataException($"Invalid multiclass linear model: needs reader version {oldest} (version {ver}).");
            int k = r.ReadInt32(), f = r.ReadInt32();
            if (k < 2 || f < 0 || (s.CanSeek && ((long)k * f + k) * 4 > s.Length - s.Position)) throw new InvalidDataException($"Invalid multiclass linear model: {k} classes x {f} features.");
            var b = new float[k]; for (int i = 0; i < k; i++) b[i] = r.ReadSingle();
            var w = new float[(long)k * f]; for (long i = 0; i < w.Length; i++) w[i] = r.ReadSingle();
            if (b.Any(v => !float.IsFinite(v)) || w.Any(v => !float.IsFinite(v))) throw new InvalidDataException("Invalid multiclass linear model: non-finite weight.");
            return new LinearMulticlassModel(w, b, f);
        }
        catch (EndOfStreamException e) { throw new InvalidDataException("Multiclass linear model is truncated.", e); }
    }
}
