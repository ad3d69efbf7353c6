namespace VaeText.Experiments;

/// <summary>A labelled text table as loaded for an experiment.</summary>
internal sealed record LabeledTexts(IReadOnlyList<string> Texts, IReadOnlyList<string> Labels);

/// <summary>Features of one document set, produced and understood by one backend (opaque to the runner).</summary>
internal interface IFeatureTable
{
    /// <summary>Number of rows (documents).</summary>
    int Rows { get; }
}

/// <summary>A trained VAE as the runner sees it.</summary>
internal interface ITrainedVae
{
    /// <summary>Latent-mean features of the training texts.</summary>
    IFeatureTable Train { get; }
    /// <summary>Latent-mean features of the test texts (null under cross-validation).</summary>
    IFeatureTable? Test { get; }
    /// <summary>Latent means of the given rows of the evaluation set (test set, or training set without one): [rows][latent].</summary>
    IReadOnlyList<float[]> EvaluationMeans(IReadOnlyList<int> rows);
    /// <summary>Top <paramref name="count"/> words per latent dimension.</summary>
    IReadOnlyList<IReadOnlyList<string>> TopWords(int count);
}

/// <summary>A fitted classifier over one feature table's columns.</summary>
internal interface IFittedClassifier
{
}

/// <summary>
/// The components a comparison run needs: loading, featurizers, trainers, model saving. The runner holds only
/// orchestration (candidates, VAE reuse, low-label draws, budget, aggregation); everything numeric lives here.
/// </summary>
internal interface IExperimentBackend
{
    /// <summary>Loads a labelled TSV; throws a clear exception naming the file, column or line on bad input.</summary>
    LabeledTexts Load(string path, string labelColumn, string textColumn);

    /// <summary>Fits the n-gram featurizer on the training texts; returns train (and test) features.</summary>
    (IFeatureTable Train, IFeatureTable? Test) FitNgrams(IReadOnlyList<string> train, IReadOnlyList<string>? test, CancellationToken ct);

    /// <summary>Trains a VAE on the training texts (labels unused) and encodes train (and test) texts.</summary>
    ITrainedVae TrainVae(IReadOnlyList<string> train, IReadOnlyList<string>? test, VaeSettings settings, int seed,
        IProgress<VaeEpochPoint>? progress, CancellationToken ct);

    /// <summary>Concatenates two feature tables row by row (same rows).</summary>
    IFeatureTable Concatenate(IFeatureTable left, IFeatureTable right);

    /// <summary>Fits a classifier on the given rows of <paramref name="features"/>.</summary>
    IFittedClassifier Fit(TrainerKind trainer, IFeatureTable features, IReadOnlyList<int> rows, IReadOnlyList<int> labels,
        int classCount, int seed, CancellationToken ct);

    /// <summary>Predicted class indices for the given rows (all rows when null).</summary>
    int[] Predict(IFittedClassifier model, IFeatureTable features, IReadOnlyList<int>? rows);

    /// <summary>Saves the candidate's whole pipeline (featurizers + classifier) as a model file at <paramref name="path"/>.</summary>
    void SaveModel(string path, CandidateSpec spec, IFeatureTable trainFeatures, IFittedClassifier model, IReadOnlyList<string> classes);
}
