using VaeText.Data;

namespace VaeText.Transforms;

/// <summary>
/// Base for trainer estimators (ML.NET's <c>TrainerEstimatorBase</c>). A trainer supplies <see cref="Kind"/>,
/// <see cref="UseSparseFeatures"/> and <see cref="TrainModel"/>; this base validates the label and feature columns
/// in <see cref="GetOutputSchema"/> (before any training), reads them with <see cref="TrainingData.Load"/> and wraps
/// the result in the matching prediction transformer (see <see cref="MakeTransformer"/>).
/// </summary>
/// <typeparam name="TTransformer">The prediction transformer type returned.</typeparam>
public abstract class TrainerEstimatorBase<TTransformer> : IEstimator<TTransformer> where TTransformer : class, ITransformer
{
    /// <summary>Label column name.</summary>
    public string LabelColumnName { get; }
    /// <summary>Feature column name.</summary>
    public string FeatureColumnName { get; }

    /// <summary>Sets the column names.</summary>
    protected TrainerEstimatorBase(string labelColumnName, string featureColumnName)
    {
        ArgumentException.ThrowIfNullOrEmpty(labelColumnName);
        ArgumentException.ThrowIfNullOrEmpty(featureColumnName);
        LabelColumnName = labelColumnName; FeatureColumnName = featureColumnName;
    }

    /// <summary>The task (decides label reading and output columns).</summary>
    protected abstract LabelKind Kind { get; }
    /// <summary>True to receive <see cref="TrainingData.Sparse"/>, false for <see cref="TrainingData.Dense"/>.</summary>
    protected abstract bool UseSparseFeatures { get; }
    /// <summary>Trains the model (an <see cref="IBinaryPredictor"/>, <see cref="IMulticlassPredictor"/> or <see cref="IRegressionPredictor"/>).</summary>
    protected abstract IO.ICanSaveModel TrainModel(TrainingData data);
    /// <summary>True when the binary model will be calibrated (promises a Probability column).</summary>
    protected virtual bool ProducesProbability => false;
    /// <summary>Wraps the trained model (default: the standard prediction transformer of <see cref="Kind"/>).</summary>
    protected virtual TTransformer MakeTransformer(IO.ICanSaveModel model, TrainingData data)
    {
        ITransformer t = Kind switch
        {
            LabelKind.Binary => new BinaryPredictionTransformer((IBinaryPredictor)model, FeatureColumnName),
            LabelKind.Multiclass => new MulticlassPredictionTransformer((IMulticlassPredictor)model, FeatureColumnName,
                data.ClassNames ?? Enumerable.Range(1, data.ClassCount).Select(i => i.ToString(System.Globalization.CultureInfo.InvariantCulture)).ToArray()),
            _ => new RegressionPredictionTransformer((IRegressionPredictor)model, FeatureColumnName),
        };
        return (TTransformer)t;
    }

    /// <inheritdoc/>
    public SchemaShape GetOutputSchema(SchemaShape inputSchema)
    {
        ArgumentNullException.ThrowIfNull(inputSchema);
        TrainingData.CheckLabel(inputSchema, LabelColumnName, Kind);
        TrainingData.CheckFeatures(inputSchema, FeatureColumnName);
        var cols = inputSchema.ToList();
        switch (Kind)
        {
            case LabelKind.Binary:
                cols.Add(new SchemaShape.Column("Score", SchemaShape.VectorKind.Scalar, NumberDataViewType.Single, false));
                cols.Add(new SchemaShape.Column("PredictedLabel", SchemaShape.VectorKind.Scalar, BooleanDataViewType.Instance, false));
                if (ProducesProbability) cols.Add(new SchemaShape.Column("Probability", SchemaShape.VectorKind.Scalar, NumberDataViewType.Single, false));
                break;
            case LabelKind.Multiclass:
                cols.Add(new SchemaShape.Column("Score", SchemaShape.VectorKind.Vector, NumberDataViewType.Single, false, [AnnotationUtils.SlotNames]));
                cols.Add(new SchemaShape.Column("PredictedLabel", SchemaShape.VectorKind.Scalar, null, true, [AnnotationUtils.KeyValues]));
                break;
            default:
                cols.Add(new SchemaShape.Column("Score", SchemaShape.VectorKind.Scalar, NumberDataViewType.Single, false));
                break;
        }
        return new SchemaShape(cols);
    }

    /// <inheritdoc/>
    public TTransformer Fit(IDataView input)
    {
        ArgumentNullException.ThrowIfNull(input);
        GetOutputSchema(SchemaShape.Create(input.Schema));
        var data = TrainingData.Load(input, LabelColumnName, FeatureColumnName, Kind, UseSparseFeatures);
        return MakeTransformer(TrainModel(data), data);
    }
}
