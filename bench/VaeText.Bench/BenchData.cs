using Microsoft.ML;
using Microsoft.ML.Data;
using VaeText.Pipelines;

namespace VaeText.Bench;

/// <summary>A labelled TSV/CSV (columns "label" and "text") read as vaetext reads it: checked, then ML.NET's TextLoader.</summary>
internal sealed record BenchData(string[] Texts, string[] Labels)
{
    public int Count => Texts.Length;

    public static BenchData Load(string path)
    {
        var file = DelimitedTextFile.Open(path);
        var view = file.Load(new MLContext(1), ("label", file.ColumnIndex("label", "label")), ("text", file.ColumnIndex("text", "text")));
        return new BenchData(view.GetColumn<string>("text").ToArray(), view.GetColumn<string>("label").ToArray());
    }
}
