using VaeText.Data;
using VaeText.IO;
using VaeText.Trainers.FastTree;
using VaeText.Trainers.Sdca;
using VaeText.Transforms;

namespace VaeText.Trainers;

/// <summary>Scratch conversion of feature buffers to dense spans (one buffer per thread).</summary>
internal static class FeatureScratch
{
    [ThreadStatic] private static float[]? t_buf;

    public static float[] Dense(in VBuffer<float> v, int length)
    {
        if (v.Length != length) throw new ArgumentException($"feature vector has {v.Length} slots, the model expects {length}");
        var b = t_buf;
        if (b == null || b.Length != length) t_buf = b = new float[length];
        v.CopyTo(b);
        return b;
    }

    public static byte[] ToBytes(Action<Stream> save) { var ms = new MemoryStream(); save(ms); return ms.ToArray(); }
}

/// <summary>Binary FastTree predictor: score = raw boosted score, probability = σ(score).</summary>
[ModelLoader(LoaderSignature)]
public sealed class FastTreeBinaryModel : IBinaryPredictor
{
    internal const string LoaderSignature = "FastTreeBinaryModel";
    private static readonly VersionInfo s_version = new(LoaderSignature, 1, 1);
    /// <summary>The tree ensemble.</summary>
    public GbdtModel Ensemble { get; }
    internal FastTreeBinaryModel(GbdtModel m) { Ensemble = m; }
    /// <inheritdoc/>
    public int FeatureCount => Ensemble.NumberOfFeatures;
    /// <inheritdoc/>
    public bool HasProbability => true;
    /// <inheritdoc/>
    public float GetScore(in VBuffer<float> features)
    {
        Span<double> s = stackalloc double[1];
        Ensemble.PredictRaw(FeatureScratch.Dense(features, FeatureCount), s);
        return (float)s[0];
    }
    /// <inheritdoc/>
    public float GetProbability(float score) => (float)LinearBinaryModel.Probability(score);
    // Layout: [bytes GbdtModel.Save]
    /// <inheritdoc/>
    public void Save(ModelSaveContext ctx) { ctx.SetVersionInfo(s_version); ctx.WriteBytes(FeatureScratch.ToBytes(Ensemble.Save)); }
    private static FastTreeBinaryModel Load(ModelLoadContext ctx)
    {
        ctx.CheckVersion(s_version);
        var m = GbdtModel.Load(new MemoryStream(ctx.ReadBytes("GBDT model")));
        ctx.CheckDecode(m.Task == GbdtTask.BinaryClassification, "GBDT model is not binary");
        return new FastTreeBinaryModel(m);
    }
}

/// <summary>Native multiclass FastTree predictor: scores = softmax probabilities of the K boosted scores.</summary>
[ModelLoader(LoaderSignature)]
public sealed class FastTreeMulticlassModel : IMulticlassPredictor
{
    internal const string LoaderSignature = "FastTreeMulticlassModel";
    private static readonly VersionInfo s_version = new(LoaderSignature, 1, 1);
    /// <summary>The tree ensemble.</summary>
    public GbdtModel Ensemble { get; }
    internal FastTreeMulticlassModel(GbdtModel m) { Ensemble = m; }
    /// <inheritdoc/>
    public int FeatureCount => Ensemble.NumberOfFeatures;
    /// <inheritdoc/>
    public int ClassCount => Ensemble.NumberOfOutputs;
    /// <inheritdoc/>
    public void GetScores(in VBuffer<float> features, Span<float> scores)
    {
        Span<double> s = stackalloc double[ClassCount];
        Ensemble.Predict(FeatureScratch.Dense(features, FeatureCount), s);
        for (int k = 0; k < ClassCount; k++) scores[k] = (float)s[k];
    }
    // Layout: [bytes GbdtModel.Save]
    /// <inheritdoc/>
    public void Save(ModelSaveContext ctx) { ctx.SetVersionInfo(s_version); ctx.WriteBytes(FeatureScratch.ToBytes(Ensemble.Save)); }
    private static FastTreeMulticlassModel Load(ModelLoadContext ctx)
    {
        ctx.CheckVersion(s_version);
        var m = GbdtModel.Load(new MemoryStream(ctx.ReadBytes("GBDT model")));
        ctx.CheckDecode(m.Task == GbdtTask.MulticlassClassification, "GBDT model is not multiclass");
        return new FastTreeMulticlassModel(m);
    }
}

