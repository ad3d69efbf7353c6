using VaeText.Trainers;
using VaeText.Trainers.FastTree;
using VaeText.Transforms;

namespace VaeText;

/// <summary>Catalog methods of the FastTree, SDCA and one-versus-all trainers (ML.NET names and parameters).</summary>
public static class TrainerCatalogExtensions
{
    private static T With<T>(T o, string label, string features, int leaves, int trees, int minLeaf, double lr) where T : FastTreeTrainerOptions
    {
        o.LabelColumnName = label; o.FeatureColumnName = features; o.NumberOfLeaves = leaves; o.NumberOfTrees = trees;
        o.MinimumExampleCountPerLeaf = minLeaf; o.LearningRate = lr;
        return o;
    }

    /// <summary>FastTree binary classifier (boosted trees, logistic loss).</summary>
    public static FastTreeBinaryTrainer FastTree(this BinaryClassificationCatalog.BinaryClassificationTrainers catalog,
        string labelColumnName = "Label", string featureColumnName = "Features", int numberOfLeaves = FastTreeDefaults.NumberOfLeaves,
        int numberOfTrees = FastTreeDefaults.NumberOfTrees, int minimumExampleCountPerLeaf = FastTreeDefaults.MinimumExampleCountPerLeaf,
        double learningRate = FastTreeDefaults.LearningRate)
        => catalog.FastTree(With(new FastTreeBinaryTrainer.Options(), labelColumnName, featureColumnName, numberOfLeaves, numberOfTrees, minimumExampleCountPerLeaf, learningRate));

    /// <summary>FastTree binary classifier with all options.</summary>
    public static FastTreeBinaryTrainer FastTree(this BinaryClassificationCatalog.BinaryClassificationTrainers catalog, FastTreeBinaryTrainer.Options options)
    {
        ArgumentNullException.ThrowIfNull(catalog); ArgumentNullException.ThrowIfNull(options);
        return new FastTreeBinaryTrainer(options, catalog.Context.NextSeed());
    }

    /// <summary>FastTree native multiclass classifier (softmax; one tree per class per round). Label: Key.</summary>
    public static FastTreeMulticlassTrainer FastTree(this MulticlassClassificationCatalog.MulticlassClassificationTrainers catalog,
        string labelColumnName = "Label", string featureColumnName = "Features", int numberOfLeaves = FastTreeDefaults.NumberOfLeaves,
        int numberOfTrees = FastTreeDefaults.NumberOfTrees, int minimumExampleCountPerLeaf = FastTreeDefaults.MinimumExampleCountPerLeaf,
        double learningRate = FastTreeDefaults.LearningRate)
        => catalog.FastTree(With(new FastTreeMulticlassTrainer.Options(), labelColumnName, featureColumnName, numberOfLeaves, numberOfTrees, minimumExampleCountPerLeaf, learningRate));

    /// <summary>FastTree native multiclass classifier with all options.</summary>
    public static FastTreeMulticlassTrainer FastTree(this MulticlassClassificationCatalog.MulticlassClassificationTrainers catalog, FastTreeMulticlassTrainer.Options options)
    {
        ArgumentNullException.ThrowIfNull(catalog); ArgumentNullException.ThrowIfNull(options);
        return new FastTreeMulticlassTrainer(options, catalog.Context.NextSeed());
    }

    /// <summary>FastTree regression (squared error). Label: Single.</summary>
    public static FastTreeRegressionTrainer FastTree(this RegressionCatalog.RegressionTrainers catalog,
        string labelColumnName = "Label", string featureColumnName = "Features", int numberOfLeaves = FastTreeDefaults.NumberOfLeaves,
        int numberOfTrees = FastTreeDefaults.NumberOfTrees, int minimumExampleCountPerLeaf = FastTreeDefaults.MinimumExampleCountPerLeaf,
        double learningRate = FastTreeDefaults.LearningRate)
        => catalog.FastTree(With(new FastTreeRegressionTrainer.Options(), labelColumnName, featureColumnName, numberOfLeaves, numberOfTrees, minimumExampleCountPerLeaf, learningRate));

