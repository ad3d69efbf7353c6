using VaeText.Data;
using VaeText.IO;
using VaeText.Trainers.FastTree;
using VaeText.Trainers.Sdca;
using VaeText.Transforms;

namespace VaeText.Trainers;

/// <summary>Options shared by the FastTree trainers (ML.NET parameter names; defaults in <see cref="FastTreeDefaults"/>).</summary>
public class FastTreeTrainerOptions
{
    /// <summary>Label column.</summary>
    public string LabelColumnName { get; set; } = "Label";
    /// <summary>Feature column (known-size Single vector).</summary>
    public string FeatureColumnName { get; set; } = "Features";
    /// <summary>Boosting rounds.</summary>
    public int NumberOfTrees { get; set; } = FastTreeDefaults.NumberOfTrees;
    /// <summary>Maximum leaves per tree (≥ 2).</summary>
    public int NumberOfLeaves { get; set; } = FastTreeDefaults.NumberOfLeaves;
    /// <summary>Minimum examples per leaf (≥ 1).</summary>
    public int MinimumExampleCountPerLeaf { get; set; } = FastTreeDefaults.MinimumExampleCountPerLeaf;
    /// <summary>Learning rate (&gt; 0).</summary>
    public double LearningRate { get; set; } = FastTreeDefaults.LearningRate;
    /// <summary>L2 penalty on leaf values (≥ 0).</summary>
    public double L2Regularization { get; set; }
    /// <summary>Maximum bins per feature (2..255).</summary>
    public int MaximumBinCountPerFeature { get; set; } = FastTreeDefaults.MaximumBinCountPerFeature;
    /// <summary>Fraction of features per tree, (0, 1].</summary>
    public double FeatureFraction { get; set; } = 1;
    /// <summary>Fraction of rows per bag, (0, 1]; 1 = no bagging.</summary>
    public double BaggingFraction { get; set; } = 1;
    /// <summary>Rounds between bag redraws (≥ 1).</summary>
    public int BaggingFrequency { get; set; } = 1;
    /// <summary>Seed (null = from the context).</summary>
    public int? Seed { get; set; }
    /// <summary>Threads (0 = all processors); results do not depend on it.</summary>
    public int NumberOfThreads { get; set; }

    internal GbdtOptions ToCore(int seed)
    {
        var o = new GbdtOptions
        {
            NumberOfTrees = NumberOfTrees, NumberOfLeaves = NumberOfLeaves, MinimumExampleCountPerLeaf = MinimumExampleCountPerLeaf,
            LearningRate = LearningRate, L2Regularization = L2Regularization, MaximumBinCountPerFeature = MaximumBinCountPerFeature,
            FeatureFraction = FeatureFraction, BaggingFraction = BaggingFraction, BaggingFrequency = BaggingFrequency,
            Seed = Seed ?? seed, NumberOfThreads = NumberOfThreads,
        };
        o.Validate();
        return o;
    }
}

/// <summary>Options of the SDCA trainers (ML.NET parameter names).</summary>
public class SdcaTrainerOptions
{
    /// <summary>Label column.</summary>
    public string LabelColumnName { get; set; } = "Label";
    /// <summary>Feature column (known-size Single vector).</summary>
    public string FeatureColumnName { get; set; } = "Features";
    /// <summary>L2 (λ); null = data-dependent default.</summary>
    public float? L2Regularization { get; set; }
    /// <summary>L1; null = data-dependent default.</summary>
    public float? L1Regularization { get; set; }
    /// <summary>Maximum passes; null = data-dependent default.</summary>
    public int? MaximumNumberOfIterations { get; set; }
    /// <summary>Relative duality-gap tolerance.</summary>
    public double ConvergenceTolerance { get; set; } = 0.01;
    /// <summary>Seed (null = from the context).</summary>
    public int? Seed { get; set; }

    internal SdcaOptions ToCore(int seed)
    {
        var o = new SdcaOptions
        {
            L2Regularization = L2Regularization, L1Regularization = L1Regularization, MaximumNumberOfIterations = MaximumNumberOfIterations,
            ConvergenceTolerance = ConvergenceTolerance, Seed = Seed ?? seed,
        };
        o.Validate();
        return o;
    }
}

/// <summary>FastTree binary classifier (logistic loss). Output: Score, PredictedLabel, Probability.</summary>
public sealed class FastTreeBinaryTrainer : TrainerEstimatorBase<BinaryPredictionTransformer>
{
    /// <summary>Options of <see cref="FastTreeBinaryTrainer"/>.</summary>
    public sealed class Options : FastTreeTrainerOptions { }
    private readonly GbdtOptions _o;
    internal FastTreeBinaryTrainer(Options o, int seed) : base(o.LabelColumnName, o.FeatureColumnName) { _o = o.ToCore(seed); }
    /// <inheritdoc/>
    protected override LabelKind Kind => LabelKind.Binary;
    /// <inheritdoc/>
    protected override bool UseSparseFeatures => false;
    /// <inheritdoc/>
    protected override bool ProducesProbability => true;
    /// <inheritdoc/>
    protected override ICanSaveModel TrainModel(TrainingData d) =>
        new FastTreeBinaryModel(GbdtTrainer.Train(d.Dense!, d.Rows, d.FeatureCount, d.Labels, GbdtTask.BinaryClassification, 2, _o).Model);
}

