using System.CommandLine;

namespace VaeText.Cli.Commands;

/// <summary><c>vaetext reconstruct</c>: each text encoded to its latent mean and written back by the LSTM decoder.</summary>
internal static class ReconstructCommand
{
    /// <summary>Standard input used when --text is absent (tests may replace it).</summary>
    internal static Func<TextReader> StandardInput { get; set; } = () => Console.In;

    public static Command Create(CliContext ctx)
    {
        var model = CliOptions.Model(true);
        var text = new Option<string?>("--text") { Description = "Text to reconstruct (default: one text per line of standard input).", HelpName = "TEXT" };
        var temperature = GenerativeModel.Temperature(0.0);
        var seed = CliOptions.IntInRange("--seed", "Random seed (used when --temperature > 0)", 1, 0, int.MaxValue);
        var json = CliOptions.Json();
        var cmd = new Command("reconstruct", "Encode a text (or each line of standard input) and decode it back with the VAE's LSTM decoder (needs a model trained with --decoder lstm).")
        {
            model, text, temperature, seed, json,
        };
        cmd.SetAction((pr, ct) => Task.Run(() =>
        {
            var vae = GenerativeModel.Load(pr.GetValue(model));
            double t = pr.GetValue(temperature);
            int s = pr.GetValue(seed);
            bool asJson = pr.GetValue(json);
            void One(string input)
            {
                var output = vae.Reconstruct(input, t, s);
                ctx.Out.WriteLine(asJson ? JsonLine.Object(("text", input), ("reconstruction", output)) : output);
            }
            if (pr.GetValue(text) is { } single) One(single);
            else
            {
                var reader = StandardInput();
                string? line;
                while ((line = reader.ReadLine()) is not null)
                {
                    ct.ThrowIfCancellationRequested();
                    One(line);
                }
            }
            ctx.Out.Flush();
            return ExitCodes.Ok;
        }, ct));
        return cmd;
    }
}
