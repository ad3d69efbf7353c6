using VaeText.Experiments;

namespace VaeText.Cli;

/// <summary>A fitted text-classification pipeline as the CLI uses it.</summary>
internal interface ITextPipelineModel
{
    /// <summary>Class names in score order.</summary>
    IReadOnlyList<string> Classes { get; }
    /// <summary>Label column the model was trained with.</summary>
    string LabelColumn { get; }
    /// <summary>Text column the model was trained with.</summary>
    string TextColumn { get; }
    /// <summary>Class probabilities for one text (length = Classes.Count).</summary>
    float[] Scores(string text);
    /// <summary>Class probabilities for many texts.</summary>
    float[][] ScoresMany(IReadOnlyList<string> texts);
    /// <summary>Latent means of texts ([rows][latent]); null when the model has no VAE.</summary>
    float[][]? LatentMeans(IReadOnlyList<string> texts);
    /// <summary>Top words per latent dimension; null when the model has no VAE.</summary>
    IReadOnlyList<IReadOnlyList<string>>? TopWords(int count);
    /// <summary>Saves the model zip to <paramref name="path"/> (the caller makes the write atomic).</summary>
    void Save(string path);
}

/// <summary>Training and loading of whole pipelines.</summary>
internal interface IModelBackend
{
    /// <summary>Loads a labelled TSV.</summary>
    LabeledTexts Load(string path, string labelColumn, string textColumn);
    /// <summary>Loads the text column only (labels absent or ignored).</summary>
    IReadOnlyList<string> LoadTexts(string path, string textColumn);
    /// <summary>Fits a pipeline.</summary>
    ITextPipelineModel Train(LabeledTexts data, string labelColumn, string textColumn, CandidateSpec spec, int seed, CliRunSettings settings,
        IProgress<VaeEpochPoint>? progress, CancellationToken ct);
    /// <summary>Loads a model zip; corrupt files raise a clear exception.</summary>
    ITextPipelineModel LoadModel(string path);
}

/// <summary>Creates the library-backed implementations (tests may substitute their own).</summary>
internal static class Backends
{
    /// <summary>Override for tests; null uses the library.</summary>
    internal static Func<IExperimentBackend>? ExperimentOverride { get; set; }
    /// <summary>Override for tests; null uses the library.</summary>
    internal static Func<IModelBackend>? ModelOverride { get; set; }

    public static IExperimentBackend CreateExperimentBackend(CliRunSettings? settings = null) => ExperimentOverride?.Invoke() ?? LibraryBackend.CreateExperiment(settings);

    public static IModelBackend CreateModelBackend() => ModelOverride?.Invoke() ?? LibraryBackend.CreateModel();
}
