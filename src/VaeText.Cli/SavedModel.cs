using Microsoft.ML;
using Microsoft.ML.Data;

namespace VaeText.Cli;

/// <summary>
/// A text classifier loaded from an ML.NET model zip (<c>mlContext.Model.Load</c>) as the commands use it: the text
/// column it reads, the label column it was trained with, its classes in score order, and per-text class
/// probabilities. Multiclass models have a <c>Score</c> vector whose slot names are the classes; binary models
/// (FastTree with two classes) have a scalar <c>Probability</c> of the second class. Files that are not ML.NET model
/// zips, and files of earlier VaeText versions, are refused with one line saying what to do.
/// </summary>
internal sealed class SavedModel : IDisposable
{
    /// <summary>The ML.NET context the model was loaded in.</summary>
    public MLContext Ml { get; }
    /// <summary>The loaded chain.</summary>
    public ITransformer Model { get; }
    /// <summary>The input schema saved with the model.</summary>
    public DataViewSchema InputSchema { get; }
    /// <summary>The input column the model reads.</summary>
    public string TextColumn { get; }
    /// <summary>The other input column of the training data (the label), or "label".</summary>
    public string LabelColumn { get; }
    /// <summary>Classes in score order.</summary>
    public IReadOnlyList<string> Classes { get; }
    /// <summary>True for a binary model (scalar Probability of <c>Classes[1]</c>).</summary>
    public bool Binary { get; }

    private SavedModel(MLContext ml, ITransformer model, DataViewSchema inputSchema, string textColumn, string labelColumn, IReadOnlyList<string> classes, bool binary)
    {
        Ml = ml; Model = model; InputSchema = inputSchema; TextColumn = textColumn; LabelColumn = labelColumn; Classes = classes; Binary = binary;
    }

    /// <summary>Loads a model file, checking that it is a text classifier; throws <see cref="CliException"/> with one line otherwise.</summary>
    public static SavedModel Load(string path, int seed = 1)
    {
        var ml = new MLContext(seed);
        var (model, schema) = LoadTransformer(ml, path);
        try { return Check(ml, model, schema, path); }
        catch
        {
            (model as IDisposable)?.Dispose();
            throw;
        }
    }

    /// <summary>
    /// Releases the loaded model. ML.NET's ONNX step writes the model's ONNX graph to a file in the temp folder when a
    /// zip is loaded and deletes it only when the model is disposed.
    /// </summary>
    public void Dispose() => (Model as IDisposable)?.Dispose();

    private static SavedModel Check(MLContext ml, ITransformer model, DataViewSchema schema, string path)
    {
        string name = Path.GetFileName(path);
        var inputs = schema.Where(c => !c.IsHidden).ToList();
        var needed = inputs.Where(c => !Works(model, schema, c.Name)).ToList();
        if (needed.Count != 1 || needed[0].Type is not TextDataViewType)
            throw new CliException($"--model: '{name}' is an ML.NET model but not a vaetext text classifier (it should read one text column; it needs {(needed.Count == 0 ? "no input column" : string.Join(", ", needed.Select(c => c.Name + " (" + c.Type + ")")))}).");
        string text = needed[0].Name;
        string label = inputs.Where(c => c.Name != text).Select(c => c.Name).FirstOrDefault() ?? "label";
        DataViewSchema output;
        try { output = model.GetOutputSchema(schema); }
        catch (Exception e) when (e is ArgumentException or InvalidOperationException)
        { throw new CliException($"--model: '{name}' cannot be applied to its own input schema: {Cli.OneLine(e.Message)}"); }
        if (output.GetColumnOrNull("PredictedLabel") is not { Type: TextDataViewType })
            throw new CliException($"--model: '{name}' is an ML.NET model but not a vaetext text classifier (no text PredictedLabel column).");
        if (output.GetColumnOrNull("Score") is { Type: VectorDataViewType { Size: > 0 } vt } score && vt.ItemType == NumberDataViewType.Single)
        {
            VBuffer<ReadOnlyMemory<char>> names = default;
            if (score.Annotations.Schema.GetColumnOrNull("SlotNames") is null)
                throw new CliException($"--model: '{name}': the Score column has no class names (slot names).");
            score.Annotations.GetValue("SlotNames", ref names);
            var classes = names.DenseValues().Select(n => n.ToString()).ToArray();
            return new SavedModel(ml, model, schema, text, label, classes, binary: false);
        }
        if (output.GetColumnOrNull("Probability") is { Type: NumberDataViewType })
            return new SavedModel(ml, model, schema, text, label, BinaryClasses(ml, Pipelines.TextClassifierPipeline.Steps(model).Last(), name), binary: true);
        throw new CliException($"--model: '{name}' is an ML.NET model but not a vaetext text classifier (no Score vector or Probability column).");
    }

