using System.Text.Json;
using VaeText.Core;

namespace VaeText.Bench;

/// feature-table: writes dense feature tables (label, then floats) for the gbdt benchmark.
/// Source: FALLBACK "tfidf-random-projection" — unigram TF-IDF over the 20,000 most frequent words (fit on train),
/// projected to --latent dimensions by a seeded Gaussian matrix (scaled 1/√latent). It stands in for the engine's
/// TextVae latent means until that lands.
/// Usage: feature-table --train TSV --test TSV --out-train F --out-test F [--latent 64] [--epochs N] [--seed 1]
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
            ["source"] = "tfidf-random-projection (fallback; engine TextVae not used)", ["latent"] = latent,
            ["train_rows"] = ytr.Length, ["test_rows"] = yte.Length, ["vocabulary"] = tfidf.Size,
        }));
        return 0;
    }
}