    /// <summary>FastTree regression with all options.</summary>
    public static FastTreeRegressionTrainer FastTree(this RegressionCatalog.RegressionTrainers catalog, FastTreeRegressionTrainer.Options options)
    {
        ArgumentNullException.ThrowIfNull(catalog); ArgumentNullException.ThrowIfNull(options);
        return new FastTreeRegressionTrainer(options, catalog.Context.NextSeed());
    }

    /// <summary>SDCA logistic regression (binary, calibrated). Null regularisation/iterations = data-dependent defaults.</summary>
    public static SdcaLogisticRegressionBinaryTrainer SdcaLogisticRegression(this BinaryClassificationCatalog.BinaryClassificationTrainers catalog,
        string labelColumnName = "Label", string featureColumnName = "Features", float? l2Regularization = null, float? l1Regularization = null,
        int? maximumNumberOfIterations = null)
        => catalog.SdcaLogisticRegression(new SdcaLogisticRegressionBinaryTrainer.Options
        {
            LabelColumnName = labelColumnName, FeatureColumnName = featureColumnName, L2Regularization = l2Regularization,
            L1Regularization = l1Regularization, MaximumNumberOfIterations = maximumNumberOfIterations,
        });

    /// <summary>SDCA logistic regression with all options.</summary>
    public static SdcaLogisticRegressionBinaryTrainer SdcaLogisticRegression(this BinaryClassificationCatalog.BinaryClassificationTrainers catalog, SdcaLogisticRegressionBinaryTrainer.Options options)
    {
        ArgumentNullException.ThrowIfNull(catalog); ArgumentNullException.ThrowIfNull(options);
        return new SdcaLogisticRegressionBinaryTrainer(options, catalog.Context.NextSeed());
    }

    /// <summary>SDCA maximum entropy (multiclass). Label: Key.</summary>
    public static SdcaMaximumEntropyMulticlassTrainer SdcaMaximumEntropy(this MulticlassClassificationCatalog.MulticlassClassificationTrainers catalog,
        string labelColumnName = "Label", string featureColumnName = "Features", float? l2Regularization = null, float? l1Regularization = null,
        int? maximumNumberOfIterations = null)
        => catalog.SdcaMaximumEntropy(new SdcaMaximumEntropyMulticlassTrainer.Options
        {
            LabelColumnName = labelColumnName, FeatureColumnName = featureColumnName, L2Regularization = l2Regularization,
            L1Regularization = l1Regularization, MaximumNumberOfIterations = maximumNumberOfIterations,
        });

    /// <summary>SDCA maximum entropy with all options.</summary>
    public static SdcaMaximumEntropyMulticlassTrainer SdcaMaximumEntropy(this MulticlassClassificationCatalog.MulticlassClassificationTrainers catalog, SdcaMaximumEntropyMulticlassTrainer.Options options)
    {
        ArgumentNullException.ThrowIfNull(catalog); ArgumentNullException.ThrowIfNull(options);
        return new SdcaMaximumEntropyMulticlassTrainer(options, catalog.Context.NextSeed());
    }

    /// <summary>
    /// One-versus-all over a binary estimator. The binary estimator must read its label from
    /// <paramref name="binaryEstimator"/>'s own label column (default "Label") and the same feature column; each class k
    /// is fitted with label = (class == k).
    /// </summary>
    public static OneVersusAllTrainer OneVersusAll(this MulticlassClassificationCatalog.MulticlassClassificationTrainers catalog,
        IEstimator<BinaryPredictionTransformer> binaryEstimator, string labelColumnName = "Label", string featureColumnName = "Features")
    {
        ArgumentNullException.ThrowIfNull(catalog); ArgumentNullException.ThrowIfNull(binaryEstimator);
        string binaryLabel = binaryEstimator is TrainerEstimatorBase<BinaryPredictionTransformer> t ? t.LabelColumnName : labelColumnName;
        string binaryFeatures = binaryEstimator is TrainerEstimatorBase<BinaryPredictionTransformer> t2 ? t2.FeatureColumnName : featureColumnName;
        if (binaryFeatures != featureColumnName)
            throw new ArgumentException($"the binary estimator reads features from '{binaryFeatures}' but featureColumnName is '{featureColumnName}'", nameof(binaryEstimator));
        return new OneVersusAllTrainer(binaryEstimator, labelColumnName, featureColumnName, binaryLabel);
    }
}
