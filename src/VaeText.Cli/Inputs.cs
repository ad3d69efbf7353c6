namespace VaeText.Cli;

/// <summary>Checks of user-given paths before any work starts.</summary>
internal static class Inputs
{
    /// <summary>Requires an existing file; returns its full path.</summary>
    public static string ExistingFile(string? path, string option)
    {
        if (string.IsNullOrWhiteSpace(path)) throw new CliException($"{option}: a file path is required.", ExitCodes.Usage);
        if (Directory.Exists(path)) throw new CliException($"{option}: '{path}' is a folder, expected a file.");
        if (!File.Exists(path)) throw new CliException($"{option}: file not found: {path}");
        return Path.GetFullPath(path);
    }

    /// <summary>Requires that an output file's folder exists and the path is not a folder; returns its full path.</summary>
    public static string OutputFile(string? path, string option)
    {
        if (string.IsNullOrWhiteSpace(path)) throw new CliException($"{option}: an output path is required.", ExitCodes.Usage);
        string full;
        try { full = Path.GetFullPath(path); }
        catch (Exception e) when (e is ArgumentException or NotSupportedException or PathTooLongException)
        { throw new CliException($"{option}: '{path}' is not a valid path."); }
        if (Directory.Exists(full)) throw new CliException($"{option}: '{path}' is a folder, expected a file name.");
        var dir = Path.GetDirectoryName(full);
        if (dir is not null && !Directory.Exists(dir)) throw new CliException($"{option}: folder does not exist: {dir}");
        return full;
    }

    /// <summary>Requires an output folder path whose parent exists and that is not a file; returns its full path.</summary>
    public static string OutputFolder(string? path, string option)
    {
        if (string.IsNullOrWhiteSpace(path)) throw new CliException($"{option}: an output folder is required.", ExitCodes.Usage);
        var full = Path.GetFullPath(path);
        if (File.Exists(full)) throw new CliException($"{option}: '{path}' is a file, expected a folder.");
        var parent = Path.GetDirectoryName(full.TrimEnd(Path.DirectorySeparatorChar));
        if (parent is not null && !Directory.Exists(parent)) throw new CliException($"{option}: parent folder does not exist: {parent}");
        return full;
    }

    /// <summary>
    /// Opens a labelled data file for a saved model: the text column (default: the model's) loaded under the model's
    /// text column name, the label column (default: the model's) under its own name.
    /// </summary>
    public static (Microsoft.ML.IDataView View, string Label, string Text) LabeledData(SavedModel model, string path, string? separator,
        string? labelColumn, string? textColumn, CancellationToken ct)
    {
        var file = Pipelines.DelimitedTextFile.Open(path, separator, ct);
        int ti = file.ColumnIndex(textColumn ?? model.TextColumn, "--text-col");
        int li = file.ColumnIndex(labelColumn ?? model.LabelColumn, "--label-col");
        if (li == ti) throw new CliException($"--label-col and --text-col both name the column '{file.Header[ti]}'.", ExitCodes.Usage);
        string label = file.Header[li] == model.TextColumn ? "__label" : file.Header[li];
        return (file.Load(model.Ml, (label, li), (model.TextColumn, ti)), label, model.TextColumn);
    }
}
