using System.CommandLine;
using System.Globalization;
using VaeText.MLNet;

namespace VaeText.Cli.Commands;

/// <summary>Shared parts of <c>sample</c> and <c>reconstruct</c>: loading a zip whose VAE can write text, and --temperature.</summary>
internal static class GenerativeModel
{
    /// <summary>Loads a pipeline zip and returns its VAE step, which must have the LSTM decoder.</summary>
    public static VaeLatentTransformer Load(string? path)
    {
        string full = Inputs.ExistingFile(path, "--model");
        var (model, _) = SavedModel.LoadTransformer(new Microsoft.ML.MLContext(1), full);
        var vae = VaeLatentTransformer.Find(model)
            ?? throw new CliException($"--model: '{Path.GetFileName(full)}' has no VAE step (no VAE featurizer); writing text needs a VAE with an LSTM decoder.");
        if (!vae.CanGenerate)
            throw new CliException($"--model: the VAE in '{Path.GetFileName(full)}' has the {vae.Decoder} decoder (encoder {vae.Encoder}); writing text needs the LSTM decoder: train with --encoder lstm|transformer --decoder lstm.");
        return vae;
    }

    /// <summary>--temperature T: 0 = greedy, otherwise softmax(logits / T) sampling.</summary>
    public static Option<double> Temperature(double defaultValue)
    {
        var o = new Option<double>("--temperature")
        {
            Description = $"Sampling temperature: 0 = greedy (most likely word), 1 = the model's distribution, higher = more random (0–100, default {defaultValue.ToString(CultureInfo.InvariantCulture)}).",
            DefaultValueFactory = _ => defaultValue, HelpName = "T",
        };
        o.Validators.Add(r =>
        {
            double v;
            try { v = r.GetValueOrDefault<double>(); }
            catch (InvalidOperationException) { return; }
            if (!(v >= 0 && v <= 100)) r.AddError($"--temperature must be between 0 and 100 (got {v.ToString(CultureInfo.InvariantCulture)}).");
        });
        return o;
    }
}
