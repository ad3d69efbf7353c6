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
            using var fitted = SavedModel.Load(Inputs.ExistingFile(pr.GetValue(model), "--model"));
            bool asJson = pr.GetValue(json);
            void One(string t)
            {
                var (label, scores) = fitted.Predict(fitted.TextView([t]))[0];
                if (asJson)
                {
                    // Scores as ML.NET computed them (single precision, written exactly).
                    var dict = new Dictionary<string, object?>(StringComparer.Ordinal);
                    for (int c = 0; c < scores.Length; c++) dict[fitted.Classes[c]] = scores[c];
                    ctx.Out.WriteLine(JsonLine.Object(("text", t), ("label", label), ("scores", dict)));
                }
                else
                {
                    var parts = Enumerable.Range(0, scores.Length).OrderByDescending(c => scores[c]).Take(5)
                        .Select(c => fitted.Classes[c] + "=" + scores[c].ToString("F3", CultureInfo.InvariantCulture));
                    ctx.Out.WriteLine(label + "\t" + string.Join(" ", parts));
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
