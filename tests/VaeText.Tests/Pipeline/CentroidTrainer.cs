using VaeText.Data;
using VaeText.IO;
using VaeText.Transforms;

namespace VaeText.Tests.Pipeline;

/// <summary>A tiny nearest-centroid multiclass trainer: shows how a trainer plugs into the pipeline API.</summary>
internal sealed class CentroidTrainer(string label, string features) : TrainerEstimatorBase<MulticlassPredictionTransformer>(label, features)
{
    protected override LabelKind Kind => LabelKind.Multiclass;
    protected override bool UseSparseFeatures => true;

    protected override ICanSaveModel TrainModel(TrainingData data)
    {
        int k = data.ClassCount, d = data.FeatureCount;
        var c = new float[k * d]; var n = new int[k];
        var m = data.Sparse!;
        for (int r = 0; r < m.Rows; r++)
        {
            int y = (int)data.Labels[r]; n[y]++;
            for (int p = m.RowPtr[r]; p < m.RowPtr[r + 1]; p++) c[y * d + m.Indices[p]] += m.Values[p];
        }
        for (int y = 0; y < k; y++) for (int j = 0; j < d; j++) c[y * d + j] /= Math.Max(1, n[y]);
        return new CentroidModel(k, d, c);
    }
}

[ModelLoader("TestCentroidModel")]
internal sealed class CentroidModel(int classes, int features, float[] centroids) : IMulticlassPredictor
{
    public int FeatureCount => features;
    public int ClassCount => classes;

    public void GetScores(in VBuffer<float> x, Span<float> scores)
    {
        var dense = x.DenseValues();
        for (int y = 0; y < classes; y++)
        {
            double dist = 0;
            for (int j = 0; j < features; j++) { double t = dense[j] - centroids[y * features + j]; dist += t * t; }
            scores[y] = (float)-dist;
        }
    }

    public void Save(ModelSaveContext ctx)
    {
        ctx.SetVersionInfo(new VersionInfo("TestCentroidModel", 1, 1));
        ctx.Writer.Write(classes); ctx.Writer.Write(features); ctx.WriteSingles(centroids);
    }

    private static CentroidModel Load(ModelLoadContext ctx)
    {
        ctx.CheckVersion(new VersionInfo("TestCentroidModel", 1, 1));
        int k = ctx.ReadInt32(1, 1000, "classes"), d = ctx.ReadInt32(1, 1 << 24, "features");
        var c = ctx.ReadSingles();
        ctx.CheckDecode(c.Length == k * d, "centroid size");
        return new CentroidModel(k, d, c);
    }
}
