using Microsoft.ML;
using Microsoft.ML.Trainers;
using VaeText.Experiments;
using VaeText.Pipelines;

namespace VaeText.Bench;

/// <summary>What the comparison probes share: featurized train/test tables and cached VAE latent means.</summary>
internal static class ProbeTables
{
    /// <summary>Fits <paramref name="featurizer"/> (writing <see cref="CandidatePipelines.FeaturesColumn"/>) on the training view and reads both splits.</summary>
    public static FeatureTable Featurize(IEstimator<ITransformer> featurizer, ComparisonRunner.LabeledData train, ComparisonRunner.LabeledData test) =>
        Read(featurizer.Fit(train.View), train, test);

    /// <summary>Reads both splits through a fitted featurizer.</summary>
    public static FeatureTable Read(ITransformer fitted, ComparisonRunner.LabeledData train, ComparisonRunner.LabeledData test)
    {
        var (tr, size) = FeatureTable.Read(fitted.Transform(train.View), CandidatePipelines.FeaturesColumn, default);
        var (te, _) = FeatureTable.Read(fitted.Transform(test.View), CandidatePipelines.FeaturesColumn, default);
        return new FeatureTable { Train = tr, Test = te, Size = size, Featurizer = fitted };
    }

    /// <summary>
    /// The latent means (training rows, then test rows) of a VAE trained on the training texts, read from
    /// <paramref name="cache"/> when it exists and written there otherwise.
    /// </summary>
    public static (float[] Train, float[] Test) Means(string cache, MLContext ml, ComparisonRunner.LabeledData train, ComparisonRunner.LabeledData test, VaeSettings settings)
    {
        if (File.Exists(cache))
        {
            using var r = new BinaryReader(File.OpenRead(cache));
            var tr = new float[r.ReadInt32()]; for (int i = 0; i < tr.Length; i++) tr[i] = r.ReadSingle();
            var te = new float[r.ReadInt32()]; for (int i = 0; i < te.Length; i++) te[i] = r.ReadSingle();
            return (tr, te);
        }
        var vae = VaeFeaturizer.Fit(ml, train.View, train.Texts, test.Texts, "text", settings, 1, 0, null, null, default);
        using var w = new BinaryWriter(File.Create(cache));
        w.Write(vae.TrainMeans.Length); foreach (var f in vae.TrainMeans) w.Write(f);
        w.Write(vae.TestMeans!.Length); foreach (var f in vae.TestMeans) w.Write(f);
        return (vae.TrainMeans, vae.TestMeans);
    }

    /// <summary>
    /// SDCA as the comparison fits it — SdcaLogisticRegression with half the L2 (the same objective) for two classes,
    /// SdcaMaximumEntropy for more — with a probe's settings (null: ML.NET's choice), on <paramref name="view"/>
    /// (<see cref="FeatureTable.View"/>) after the comparison's label mapping.
    /// </summary>
    public static ITransformer FitSdca(MLContext ml, IDataView view, IReadOnlyList<string> classes, float? l2, float? l1 = null,
        float tolerance = 0.1f, int? passes = null, bool shuffle = true, int? checkFrequency = null)
    {
        bool binary = classes.Count == 2;
        var mapped = TextClassifierPipeline.LabelMapping(ml, FeatureTable.LabelTextColumn, classes, binary).Fit(view).Transform(view);
        if (binary)
            return ml.BinaryClassification.Trainers.SdcaLogisticRegression(new SdcaLogisticRegressionBinaryTrainer.Options
            {
                LabelColumnName = CandidatePipelines.LabelColumn, FeatureColumnName = CandidatePipelines.FeaturesColumn, NumberOfThreads = 1,
                L2Regularization = l2 / 2, L1Regularization = l1, ConvergenceTolerance = tolerance, MaximumNumberOfIterations = passes,
                Shuffle = shuffle, ConvergenceCheckFrequency = checkFrequency,
            }).Fit(mapped);
        return ml.MulticlassClassification.Trainers.SdcaMaximumEntropy(new SdcaMaximumEntropyMulticlassTrainer.Options
        {
            LabelColumnName = CandidatePipelines.LabelColumn, FeatureColumnName = CandidatePipelines.FeaturesColumn, NumberOfThreads = 1,
            L2Regularization = l2, L1Regularization = l1, ConvergenceTolerance = tolerance, MaximumNumberOfIterations = passes,
            Shuffle = shuffle, ConvergenceCheckFrequency = checkFrequency,
        }).Fit(mapped);
    }
}
