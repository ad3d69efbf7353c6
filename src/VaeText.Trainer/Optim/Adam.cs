using System.Numerics;
using System.Runtime.InteropServices;
using VaeText.Nn;

namespace VaeText.Optim;

/// <summary>
/// Adam (Kingma and Ba, 2015) with optional decoupled weight decay (AdamW, Loshchilov and Hutter, 2019) over
/// the whole flat buffer of a <see cref="ParameterStore{T}"/> in one SIMD loop. Matches PyTorch's update:
/// p −= lr/(1−β1ᵗ) · m / (sqrt(v)/sqrt(1−β2ᵗ) + ε), with AdamW first scaling p by (1 − lr·λ).
/// </summary>
public sealed class Adam
{
    private readonly ParameterStore<float> _store;
    private float[] _m;
    private float[] _v;

    /// <summary>Creates the optimizer and its zeroed moment buffers.</summary>
    /// <param name="store">The parameters to update.</param>
    /// <param name="learningRate">Step size (&gt; 0).</param>
    /// <param name="beta1">First-moment decay in [0, 1).</param>
    /// <param name="beta2">Second-moment decay in [0, 1).</param>
    /// <param name="epsilon">Denominator guard (&gt; 0).</param>
    /// <param name="weightDecay">Decoupled (AdamW) weight decay (≥ 0; 0 = plain Adam).</param>
    public Adam(ParameterStore<float> store, double learningRate = 1e-3, double beta1 = 0.9, double beta2 = 0.999,
        double epsilon = 1e-8, double weightDecay = 0)
    {
        ArgumentNullException.ThrowIfNull(store);
        if (!(learningRate > 0) || double.IsInfinity(learningRate)) throw new ArgumentOutOfRangeException(nameof(learningRate), learningRate, "must be a positive finite number");
        if (!(beta1 >= 0 && beta1 < 1)) throw new ArgumentOutOfRangeException(nameof(beta1), beta1, "must be in [0, 1)");
        if (!(beta2 >= 0 && beta2 < 1)) throw new ArgumentOutOfRangeException(nameof(beta2), beta2, "must be in [0, 1)");
        if (!(epsilon > 0)) throw new ArgumentOutOfRangeException(nameof(epsilon), epsilon, "must be positive");
        if (!(weightDecay >= 0) || double.IsInfinity(weightDecay)) throw new ArgumentOutOfRangeException(nameof(weightDecay), weightDecay, "must be a non-negative finite number");
        _store = store;
        LearningRate = learningRate; Beta1 = beta1; Beta2 = beta2; Epsilon = epsilon; WeightDecay = weightDecay;
        _m = new float[store.Count];
        _v = new float[store.Count];
    }

    /// <summary>Step size (may be changed between steps by a schedule).</summary>
    public double LearningRate { get; set; }
    /// <summary>First-moment decay.</summary>
    public double Beta1 { get; }
    /// <summary>Second-moment decay.</summary>
    public double Beta2 { get; }
    /// <summary>Denominator guard.</summary>
    public double Epsilon { get; }
    /// <summary>Decoupled weight decay (0 = Adam).</summary>
    public double WeightDecay { get; }
    /// <summary>Number of steps taken.</summary>
    public long StepCount { get; private set; }

    /// <summary>
    /// Applies one update from the store's gradients. When <paramref name="zeroGradients"/> is true the gradients
    /// are cleared in the same pass (saving a separate sweep over the buffer).
    /// </summary>
    /// <param name="zeroGradients">Clear the gradients as they are consumed.</param>
    /// <param name="maxThreads">Worker threads (the update is element-wise, so results do not depend on it).</param>
    public void Step(bool zeroGradients = true, int maxThreads = 1)
    {
        StepCount++;
        double bc1 = 1 - Math.Pow(Beta1, StepCount);
        double bc2 = 1 - Math.Pow(Beta2, StepCount);
        var k = new Coefficients(
            (float)Beta1, (float)(1 - Beta1), (float)Beta2, (float)(1 - Beta2),
            (float)(LearningRate / bc1), (float)(1 / Math.Sqrt(bc2)), (float)Epsilon,
            (float)(1 - LearningRate * WeightDecay));
        float[] p = _store.Values, g = _store.Grads;
        int n = p.Length;
        const int chunk = 1 << 16;
        int chunks = (n + chunk - 1) / chunk;
        if (maxThreads <= 1 || chunks < 2)
        {
            Update(p, g, _m, _v, 0, n, k, zeroGradients);
        }
        else
        {
            Parallel.For(0, chunks, new ParallelOptions { MaxDegreeOfParallelism = maxThreads },
                c => Update(p, g, _m, _v, c * chunk, Math.Min(n, (c + 1) * chunk), k, zeroGradients));
        }
    }

