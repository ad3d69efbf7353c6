namespace VaeText.Trainers.FastTree;

/// <summary>What a boosted-tree model predicts; decides the objective and how raw scores become outputs.</summary>
public enum GbdtTask
{
    /// <summary>Two classes, labels 0/1, logistic loss; one tree per round; probability = σ(score).</summary>
    BinaryClassification = 0,
    /// <summary>K classes, labels 0..K-1, softmax cross-entropy; K trees per round; probabilities = softmax(scores).</summary>
    MulticlassClassification = 1,
    /// <summary>Real-valued labels, squared error; one tree per round.</summary>
    Regression = 2,
}

/// <summary>
/// A boosting objective: initial scores, per-row gradients and hessians of the loss with respect to the raw
/// scores, and the mean loss (for monitoring and early stopping). Scores are laid out [rows, outputs];
/// gradients and hessians [outputs, rows] so each tree reads one contiguous slice.
/// </summary>
internal abstract class GbdtObjective
{
    public abstract int Outputs { get; }
    public abstract void InitialScores(ReadOnlySpan<float> labels, Span<double> init);
    /// <summary>
    /// Fills gradients and hessians at <paramref name="scores"/> and returns the mean loss there. Rows are processed
    /// in fixed chunks (in parallel); chunk losses are added in chunk order, so the result does not depend on threads.
    /// </summary>
    public double Gradients(double[] scores, float[] labels, double[] grad, double[] hess, int threads)
    {
        int n = labels.Length;
        const int chunk = 2048;
        int chunks = (n + chunk - 1) / chunk;
        var part = new double[chunks];
        Parallel.For(0, chunks, new ParallelOptions { MaxDegreeOfParallelism = Math.Max(1, threads) },
            c => part[c] = GradientsRange(scores, labels, grad, hess, c * chunk, Math.Min(n, (c + 1) * chunk)));
        double s = 0;
        foreach (var v in part) s += v;
        return s / Math.Max(1, n);
    }

    /// <summary>Gradients and hessians of rows [r0, r1) (layout [outputs, rows]); returns the summed loss of those rows.</summary>
    protected abstract double GradientsRange(double[] scores, float[] labels, double[] grad, double[] hess, int r0, int r1);
    public abstract double MeanLoss(ReadOnlySpan<double> scores, ReadOnlySpan<float> labels);

    public static GbdtObjective Create(GbdtTask task, int classes, double softmaxHessianScale = 0) => task switch
    {
        GbdtTask.BinaryClassification => new BinaryLogisticObjective(),
        GbdtTask.MulticlassClassification => new SoftmaxObjective(classes, softmaxHessianScale),
        GbdtTask.Regression => new SquaredErrorObjective(),
        _ => throw new ArgumentOutOfRangeException(nameof(task), task, "unknown task"),
    };

    internal static double Sigmoid(double x) => x >= 0 ? 1 / (1 + Math.Exp(-x)) : Math.Exp(x) / (1 + Math.Exp(x));

    /// <summary>log(1 + e^x) without overflow.</summary>
    internal static double Softplus(double x) => x > 0 ? x + Math.Log(1 + Math.Exp(-x)) : Math.Log(1 + Math.Exp(x));
}

/// <summary>Logistic loss on labels y ∈ {0,1}: ℓ = log(1+e^f) − y·f; g = σ(f) − y; h = σ(f)(1 − σ(f)).</summary>
internal sealed class BinaryLogisticObjective : GbdtObjective
{
    public override int Outputs => 1;

    public override void InitialScores(ReadOnlySpan<float> labels, Span<double> init)
    {
        double pos = 0;
        foreach (var y in labels) pos += y;
        double p = Math.Clamp(pos / Math.Max(1, labels.Length), 1e-6, 1 - 1e-6);
        init[0] = Math.Log(p / (1 - p));
    }

    protected override double GradientsRange(double[] scores, float[] labels, double[] grad, double[] hess, int r0, int r1)
    {
        double loss = 0;
        for (int i = r0; i < r1; i++)
        {
            double f = scores[i];
            double p = Sigmoid(f);
            grad[i] = p - labels[i];
            hess[i] = Math.Max(p * (1 - p), 1e-16);
            loss += Softplus(f) - labels[i] * f;
        }
        return loss;
    }

