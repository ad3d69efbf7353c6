using System.Text.Json;
using VaeText.Core;

namespace VaeText.Bench;

/// feature-table: writes dense feature tables (label, then floats) for the gbdt benchmark.
/// --source vae (default): the engine's TextVae (bag-of-words VAE) trained on the training texts; features = latent means.
/// --source projection: FALLBACK "tfidf-random-projection" — unigram TF-IDF over the 20,000 most frequent words (fit
/// on train), projected to --latent dimensions by a seeded Gaussian matrix (scaled 1/√latent).
/// Usage: feature-table --train TSV --test TSV --out-train F --out-test F [--latent 64] [--epochs N] [--seed 1]
///        [--source vae|projection] [--analyzer word|char]
internal static class FeatureTableBench
{
    public static int Run(string[] args)
    {
        var a = BenchArgs.Parse(args);
        var (ytr, xtr) = TextTsv.Read(a.Require("--train"));
        var (yte, xte) = TextTsv.Read(a.Require("--test"));
        int latent = a.Int("--latent", 64);
        if (latent < 1) throw new ArgumentOutOfRangeException("--latent", latent, "must be ≥ 1");
        var rng = new Rng(a.Int("--seed", 1));
        string source = a.Get("--source") ?? "vae";
        if (source == "vae")
        {
            var sw = System.Diagnostics.Stopwatch.StartNew();
            var o = new VaeText.Models.TextVaeOptions();
            o.Model.LatentSize = latent;
            o.Model.Seed = a.Int("--seed", 1);
            o.Training.Epochs = a.Int("--epochs", o.Training.Epochs);
            var vae = VaeText.Models.TextVae.Train(xtr, o);
            FeatureTable.Write(a.Require("--out-train"), ytr, vae.Encode(xtr), latent);
            FeatureTable.Write(a.Require("--out-test"), yte, vae.Encode(xte), latent);
            Console.WriteLine(JsonSerializer.Serialize(new Dictionary<string, object>
            {
                ["source"] = "textvae-latent-means", ["latent"] = latent, ["epochs"] = o.Training.Epochs,
                ["train_rows"] = ytr.Length, ["test_rows"] = yte.Length, ["vocabulary"] = vae.Vocabulary.Count,
                ["seconds"] = Math.Round(sw.Elapsed.TotalSeconds, 1),
            }));
            return 0;
        }
        if (source != "projection") throw new ArgumentException($"--source must be vae or projection, got '{source}'");
        // Unigrams, word tokens of 1+ characters so unsegmented scripts still yield features (whole runs).
        TfIdfNgrams.CharTokens = a.Get("--analyzer") == "char";
        var tfidf = TfIdfNgrams.Fit(xtr, 2, TfIdfNgrams.CharTokens ? 2 : 1, 20_000);
        var proj = new float[tfidf.Size * latent];
        rng.FillGaussian(proj, 1f / MathF.Sqrt(latent));
        float[] Project(string[] docs)
        {
            var m = tfidf.Transform(docs);
            var outp = new float[(long)docs.Length * latent];
            for (int i = 0; i < m.Rows; i++)
                for (int p = m.RowPtr[i]; p < m.RowPtr[i + 1]; p++)
                {
                    float v = m.Values[p]; int off = m.Indices[p] * latent;
                    for (int k = 0; k < latent; k++) outp[i * latent + k] += v * proj[off + k];
                }
            return outp;
        }
        FeatureTable.Write(a.Require("--out-train"), ytr, Project(xtr), latent);
        FeatureTable.Write(a.Require("--out-test"), yte, Project(xte), latent);
        Console.WriteLine(JsonSerializer.Serialize(new Dictionary<string, object>
        {
            ["source"] = "tfidf-random-projection (fallback)", ["latent"] = latent,
            ["train_rows"] = ytr.Length, ["test_rows"] = yte.Length, ["vocabulary"] = tfidf.Size,
        }));
        return 0;
    }
}
