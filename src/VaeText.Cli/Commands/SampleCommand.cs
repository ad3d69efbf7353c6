using System.CommandLine;

namespace VaeText.Cli.Commands;

/// <summary><c>vaetext sample</c>: texts written by the VAE's LSTM decoder from latent codes drawn from the prior.</summary>
internal static class SampleCommand
{
    public static Command Create(CliContext ctx)
    {
        var model = CliOptions.Model(true);
        var count = CliOptions.IntInRange("--count", "Texts to write", 5, 1, 100_000);
        var temperature = GenerativeModel.Temperature(1.0);
        var seed = CliOptions.IntInRange("--seed", "Random seed", 1, 0, int.MaxValue);
        var json = CliOptions.Json();
        var cmd = new Command("sample", "Write new texts with the VAE's LSTM decoder from random latent codes (needs a model trained with --decoder lstm).")
        {
            model, count, temperature, seed, json,
        };
        cmd.SetAction((pr, ct) => Task.Run(() =>
        {
            var vae = GenerativeModel.Load(pr.GetValue(model));
            int n = pr.GetValue(count);
            var texts = vae.Sample(n, pr.GetValue(temperature), pr.GetValue(seed));
            ct.ThrowIfCancellationRequested();
            if (pr.GetValue(json)) ctx.Out.WriteLine(JsonLine.Object(("samples", texts.ToArray())));
            else foreach (var t in texts) ctx.Out.WriteLine(t);
            ctx.Out.Flush();
            return ExitCodes.Ok;
        }, ct));
        return cmd;
    }
}