/// <summary>FastTree native multiclass classifier (softmax, one tree per class per round).</summary>
public sealed class FastTreeMulticlassTrainer : TrainerEstimatorBase<MulticlassPredictionTransformer>
{
    /// <summary>Options of <see cref="FastTreeMulticlassTrainer"/>.</summary>
    public sealed class Options : FastTreeTrainerOptions { }
    private readonly GbdtOptions _o;
    internal FastTreeMulticlassTrainer(Options o, int seed) : base(o.LabelColumnName, o.FeatureColumnName) { _o = o.ToCore(seed); }
    /// <inheritdoc/>
    protected override LabelKind Kind => LabelKind.Multiclass;
    /// <inheritdoc/>
    protected override bool UseSparseFeatures => false;
    /// <inheritdoc/>
    protected override ICanSaveModel TrainModel(TrainingData d) =>
        new FastTreeMulticlassModel(GbdtTrainer.Train(d.Dense!, d.Rows, d.FeatureCount, d.Labels, GbdtTask.MulticlassClassification, d.ClassCount, _o).Model);
}

/// <summary>FastTree regression (squared error).</summary>
public sealed class FastTreeRegressionTrainer : TrainerEstimatorBase<RegressionPredictionTransformer>
{
    /// <summary>Options of <see cref="FastTreeRegressionTrainer"/>.</summary>
    public sealed class Options : FastTreeTrainerOptions { }
    private readonly GbdtOptions _o;
    internal FastTreeRegressionTrainer(Options o, int seed) : base(o.LabelColumnName, o.FeatureColumnName) { _o = o.ToCore(seed); }
    /// <inheritdoc/>
    protected override LabelKind Kind => LabelKind.Regression;
    /// <inheritdoc/>
    protected override bool UseSparseFeatures => false;
    /// <inheritdoc/>
    protected override ICanSaveModel TrainModel(TrainingData d) =>
        new FastTreeRegressionModel(GbdtTrainer.Train(d.Dense!, d.Rows, d.FeatureCount, d.Labels, GbdtTask.Regression, 0, _o).Model);
}

/// <summary>SDCA logistic regression (binary, calibrated probabilities).</summary>
public sealed class SdcaLogisticRegressionBinaryTrainer : TrainerEstimatorBase<BinaryPredictionTransformer>
{
    /// <summary>Options of <see cref="SdcaLogisticRegressionBinaryTrainer"/>.</summary>
    public sealed class Options : SdcaTrainerOptions { }
    private readonly SdcaOptions _o;
    internal SdcaLogisticRegressionBinaryTrainer(Options o, int seed) : base(o.LabelColumnName, o.FeatureColumnName) { _o = o.ToCore(seed); }
    /// <inheritdoc/>
    protected override LabelKind Kind => LabelKind.Binary;
    /// <inheritdoc/>
    protected override bool UseSparseFeatures => true;
    /// <inheritdoc/>
    protected override bool ProducesProbability => true;
    /// <inheritdoc/>
    protected override ICanSaveModel TrainModel(TrainingData d) =>
        new SdcaBinaryModel(SdcaTrainer.TrainBinary(d.Sparse!, d.Labels.Select(y => y > 0).ToArray(), _o).Model);
}

/// <summary>SDCA maximum entropy (multinomial logistic regression).</summary>
public sealed class SdcaMaximumEntropyMulticlassTrainer : TrainerEstimatorBase<MulticlassPredictionTransformer>
{
    /// <summary>Options of <see cref="SdcaMaximumEntropyMulticlassTrainer"/>.</summary>
    public sealed class Options : SdcaTrainerOptions { }
    private readonly SdcaOptions _o;
    internal SdcaMaximumEntropyMulticlassTrainer(Options o, int seed) : base(o.LabelColumnName, o.FeatureColumnName) { _o = o.ToCore(seed); }
    /// <inheritdoc/>
    protected override LabelKind Kind => LabelKind.Multiclass;
    /// <inheritdoc/>
    protected override bool UseSparseFeatures => true;
    /// <inheritdoc/>
    protected override ICanSaveModel TrainModel(TrainingData d) =>
        new SdcaMulticlassModel(SdcaTrainer.TrainMulticlass(d.Sparse!, d.Labels.Select(y => (int)y).ToArray(), d.ClassCount, _o).Model);
}

/// <summary>One-versus-all: fits the binary estimator once per class (class k = true) on a Boolean label it derives.</summary>
public sealed class OneVersusAllTrainer : TrainerEstimatorBase<MulticlassPredictionTransformer>
{
    private readonly IEstimator<BinaryPredictionTransformer> _binary;
    private readonly string _binaryLabel;
    internal OneVersusAllTrainer(IEstimator<BinaryPredictionTransformer> binary, string labelColumnName, string featureColumnName, string binaryLabelColumnName)
        : base(labelColumnName, featureColumnName)
    {
        _binary = binary ?? throw new ArgumentNullException(nameof(binary));
        _binaryLabel = binaryLabelColumnName;
    }
    /// <inheritdoc/>
    protected override LabelKind Kind => LabelKind.Multiclass;
    /// <inheritdoc/>
    protected override bool UseSparseFeatures => false;
    /// <inheritdoc/>
    protected override ICanSaveModel TrainModel(TrainingData d)
    {
        var models = new IBinaryPredictor[d.ClassCount];
        for (int k = 0; k < d.ClassCount; k++)
        {
            int cls = k;
            var view = new ArrayDataView(d, _binaryLabel, FeatureColumnName, y => y == cls);
            models[k] = _binary.Fit(view).Model;
        }
        return new OneVersusAllModel(models);
    }
}