    /// <summary>Does the model accept its input schema without column <paramref name="column"/>?</summary>
    private static bool Works(ITransformer model, DataViewSchema schema, string column)
    {
        var b = new DataViewSchema.Builder();
        foreach (var c in schema) if (!c.IsHidden && c.Name != column) b.AddColumn(c.Name, c.Type, c.Annotations);
        try { model.GetOutputSchema(b.ToSchema()); return true; }
        catch (Exception e) when (e is ArgumentException or InvalidOperationException) { return false; }
    }

    /// <summary>A binary model's class names: what its last step (PredictedLabel Boolean → text) maps false and true to.</summary>
    private static string[] BinaryClasses(MLContext ml, ITransformer last, string name)
    {
        try
        {
            var probe = ml.Data.LoadFromEnumerable(new[] { new BoolRow { PredictedLabel = false }, new BoolRow { PredictedLabel = true } });
            var names = last.Transform(probe).GetColumn<string>("PredictedLabel").ToArray();
            if (names.Length == 2 && names[0] != names[1]) return names;
        }
        catch (Exception e) when (e is ArgumentException or InvalidOperationException or InvalidCastException) { }
        throw new CliException($"--model: '{name}' is a binary ML.NET model but its class names cannot be read (the last step should map PredictedLabel to the class name).");
    }

    private sealed class BoolRow
    {
        public bool PredictedLabel { get; set; }
    }

    /// <summary>Loads an ML.NET model zip; what cannot be read gives one line (<see cref="Pipelines.ModelFile"/>).</summary>
    public static (ITransformer Model, DataViewSchema InputSchema) LoadTransformer(MLContext ml, string path)
    {
        try { return Pipelines.ModelFile.Load(ml, path); }
        catch (InvalidDataException e) { throw new CliException("--model: " + Cli.OneLine(e.Message)); }
    }

    /// <summary>Data view of texts in the model's text column.</summary>
    public IDataView TextView(IEnumerable<string> texts)
    {
        var def = SchemaDefinition.Create(typeof(TextRow));
        def[0].ColumnName = TextColumn;
        return Ml.Data.LoadFromEnumerable(texts.Select(t => new TextRow { Text = t }), def);
    }

    private sealed class TextRow
    {
        public string Text { get; set; } = "";
    }

    /// <summary>Predicted label and class probabilities (in <see cref="Classes"/> order) of each row of <paramref name="data"/>.</summary>
    public List<(string Label, float[] Probabilities)> Predict(IDataView data)
    {
        var output = Model.Transform(data);
        var labels = output.GetColumn<string>("PredictedLabel");
        var result = new List<(string, float[])>();
        if (Binary)
        {
            foreach (var (l, p) in labels.Zip(output.GetColumn<float>("Probability"))) result.Add((l, [1 - p, p]));
        }
        else
        {
            foreach (var (l, s) in labels.Zip(output.GetColumn<float[]>("Score"))) result.Add((l, s));
        }
        return result;
    }
}