/// <summary>FastTree regression predictor.</summary>
[ModelLoader(LoaderSignature)]
public sealed class FastTreeRegressionModel : IRegressionPredictor
{
    internal const string LoaderSignature = "FastTreeRegressionModel";
    private static readonly VersionInfo s_version = new(LoaderSignature, 1, 1);
    /// <summary>The tree ensemble.</summary>
    public GbdtModel Ensemble { get; }
    internal FastTreeRegressionModel(GbdtModel m) { Ensemble = m; }
    /// <inheritdoc/>
    public int FeatureCount => Ensemble.NumberOfFeatures;
    /// <inheritdoc/>
    public float Predict(in VBuffer<float> features)
    {
        Span<double> s = stackalloc double[1];
        Ensemble.PredictRaw(FeatureScratch.Dense(features, FeatureCount), s);
        return (float)s[0];
    }
    // Layout: [bytes GbdtModel.Save]
    /// <inheritdoc/>
    public void Save(ModelSaveContext ctx) { ctx.SetVersionInfo(s_version); ctx.WriteBytes(FeatureScratch.ToBytes(Ensemble.Save)); }
    private static FastTreeRegressionModel Load(ModelLoadContext ctx)
    {
        ctx.CheckVersion(s_version);
        var m = GbdtModel.Load(new MemoryStream(ctx.ReadBytes("GBDT model")));
        ctx.CheckDecode(m.Task == GbdtTask.Regression, "GBDT model is not a regression model");
        return new FastTreeRegressionModel(m);
    }
}

/// <summary>SDCA logistic-regression predictor: score = w·x + b, probability = σ(score).</summary>
[ModelLoader(LoaderSignature)]
public sealed class SdcaBinaryModel : IBinaryPredictor
{
    internal const string LoaderSignature = "SdcaBinaryModel";
    private static readonly VersionInfo s_version = new(LoaderSignature, 1, 1);
    /// <summary>The linear model.</summary>
    public LinearBinaryModel Linear { get; }
    internal SdcaBinaryModel(LinearBinaryModel m) { Linear = m; }
    /// <inheritdoc/>
    public int FeatureCount => Linear.NumberOfFeatures;
    /// <inheritdoc/>
    public bool HasProbability => true;
    /// <inheritdoc/>
    public float GetScore(in VBuffer<float> features)
    {
        if (features.Length != FeatureCount) throw new ArgumentException($"feature vector has {features.Length} slots, the model expects {FeatureCount}");
        double s = Linear.Bias;
        var v = features.GetValues();
        if (features.IsDense) { for (int j = 0; j < v.Length; j++) s += v[j] * Linear.W[j]; }
        else { var ix = features.GetIndices(); for (int p = 0; p < ix.Length; p++) s += v[p] * Linear.W[ix[p]]; }
        return (float)s;
    }
    /// <inheritdoc/>
    public float GetProbability(float score) => (float)LinearBinaryModel.Probability(score);
    // Layout: [bytes LinearBinaryModel.Save]
    /// <inheritdoc/>
    public void Save(ModelSaveContext ctx) { ctx.SetVersionInfo(s_version); ctx.WriteBytes(FeatureScratch.ToBytes(Linear.Save)); }
    private static SdcaBinaryModel Load(ModelLoadContext ctx)
    {
        ctx.CheckVersion(s_version);
        return new SdcaBinaryModel(LinearBinaryModel.Load(new MemoryStream(ctx.ReadBytes("linear model"))));
    }
}