    private readonly record struct Coefficients(float B1, float OneMinusB1, float B2, float OneMinusB2, float StepSize, float InvSqrtBc2, float Eps, float Decay);

    private static void Update(float[] pa, float[] ga, float[] ma, float[] va, int start, int end, Coefficients k, bool zero)
    {
        Span<float> p = pa.AsSpan(start, end - start), g = ga.AsSpan(start, end - start);
        Span<float> m = ma.AsSpan(start, end - start), v = va.AsSpan(start, end - start);
        int i = 0;
        bool decay = k.Decay != 1f;
        if (Vector.IsHardwareAccelerated && p.Length >= Vector<float>.Count)
        {
            var vp = MemoryMarshal.Cast<float, Vector<float>>(p);
            var vg = MemoryMarshal.Cast<float, Vector<float>>(g);
            var vm = MemoryMarshal.Cast<float, Vector<float>>(m);
            var vv = MemoryMarshal.Cast<float, Vector<float>>(v);
            var b1 = new Vector<float>(k.B1); var c1 = new Vector<float>(k.OneMinusB1);
            var b2 = new Vector<float>(k.B2); var c2 = new Vector<float>(k.OneMinusB2);
            var step = new Vector<float>(k.StepSize); var ib = new Vector<float>(k.InvSqrtBc2);
            var eps = new Vector<float>(k.Eps); var dec = new Vector<float>(k.Decay);
            for (int j = 0; j < vp.Length; j++)
            {
                var gj = vg[j];
                var mj = b1 * vm[j] + c1 * gj;
                var vj = b2 * vv[j] + c2 * gj * gj;
                vm[j] = mj; vv[j] = vj;
                var pj = decay ? vp[j] * dec : vp[j];
                vp[j] = pj - step * mj / (Vector.SquareRoot(vj) * ib + eps);
                if (zero) vg[j] = Vector<float>.Zero;
            }
            i = vp.Length * Vector<float>.Count;
        }
        for (; i < p.Length; i++)
        {
            float gi = g[i];
            float mi = k.B1 * m[i] + k.OneMinusB1 * gi;
            float vi = k.B2 * v[i] + k.OneMinusB2 * gi * gi;
            m[i] = mi; v[i] = vi;
            float pi = decay ? p[i] * k.Decay : p[i];
            p[i] = pi - k.StepSize * mi / (MathF.Sqrt(vi) * k.InvSqrtBc2 + k.Eps);
            if (zero) g[i] = 0f;
        }
    }

    /// <summary>Copies the optimizer state (step count and both moment buffers) for a checkpoint.</summary>
    public AdamState ExportState() => new(StepCount, (float[])_m.Clone(), (float[])_v.Clone());

    /// <summary>Restores a state from <see cref="ExportState"/>.</summary>
    /// <exception cref="ArgumentException">The state's buffers do not match this store's size.</exception>
    public void ImportState(AdamState state)
    {
        ArgumentNullException.ThrowIfNull(state);
        if (state.FirstMoment.Length != _m.Length || state.SecondMoment.Length != _v.Length)
            throw new ArgumentException($"optimizer state holds {state.FirstMoment.Length}/{state.SecondMoment.Length} moments, the model has {_m.Length} parameters", nameof(state));
        if (state.StepCount < 0) throw new ArgumentException($"step count {state.StepCount} is negative", nameof(state));
        StepCount = state.StepCount;
        _m = (float[])state.FirstMoment.Clone();
        _v = (float[])state.SecondMoment.Clone();
    }
}

/// <summary>A snapshot of <see cref="Adam"/>'s state.</summary>
/// <param name="StepCount">Steps taken.</param>
/// <param name="FirstMoment">m, same layout as the parameter buffer.</param>
/// <param name="SecondMoment">v, same layout as the parameter buffer.</param>
public sealed record AdamState(long StepCount, float[] FirstMoment, float[] SecondMoment);