    public override double MeanLoss(ReadOnlySpan<double> scores, ReadOnlySpan<float> labels)
    {
        double s = 0;
        for (int i = 0; i < labels.Length; i++) s += Softplus(scores[i]) - labels[i] * scores[i];
        return s / Math.Max(1, labels.Length);
    }
}

/// <summary>
/// Softmax cross-entropy over K classes (labels 0..K-1): g_k = p_k − [y = k]; h_k = c·p_k(1 − p_k), a scaled
/// diagonal Newton approximation with c = K/(K−1) by default (LightGBM, ML.NET) or a given scale (XGBoost: 2).
/// </summary>
internal sealed class SoftmaxObjective : GbdtObjective
{
    private readonly int _k;
    private readonly double _scale;
    public SoftmaxObjective(int classes, double hessianScale = 0) { _k = classes; _scale = hessianScale > 0 ? hessianScale : classes / (classes - 1.0); }
    public override int Outputs => _k;

    public override void InitialScores(ReadOnlySpan<float> labels, Span<double> init)
    {
        var counts = new double[_k];
        foreach (var y in labels) counts[(int)y]++;
        for (int k = 0; k < _k; k++) init[k] = Math.Log(Math.Max(counts[k], 1e-3) / Math.Max(1, labels.Length));
    }

    protected override double GradientsRange(double[] scores, float[] labels, double[] grad, double[] hess, int r0, int r1)
    {
        int n = labels.Length, K = _k;
        double factor = _scale;
        Span<double> p = K <= 256 ? stackalloc double[K] : new double[K];
        double loss = 0;
        for (int i = r0; i < r1; i++)
        {
            var row = scores.AsSpan(i * K, K);
            double m = double.NegativeInfinity;
            foreach (var v in row) m = Math.Max(m, v);
            double z = 0;
            for (int k = 0; k < K; k++) { p[k] = Math.Exp(row[k] - m); z += p[k]; }
            int y = (int)labels[i];
            loss += m + Math.Log(z) - row[y];
            for (int k = 0; k < K; k++)
            {
                double pk = p[k] / z;
                grad[k * n + i] = pk - (k == y ? 1 : 0);
                hess[k * n + i] = Math.Max(factor * pk * (1 - pk), 1e-16);
            }
        }
        return loss;
    }

    public override double MeanLoss(ReadOnlySpan<double> scores, ReadOnlySpan<float> labels)
    {
        int n = labels.Length, K = _k;
        double s = 0;
        for (int i = 0; i < n; i++)
        {
            var row = scores.Slice(i * K, K);
            double m = double.NegativeInfinity;
            foreach (var v in row) m = Math.Max(m, v);
            double z = 0;
            foreach (var v in row) z += Math.Exp(v - m);
            s += m + Math.Log(z) - row[(int)labels[i]];
        }
        return s / Math.Max(1, n);
    }

    /// <summary>Numerically stable softmax (subtracts the row maximum).</summary>
    internal static void Softmax(ReadOnlySpan<double> x, Span<double> p)
    {
        double m = double.NegativeInfinity;
        foreach (var v in x) m = Math.Max(m, v);
        double z = 0;
        for (int k = 0; k < x.Length; k++) { p[k] = Math.Exp(x[k] - m); z += p[k]; }
        for (int k = 0; k < x.Length; k++) p[k] /= z;
    }
}

/// <summary>Squared error ½(f − y)²: g = f − y, h = 1; initial score = label mean.</summary>
internal sealed class SquaredErrorObjective : GbdtObjective
{
    public override int Outputs => 1;

    public override void InitialScores(ReadOnlySpan<float> labels, Span<double> init)
    {
        double s = 0;
        foreach (var y in labels) s += y;
        init[0] = labels.Length == 0 ? 0 : s / labels.Length;
    }

    protected override double GradientsRange(double[] scores, float[] labels, double[] grad, double[] hess, int r0, int r1)
    {
        double loss = 0;
        for (int i = r0; i < r1; i++) { double d = scores[i] - labels[i]; grad[i] = d; hess[i] = 1; loss += 0.5 * d * d; }
        return loss;
    }

    public override double MeanLoss(ReadOnlySpan<double> scores, ReadOnlySpan<float> labels)
    {
        double s = 0;
        for (int i = 0; i < labels.Length; i++) { double d = scores[i] - labels[i]; s += 0.5 * d * d; }
        return s / Math.Max(1, labels.Length);
    }
}