/// <summary>SDCA maximum-entropy predictor: scores = softmax probabilities.</summary>
[ModelLoader(LoaderSignature)]
public sealed class SdcaMulticlassModel : IMulticlassPredictor
{
    internal const string LoaderSignature = "SdcaMulticlassModel";
    private static readonly VersionInfo s_version = new(LoaderSignature, 1, 1);
    /// <summary>The linear model.</summary>
    public LinearMulticlassModel Linear { get; }
    internal SdcaMulticlassModel(LinearMulticlassModel m) { Linear = m; }
    /// <inheritdoc/>
    public int FeatureCount => Linear.NumberOfFeatures;
    /// <inheritdoc/>
    public int ClassCount => Linear.NumberOfClasses;
    /// <inheritdoc/>
    public void GetScores(in VBuffer<float> features, Span<float> scores)
    {
        if (features.Length != FeatureCount) throw new ArgumentException($"feature vector has {features.Length} slots, the model expects {FeatureCount}");
        int K = ClassCount, F = FeatureCount;
        Span<double> s = stackalloc double[K];
        var v = features.GetValues();
        var ix = features.GetIndices();
        for (int k = 0; k < K; k++)
        {
            double a = Linear.B[k];
            if (features.IsDense) for (int j = 0; j < v.Length; j++) a += v[j] * Linear.W[k * F + j];
            else for (int p = 0; p < ix.Length; p++) a += v[p] * Linear.W[k * F + ix[p]];
            s[k] = a;
        }
        LinearMulticlassModel.ToProbabilities(s);
        for (int k = 0; k < K; k++) scores[k] = (float)s[k];
    }
    // Layout: [bytes LinearMulticlassModel.Save]
    /// <inheritdoc/>
    public void Save(ModelSaveContext ctx) { ctx.SetVersionInfo(s_version); ctx.WriteBytes(FeatureScratch.ToBytes(Linear.Save)); }
    private static SdcaMulticlassModel Load(ModelLoadContext ctx)
    {
        ctx.CheckVersion(s_version);
        return new SdcaMulticlassModel(LinearMulticlassModel.Load(new MemoryStream(ctx.ReadBytes("linear model"))));
    }
}

/// <summary>One-versus-all: one binary predictor per class; scores = class probabilities normalised to sum 1.</summary>
[ModelLoader(LoaderSignature)]
public sealed class OneVersusAllModel : IMulticlassPredictor
{
    internal const string LoaderSignature = "OneVersusAllModel";
    private static readonly VersionInfo s_version = new(LoaderSignature, 1, 1);
    private readonly IBinaryPredictor[] _models;
    /// <summary>The per-class binary predictors (class k versus the rest).</summary>
    public IReadOnlyList<IBinaryPredictor> Models => _models;
    internal OneVersusAllModel(IBinaryPredictor[] models)
    {
        if (models.Length < 2) throw new ArgumentException("one-versus-all needs at least 2 classes", nameof(models));
        _models = models;
    }
    /// <inheritdoc/>
    public int FeatureCount => _models[0].FeatureCount;
    /// <inheritdoc/>
    public int ClassCount => _models.Length;
    /// <inheritdoc/>
    public void GetScores(in VBuffer<float> features, Span<float> scores)
    {
        double z = 0;
        for (int k = 0; k < _models.Length; k++)
        {
            float s = _models[k].GetScore(features);
            double p = _models[k].HasProbability ? _models[k].GetProbability(s) : LinearBinaryModel.Probability(s);
            scores[k] = (float)p; z += p;
        }
        if (z > 0) for (int k = 0; k < _models.Length; k++) scores[k] = (float)(scores[k] / z);
    }
    // Layout: [int32 classes][nested binary predictor] × classes
    /// <inheritdoc/>
    public void Save(ModelSaveContext ctx)
    {
        ctx.SetVersionInfo(s_version);
        ctx.Writer.Write(_models.Length);
        foreach (var m in _models) ctx.SaveNested(m);
    }
    private static OneVersusAllModel Load(ModelLoadContext ctx)
    {
        ctx.CheckVersion(s_version);
        int k = ctx.ReadInt32(2, 1 << 20, "class count");
        var ms = new IBinaryPredictor[k];
        for (int i = 0; i < k; i++) ms[i] = ctx.LoadNested<IBinaryPredictor>();
        ctx.CheckDecode(ms.All(m => m.FeatureCount == ms[0].FeatureCount), "one-versus-all members disagree on the feature count");
        return new OneVersusAllModel(ms);
    }
}
