using VaeText.Experiments;

namespace VaeText.Trainer;

/// <summary>The library-backed experiment and model backends.</summary>
internal static class LibraryBackend
{
    private const string Missing = "this build of vaetext lacks the VAE engine / pipeline components (not merged yet); the command cannot run.";

    public static IExperimentBackend CreateExperiment() => throw new CliException(Missing);

    public static IModelBackend CreateModel() => throw new CliException(Missing);
}
