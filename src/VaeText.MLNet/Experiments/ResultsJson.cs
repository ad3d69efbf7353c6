using System.Text.Json;

namespace VaeText.Experiments;

/// <summary>
/// Writes results.json. Schema (stable, snake_case):
/// <code>
/// { "dataset": str, "test_dataset": str|null, "evaluation": str, "selection": str, "classes": [str],
///   "train_documents": n, "test_documents": n, "time_budget_seconds": s|null, "total_seconds": s,
///   "best": {"pipeline", "labels", "cv_accuracy", "accuracy_mean"} | null   (the selected pipeline of the largest labels setting),
///   "candidates": [{ "rank", "selected": bool, "pipeline", "featurizer": "featurize_text"|"ngrams"|"lda"|"vae"|"vae_ensemble"|"both"|"both_ensemble"|"embeddings"|"embeddings_vae",
///                    "trainer": "sdca"|"fasttree"|"lightgbm", "self_training": bool, "latent": n|null, "vae_epochs": n|null,
///                    "encoder": "bow"|"lstm"|"transformer"|null, "lda_topics": n|null,
///                    "labels": n|null (null = all), "seeds": k (1 for all labels: every seed has the same labelled set),
///                    "cv_accuracy": mean cross-validated accuracy on the labelled rows (the selection score) | null,
///                    "cv_accuracies": [..], "latent_weights": [..] (n-grams / embeddings ⊕ VAE: the weight chosen per seed),
///                    "accuracy_mean", "accuracy_std", "accuracies": [..] (test split; null / empty without one),
///                    "macro_accuracy_mean", "macro_accuracy_std",
///                    "fit_seconds", "featurizer_seconds", "classifier_seconds_mean",
///                    "peak_memory_mb" (the candidate's own peak working set above the level before it: the larger of its
///                    featurizer fit, measured once when it ran, and its classifier fits), "status" }],
///   "seed_selections": [{ "labels", "seed", "pipeline", "cv_accuracy", "test_accuracy" }]  (each draw's own pick),
///   "vae_runs": [{ "latent", "epochs", "encoder", "seconds", "curve": [{"epoch","reconstruction","kl","neg_elbo"}],
///                  "top_words": [[str]], "topic_npmi": [x|null], "mean_npmi": x|null }],
///   "lda_runs": [{ "topics", "top_words": [[str]], "topic_npmi": [x|null], "mean_npmi": x|null }],
///   "topic_coherence": str (how the NPMI figures were measured),
///   "embedding_runs": [{ "model", "description", "train_documents" (only the rows labelled draws use), "test_documents",
///                        "seconds", "documents_per_second", "peak_memory_mb" }]  (with a sentence-embedding model) }
/// </code>
/// topic_npmi[i] is the NPMI coherence of top_words[i] (the words of latent dimension or LDA topic i): the mean over
/// its word pairs of ln(p(a,b) / (p(a)p(b))) / −ln p(a,b), with document frequencies over the training texts;
/// mean_npmi is their mean.
/// Accuracies are fractions in [0, 1]; fit_seconds = featurizer_seconds + classifier_seconds_mean. Rows are ranked
/// within each labels setting by cv_accuracy; the rank-1 row has "selected": true.
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
            w.WriteString("selection", report.Selection);
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
                WriteNumberOrNull(w, "cv_accuracy", best.CvMean);
                WriteNumberOrNull(w, "accuracy_mean", best.HasTest ? best.AccuracyMean : null);
                w.WriteEndObject();
            }
            else w.WriteNull("best");
            w.WriteStartArray("candidates");
            foreach (var r in report.Candidates)
            {
                w.WriteStartObject();
                w.WriteNumber("rank", r.Rank);
                w.WriteBoolean("selected", r.Selected);
                w.WriteString("pipeline", r.Spec.Name);
                w.WriteString("featurizer", r.Spec.FeaturizerId);
                w.WriteString("trainer", r.Spec.TrainerId);
                w.WriteBoolean("self_training", r.Spec.SelfTrained);
                if (r.Spec.Vae is { } v) { w.WriteNumber("latent", v.Latent); w.WriteNumber("vae_epochs", v.Epochs); w.WriteString("encoder", v.Encoder); }
                else { w.WriteNull("latent"); w.WriteNull("vae_epochs"); w.WriteNull("encoder"); }
                if (r.Spec.Featurizer == FeaturizerKind.Lda) w.WriteNumber("lda_topics", r.Spec.Topics); else w.WriteNull("lda_topics");
                WriteLabels(w, r.Labels);
                w.WriteNumber("seeds", r.Seeds);
                WriteNumberOrNull(w, "cv_accuracy", r.Seeds > 0 ? r.CvMean : null);
                w.WriteStartArray("cv_accuracies");
                foreach (var a in r.CvAccuracies) if (double.IsFinite(a)) w.WriteNumberValue(Round(a)); else w.WriteNullValue();
                w.WriteEndArray();
                w.WriteStartArray("latent_weights");
                foreach (var a in r.LatentWeights) w.WriteNumberValue(Round(a));
                w.WriteEndArray();
                WriteNumberOrNull(w, "accuracy_mean", r.HasTest ? r.AccuracyMean : null);
                WriteNumberOrNull(w, "accuracy_std", r.HasTest ? r.AccuracyStd : null);
                w.WriteStartArray("accuracies");
                foreach (var a in r.Accuracies) w.WriteNumberValue(Round(a));
                w.WriteEndArray();
                WriteNumberOrNull(w, "macro_accuracy_mean", r.HasTest ? r.MacroAccuracyMean : null);
                WriteNumberOrNull(w, "macro_accuracy_std", r.HasTest ? Stats.SampleStd(r.MacroAccuracies) : null);
                w.WriteNumber("fit_seconds", Round(r.FitSeconds));
                w.WriteNumber("featurizer_seconds", Round(r.FeaturizerSeconds));
                w.WriteNumber("classifier_seconds_mean", Round(r.ClassifierSeconds.Count == 0 ? 0 : Stats.Mean(r.ClassifierSeconds)));
                w.WriteNumber("peak_memory_mb", Round(r.PeakMemoryMb));
                w.WriteString("status", r.Status);
                w.WriteEndObject();
            }
            w.WriteEndArray();
            w.WriteStartArray("seed_selections");
            foreach (var sel in report.SeedSelections)
            {
                w.WriteStartObject();
                WriteLabels(w, sel.Labels);
                w.WriteNumber("seed", sel.Seed);
                w.WriteString("pipeline", sel.Pipeline);
                WriteNumberOrNull(w, "cv_accuracy", sel.CvAccuracy);
                WriteNumberOrNull(w, "test_accuracy", sel.TestAccuracy);
                w.WriteEndObject();
            }
            w.WriteEndArray();
            w.WriteStartArray("vae_runs");
            foreach (var run in report.VaeRuns)
            {
                w.WriteStartObject();
                w.WriteNumber("latent", run.Settings.Latent);
                w.WriteNumber("epochs", run.Settings.Epochs);
                w.WriteString("encoder", run.Settings.Encoder);
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
                WriteTopics(w, run.TopWords, run.Coherence);
                w.WriteEndObject();
            }
            w.WriteEndArray();
            w.WriteStartArray("lda_runs");
            foreach (var lda in report.LdaRuns)
            {
                w.WriteStartObject();
                w.WriteNumber("topics", lda.Topics);
                WriteTopics(w, lda.TopWords, lda.Coherence);
                w.WriteEndObject();
            }
            w.WriteEndArray();
            w.WriteString("topic_coherence", TopicCoherence.Description);
            w.WriteStartArray("embedding_runs");
            foreach (var run in report.EmbeddingRuns)
            {
                w.WriteStartObject();
                w.WriteString("model", run.Model);
                w.WriteString("description", run.Description);
                w.WriteNumber("train_documents", run.TrainDocuments);
                w.WriteNumber("test_documents", run.TestDocuments);
                w.WriteNumber("seconds", Round(run.Seconds));
                WriteNumberOrNull(w, "documents_per_second", run.DocumentsPerSecond);
                w.WriteNumber("peak_memory_mb", Round(run.PeakMemoryMb));
                w.WriteEndObject();
            }
            w.WriteEndArray();
            w.WriteEndObject();
        }
        return ms.ToArray();
    }

    private static void WriteTopics(Utf8JsonWriter w, IReadOnlyList<IReadOnlyList<string>> topWords, TopicCoherence? coherence)
    {
        w.WriteStartArray("top_words");
        foreach (var words in topWords)
        {
            w.WriteStartArray();
            foreach (var word in words) w.WriteStringValue(word);
            w.WriteEndArray();
        }
        w.WriteEndArray();
        w.WriteStartArray("topic_npmi");
        if (coherence is not null)
            foreach (var x in coherence.Npmi) if (double.IsFinite(x)) w.WriteNumberValue(Round(x)); else w.WriteNullValue();
        w.WriteEndArray();
        WriteNumberOrNull(w, "mean_npmi", coherence?.MeanNpmi);
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
