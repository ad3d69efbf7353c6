using System.CommandLine;
using System.Globalization;

namespace VaeText.Cli.Commands;

/// <summary><c>vaetext predict</c>: label and scores of one text or of each standard-input line.</summary>
internal static class PredictCommand
{
    /// <summary>Standard input used when --text is absent (tests may replace it).</summary>
    internal static Func<TextReader> StandardInput { get; set; } = () => Console.In;

    public static Command Create(CliContext ctx)
    {
        var model = CliOptions.Model(true);
        var text = new Option<string?>("--text") { Description = "Text to classify (default: one text per line of standard input).", HelpName = "TEXT" };
        var json = CliOptions.Json();
        var cmd = new Command("predict", "Predict the label of a text, or of each line of standard input.") { model, text, json };
        cmd.SetAction((pr, ct) => Task.Run(() =>
        {
            var fitted = Backends.CreateModelBackend().LoadModel(Inputs.ExistingFile(pr.GetValue(model), "--model"));
            bool asJson = pr.GetValue(json);
            void One(string t)
            {
                var scores = fitted.Scores(t);
                int arg = 0;
                for (int c = 1; c < scores.Length; c++) if (scores[c] > scores[arg]) arg = c;
                if (asJson)
                {
                    var dict = new Dictionary<string, object?>(StringComparer.Ordinal);
                    for (int c = 0; c < scores.Length; c++) dict[fitted.Classes[c]] = Math.Round(scores[c], 6);
                    ctx.Out.WriteLine(JsonLine.Object(("text", t), ("label", fitted.Classes[arg]), ("scores", dict)));
                }
                else
                {
                    var parts = Enumerable.Range(0, scores.Length).OrderByDescending(c => scores[c]).Take(5)
                        .Select(c => fitted.Classes[c] + "=" + scores[c].ToString("F3", CultureInfo.InvariantCulture));
                    ctx.Out.WriteLine(fitted.Classes[arg] + "\t" + string.Join(" ", parts));
                }
            }
            if (pr.GetValue(text) is { } single) { One(single); return ExitCodes.Ok; }
            var reader = StandardInput();
            string? line;
            while ((line = reader.ReadLine()) is not null)
            {
                ct.ThrowIfCancellationRequested();
                One(line);
            }
            ctx.Out.Flush();
            return ExitCodes.Ok;
        }, ct));
        return cmd;
    }
}
