using System.Text.Json;

namespace VaeText.Experiments;

/// <summary>
/// Writes results.json. Schema (stable, snake_case):
/// <code>
/// { "dataset": str, "test_dataset": str|null, "evaluation": str, "classes": [str], "train_documents": n,
///   "test_documents": n, "time_budget_seconds": s|null, "total_seconds": s,
///   "best": {"pipeline", "labels", "accuracy_mean"} | null,
///   "candidates": [{ "rank", "pipeline", "featurizer": "ngrams"|"vae"|"both", "trainer": "sdca"|"fasttree",
///                    "latent": n|null, "vae_epochs": n|null, "encoder": "bow"|"lstm"|"transformer"|null,
///                    "labels": n|null (null = all), "seeds": k (1 for all labels: every seed has the same labelled set),
///                    "accuracy_mean", "accuracy_std", "accuracies": [..], "macro_accuracy_mean", "macro_accuracy_std",
///                    "fit_seconds", "featurizer_seconds", "classifier_seconds_mean",
///                    "peak_memory_mb" (the candidate's own peak working set above the level before it: the larger of its
///                    featurizer fit, measured once when it ran, and its classifier fits), "status" }],
///   "vae_runs": [{ "latent", "epochs", "seconds", "curve": [{"epoch","reconstruction","kl","neg_elbo"}],
///                  "top_words": [[str]] }] }
/// </code>
/// Accuracies are fractions in [0, 1]; fit_seconds = featurizer_seconds + classifier_seconds_mean.
/// </summary>
internal static class ResultsJson
{
    /// <summary>Serialises the report to UTF-8 JSON bytes.</summary>
    public static byte[] Serialize(ComparisonReport report)
    {
        using var ms = new MemoryStream();
        using (var w = new Utf8JsonWriter(ms, new JsonWriterOptions { Indented = true }))
        {
            w.WriteStartObject();
            w.WriteString("dataset", report.Dataset);
            if (report.TestDataset is null) w.WriteNull("test_dataset"); else w.WriteString("test_dataset", report.TestDataset);
            w.WriteString("evaluation", report.Evaluation);
            w.WriteStartArray("classes");
            foreach (var c in report.Classes) w.WriteStringValue(c);
            w.WriteEndArray();
            w.WriteNumber("train_documents", report.TrainCount);
            w.WriteNumber("test_documents", report.TestCount);
            if (report.TimeBudgetSeconds is double b) w.WriteNumber("time_budget_seconds", b); else w.WriteNull("time_budget_seconds");
            w.WriteNumber("total_seconds", Round(report.TotalSeconds));
            w.WriteString("finished_utc", report.FinishedUtc.ToString("O", System.Globalization.CultureInfo.InvariantCulture));
            if (report.Best is { } best)
            {
                w.WriteStartObject("best");
                w.WriteString("pipeline", best.Spec.Name);
                WriteLabels(w, best.Labels);
                w.WriteNumber("accuracy_mean", Round(best.AccuracyMean));
                w.WriteEndObject();
            }
            else w.WriteNull("best");
            w.WriteStartArray("candidates");
            foreach (var r in report.Candidates)
            {
                w.WriteStartObject();
                w.WriteNumber("rank", r.Rank);
                w.WriteString("pipeline", r.Spec.Name);
                w.WriteString("featurizer", r.Spec.FeaturizerId);
                w.WriteString("trainer", r.Spec.TrainerId);
                if (r.Spec.Vae is { } v) { w.WriteNumber("latent", v.Latent); w.WriteNumber("vae_epochs", v.Epochs); w.WriteString("encoder", v.Encoder); }
                else { w.WriteNull("latent"); w.WriteNull("vae_epochs"); w.WriteNull("encoder"); }
                WriteLabels(w, r.Labels);
                w.WriteNumber("seeds", r.Seeds);
                WriteNumberOrNull(w, "accuracy_mean", r.Seeds > 0 ? r.AccuracyMean : null);
                WriteNumberOrNull(w, "accuracy_std", r.Seeds > 0 ? r.AccuracyStd : null);
                w.WriteStartArray("accuracies");
                foreach (var a in r.Accuracies) w.WriteNumberValue(Round(a));
                w.WriteEndArray();
                WriteNumberOrNull(w, "macro_accuracy_mean", r.Seeds > 0 ? r.MacroAccuracyMean : null);
                WriteNumberOrNull(w, "macro_accuracy_std", r.Seeds > 0 ? Stats.SampleStd(r.MacroAccuracies) : null);
                w.WriteNumber("fit_seconds", Round(r.FitSeconds));
                w.WriteNumber("featurizer_seconds", Round(r.FeaturizerSeconds));
                w.WriteNumber("classifier_seconds_mean", Round(r.ClassifierSeconds.Count == 0 ? 0 : Stats.Mean(r.ClassifierSeconds)));
                w.WriteNumber("peak_memory_mb", Round(r.PeakMemoryMb));
                w.WriteString("status", r.Status);
                w.WriteEndObject();
            }
            w.WriteEndArray();
            w.WriteStartArray("vae_runs");
            foreach (var run in report.VaeRuns)
            {
                w.WriteStartObject();
                w.WriteNumber("latent", run.Settings.Latent);
                w.WriteNumber("epochs", run.Settings.Epochs);
                w.WriteNumber("seconds", Round(run.Seconds));
                w.WriteStartArray("curve");
                foreach (var e in run.Epochs)
                {
                    w.WriteStartObject();
                    w.WriteNumber("epoch", e.Epoch);
                    WriteNumberOrNull(w, "reconstruction", e.Reconstruction);
                    WriteNumberOrNull(w, "kl", e.Kl);
                    WriteNumberOrNull(w, "neg_elbo", e.NegativeElbo);
                    w.WriteEndObject();
                }
                w.WriteEndArray();
                w.WriteStartArray("top_words");
                foreach (var words in run.TopWords)
                {
                    w.WriteStartArray();
                    foreach (var word in words) w.WriteStringValue(word);
                    w.WriteEndArray();
                }
                w.WriteEndArray();
                w.WriteEndObject();
            }
            w.WriteEndArray();
            w.WriteEndObject();
        }
        return ms.ToArray();
    }

    private static void WriteLabels(Utf8JsonWriter w, int? labels)
    {
        if (labels is int n) w.WriteNumber("labels", n); else w.WriteNull("labels");
    }

    private static void WriteNumberOrNull(Utf8JsonWriter w, string name, double? value)
    {
        if (value is double v && double.IsFinite(v)) w.WriteNumber(name, Round(v)); else w.WriteNull(name);
    }

    private static double Round(double v) => double.IsFinite(v) ? Math.Round(v, 6) : 0;
}
