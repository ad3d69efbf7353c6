using System.CommandLine;
using System.Globalization;

namespace VaeText.Cli;

/// <summary>Option factories shared by the commands, with their validation.</summary>
internal static class CliOptions
{
    public static Option<string> Dataset(bool required, string description = "Labelled TSV or CSV file (header row naming the label and text columns).") =>
        new("--dataset") { Description = description, Required = required, HelpName = "TSV" };

    /// <summary>--separator: the field separator of data files (default by extension: .csv comma, otherwise tab).</summary>
    public static Option<string?> Separator() =>
        new("--separator") { Description = "Field separator of the data file: tab, comma, semicolon, pipe or one character (default: comma for .csv files, tab otherwise; quoting is on for every separator but tab).", HelpName = "SEP" };

    public static Option<string> LabelCol() => new("--label-col") { Description = "Name of the label column.", DefaultValueFactory = _ => "label", HelpName = "NAME" };

    public static Option<string> TextCol() => new("--text-col") { Description = "Name of the text column.", DefaultValueFactory = _ => "text", HelpName = "NAME" };

    public static Option<string?> OptionalCol(string name, string description) => new(name) { Description = description, HelpName = "NAME" };

    public static Option<string> Model(bool mustExist) =>
        new("--model") { Description = mustExist ? "Model zip written by 'vaetext train' or 'vaetext compare'." : "Output model zip.", Required = true, HelpName = "ZIP" };

    public static Option<bool> Json() => new("--json") { Description = "Write machine-readable JSON to standard output." };

    public static Option<int> IntInRange(string name, string description, int defaultValue, int min, int max, string helpName = "N")
    {
        var o = new Option<int>(name) { Description = description + $" ({min}–{max}, default {defaultValue}).", DefaultValueFactory = _ => defaultValue, HelpName = helpName };
        o.Validators.Add(r =>
        {
            if (!TryGet(r, out int v)) return;
            if (v < min || v > max) r.AddError($"{name} must be between {min} and {max} (got {v}).");
        });
        return o;
    }

    public static Option<string> Choice(string name, string description, string defaultValue, params string[] values)
    {
        var o = new Option<string>(name) { Description = description, DefaultValueFactory = _ => defaultValue, HelpName = string.Join('|', values) };
        o.Validators.Add(r =>
        {
            if (!TryGet(r, out string? v)) return;
            if (v is null || !values.Contains(v, StringComparer.OrdinalIgnoreCase))
                r.AddError($"{name} must be one of {string.Join(", ", values)} (got '{v}').");
        });
        return o;
    }

    /// <summary>--encoder bow|lstm|transformer: the VAE's encoder (VaeLatentEstimator.Options.Encoder).</summary>
    public static Option<string> Encoder() => Choice("--encoder",
        "VAE encoder: bag-of-words MLP (bow), LSTM over the first tokens (lstm) or Transformer encoder (transformer); sequence encoders are much slower.",
        "bow", "bow", "lstm", "transformer");

    public static Option<string> Decoder() => Choice("--decoder",
        "VAE decoder: bag-of-words softmax (bow) or an LSTM that rewrites the text word by word (lstm; needs --encoder lstm or transformer; enables 'vaetext sample' and 'vaetext reconstruct').",
        "bow", "bow", "lstm");

    /// <summary>A positive finite number option with a default.</summary>
    public static Option<double> PositiveNumber(string name, string description, double defaultValue, string helpName = "X")
    {
        var o = new Option<double>(name) { Description = description + $" (default {defaultValue.ToString(CultureInfo.InvariantCulture)}).", DefaultValueFactory = _ => defaultValue, HelpName = helpName };
        o.Validators.Add(r =>
        {
            if (!TryGet(r, out double v)) return;
            if (!(v > 0) || !double.IsFinite(v)) r.AddError($"{name} must be a positive number (got {v.ToString(CultureInfo.InvariantCulture)}).");
        });
        return o;
    }

    public static Option<double?> TimeBudget()
    {
        var o = new Option<double?>("--time-budget") { Description = "Wall-clock budget for the whole run, in seconds: VAE training and a classifier fit that has started are stopped, and candidates not started in time are listed as skipped.", HelpName = "SECONDS" };
        o.Validators.Add(r =>
        {
            if (!TryGet(r, out double? v)) return;
            if (v is double d && (!(d > 0) || !double.IsFinite(d))) r.AddError($"--time-budget must be a positive number of seconds (got {d.ToString(CultureInfo.InvariantCulture)}).");
        });
        return o;
    }

    /// <summary>Reads a parsed value; false when it did not convert (the parser reports that error itself).</summary>
    private static bool TryGet<T>(System.CommandLine.Parsing.OptionResult r, out T? value)
    {
        try { value = r.GetValueOrDefault<T>(); return true; }
        catch (InvalidOperationException) { value = default; return false; }
    }

    /// <summary>--labeled N[,N...]: positive sizes, or "all".</summary>
    public static Option<string?> Labeled() =>
        new("--labeled") { Description = "Labelled training documents per classifier: comma-separated sizes, 'all' for every label (default all).", HelpName = "N[,N...]" };

    /// <summary>Parses a --labeled value; throws <see cref="CliException"/> with a usage exit code.</summary>
    public static IReadOnlyList<int?> ParseLabeled(string? text)
    {
        if (string.IsNullOrWhiteSpace(text)) return new int?[] { null };
        var list = new List<int?>();
        foreach (var part in text.Split(',', StringSplitOptions.TrimEntries))
        {
            if (part.Equals("all", StringComparison.OrdinalIgnoreCase)) { list.Add(null); continue; }
            if (!int.TryParse(part, NumberStyles.Integer, CultureInfo.InvariantCulture, out int n) || n < 1)
                throw new CliException($"--labeled: '{part}' is not a positive integer or 'all' (got '{text}').", ExitCodes.Usage);
            list.Add(n);
        }
        return list;
    }
}
