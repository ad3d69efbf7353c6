using System.Diagnostics;
using System.Globalization;
using Microsoft.ML;
using Microsoft.ML.Data;
using Microsoft.ML.Trainers;
using Microsoft.ML.Transforms.Text;
using VaeText.Experiments;
using VaeText.Pipelines;

namespace VaeText.Bench;

/// <summary>
/// tfidf-variants: word-n-gram featurizers built from ML.NET's public parts, each followed by SDCA (the comparison's
/// n-gram settings) on every training row, scored on the test TSV. Usage: tfidf-variants TRAIN_TSV TEST_TSV VARIANT[,...]
/// Variants: base (the TF-IDF candidate, <see cref="Pipelines.TfIdfNgramEstimator"/>), mlnet (FeaturizeText word 1–2-gram
/// TF-IDF, ML.NET's limit of 200,000 n-grams per length: the first ones met), log (TF-IDF → log(1 + x) → L2), sqrt
/// (TF-IDF → √x → L2), logtf (TF → log(1 + x) → L2, no IDF), tri (1–3-grams), big (1–2-grams, 500,000 n-grams), full (no
/// limit), full2 (no limit, n-grams of two or more documents), subl[-smooth][-full][2] (sublinear TF 1 + ln count × IDF —
/// smooth: ln((N + 1) / (df + 1)) + 1 —, no limit, two or more documents). A leading u: the engine's tokens
/// (<see cref="VaeText.MLNet.VaeWordsMappingFactory"/>) instead of NormalizeText → TokenizeIntoWords.
/// </summary>
internal static class TfidfVariantsProbe
{
    public static int Run(string[] args)
    {
        if (args.Length < 3) { Console.Error.WriteLine("usage: tfidf-variants TRAIN_TSV TEST_TSV VARIANT[,...]"); return 2; }
        var ml = new MLContext(1);
        var train = ComparisonRunner.Load(ml, args[0], "label", "text", default);
        var test = ComparisonRunner.Load(ml, args[1], "label", "text", default);
        var classes = train.Labels.Distinct().OrderBy(s => s, StringComparer.Ordinal).ToArray();
        var fields = new List<string>();
        foreach (var variant in args[2].Split(','))
        {
            var sw = Stopwatch.StartNew();
            var fitted = variant.TrimStart('u').StartsWith("subl", StringComparison.Ordinal) ? Sublinear(ml, train.View, variant.Contains("-smooth", StringComparison.Ordinal), variant[0] == 'u',
                    variant.Contains("-full", StringComparison.Ordinal) ? 10_000_000 : CandidatePipelines.MaxNgrams, variant.EndsWith('2') ? 2 : 0) : Featurizer(ml, variant).Fit(train.View);
            var table = ProbeTables.Read(fitted, train, test);
            var (tr, te, size) = (table.Train, table.Test!, table.Size);
            double featurize = sw.Elapsed.TotalSeconds;
            double nnz = tr.Average(v => (double)v.GetValues().Length);
            var rows = ComparisonRunner.TrainingOrder(Enumerable.Range(0, tr.Length).ToArray(), 1);
            sw.Restart();
            var model = ComparisonRunner.FitClassifier(new CandidateSpec(FeaturizerKind.Ngrams, TrainerKind.Sdca, null), table, rows, train.Labels, classes, 1, default);
            double fit = sw.Elapsed.TotalSeconds;
            double acc = ComparisonRunner.Evaluate(model, table, true, Enumerable.Range(0, te.Length).ToArray(), test.Labels, classes, TrainerKind.Sdca).Accuracy;
            var line = string.Create(CultureInfo.InvariantCulture, $"\"{variant}\":{{\"accuracy\":{acc:0.####},\"width\":{size},\"nnz\":{nnz:0.#},\"featurize_s\":{featurize:0.#},\"fit_s\":{fit:0.#}}}");
            Console.Error.WriteLine(line);
            fields.Add(line);
        }
        Console.WriteLine("{" + string.Join(",", fields) + "}");
        return 0;
    }

    /// <summary>
    /// Sublinear TF-IDF from ML.NET parts: word 1–2-gram counts → 1 + ln(tf) (Expression) → × IDF (NormalizeMinMax with
    /// fixZero, fitted on one synthetic row holding 1 / IDF, so that its per-slot scale is the IDF) → L2.
    /// </summary>
    private static ITransformer Sublinear(MLContext ml, IDataView train, bool smooth, bool engineTokens, int maxNgrams, int minCount)
    {
        const string tokens = "Tokens", grams = "Grams", bent = "Bent";
        IEstimator<ITransformer> words = engineTokens
            ? (IEstimator<ITransformer>)EngineWords(ml, tokens)
            : ml.Transforms.Text.NormalizeText(tokens, "text", TextNormalizingEstimator.CaseMode.Lower, keepDiacritics: true, keepPunctuations: false, keepNumbers: true)
                .Append(ml.Transforms.Text.TokenizeIntoWords(tokens));
        var counts = words
            .Append(ml.Transforms.Conversion.MapValueToKey(tokens))
            .Append(ml.Transforms.Text.ProduceNgrams(grams, tokens, ngramLength: 2, useAllLengths: true, maximumNgramsCount: maxNgrams,
                weighting: NgramExtractingEstimator.WeightingCriteria.Tf))
            .Append(minCount > 0 ? (IEstimator<ITransformer>)ml.Transforms.FeatureSelection.SelectFeaturesBasedOnCount(grams, count: minCount) : ml.Transforms.CopyColumns("Unused", grams))
            .Append(ml.Transforms.Expression(bent, Pipelines.TfIdfNgramEstimator.SublinearTf, grams))
            .Fit(train);
        var (rows, size) = FeatureTable.Read(counts.Transform(train), bent, default);
        var df = new int[size];
        foreach (var v in rows) foreach (int j in v.GetIndices()) df[j]++;
        int n = rows.Length;
        var inverse = df.Select(d => (float)(1 / (smooth ? Math.Log((n + 1.0) / (d + 1.0)) + 1 : Math.Log((double)n / Math.Max(1, d)) + 1e-6))).ToArray();
        var synthetic = ml.Data.LoadFromEnumerable(new[] { new Weights { Values = inverse }, new Weights { Values = new float[size] } }, SchemaDefinitionFor(size, bent));
        var idf = ml.Transforms.NormalizeMinMax("Weighted", bent, fixZero: true).Fit(synthetic);
        var norm = ml.Transforms.NormalizeLpNorm(CandidatePipelines.FeaturesColumn, "Weighted").Fit(idf.Transform(synthetic));
        return new TransformerChain<ITransformer>(counts, idf, norm);
    }

    /// <summary>"text" → the engine's tokens in <paramref name="tokens"/>.</summary>
    private static IEstimator<ITransformer> EngineWords(MLContext ml, string tokens) =>
        ml.Transforms.Concatenate(VaeText.MLNet.VaeWordsMappingFactory.TextColumn, "text")
            .Append(ml.Transforms.CustomMapping(new VaeText.MLNet.VaeWordsMappingFactory().GetMapping(), VaeText.MLNet.VaeWordsMappingFactory.ContractName))
            .Append(ml.Transforms.CopyColumns(tokens, VaeText.MLNet.VaeWordsMappingFactory.WordsColumn));

    private sealed class Weights { public float[] Values { get; set; } = []; }

    private static SchemaDefinition SchemaDefinitionFor(int size, string column)
    {
        var def = SchemaDefinition.Create(typeof(Weights));
        var col = def[nameof(Weights.Values)];
        col.ColumnType = new VectorDataViewType(NumberDataViewType.Single, size);
        col.ColumnName = column;
        return def;
    }

    private static IEstimator<ITransformer> Featurizer(MLContext ml, string variant)
    {
        const string tokens = "Tokens", grams = "Grams";
        bool engine = variant[0] == 'u';
        if (engine) variant = variant[1..];
        IEstimator<ITransformer> Grams(int length, int max, NgramExtractingEstimator.WeightingCriteria weighting) =>
            (engine ? EngineWords(ml, tokens)
            : (IEstimator<ITransformer>)ml.Transforms.Text.NormalizeText(tokens, "text", TextNormalizingEstimator.CaseMode.Lower, keepDiacritics: true, keepPunctuations: false, keepNumbers: true)
                .Append(ml.Transforms.Text.TokenizeIntoWords(tokens)))
                .Append(ml.Transforms.Conversion.MapValueToKey(tokens))
                .Append(ml.Transforms.Text.ProduceNgrams(grams, tokens, ngramLength: length, useAllLengths: true, maximumNgramsCount: max, weighting: weighting));
        IEstimator<ITransformer> Norm(IEstimator<ITransformer> e, string column) =>
            e.Append(ml.Transforms.NormalizeLpNorm(CandidatePipelines.FeaturesColumn, column));
        const int max = CandidatePipelines.MaxNgrams;
        var tfidf = NgramExtractingEstimator.WeightingCriteria.TfIdf;
        return variant switch
        {
            "base" => CandidatePipelines.Ngrams(ml, "text").Append(ml.Transforms.Concatenate(CandidatePipelines.FeaturesColumn, CandidatePipelines.NgramColumn)),
            "mlnet" => ml.Transforms.Text.FeaturizeText(CandidatePipelines.FeaturesColumn, new TextFeaturizingEstimator.Options
            {
                CaseMode = TextNormalizingEstimator.CaseMode.Lower,
                KeepPunctuations = false,
                KeepDiacritics = true,
                KeepNumbers = true,
                CharFeatureExtractor = null,
                WordFeatureExtractor = new WordBagEstimator.Options
                {
                    NgramLength = 2,
                    UseAllLengths = true,
                    Weighting = NgramExtractingEstimator.WeightingCriteria.TfIdf,
                    MaximumNgramsCount = [200_000],
                },
                Norm = TextFeaturizingEstimator.NormFunction.L2,
            }, "text"),
            "log" => Norm(Grams(2, max, tfidf).Append(ml.Transforms.Expression("Bent", "x : log(1 + x)", grams)), "Bent"),
            "sqrt" => Norm(Grams(2, max, tfidf).Append(ml.Transforms.Expression("Bent", "x : sqrt(x)", grams)), "Bent"),
            "logtf" => Norm(Grams(2, max, NgramExtractingEstimator.WeightingCriteria.Tf).Append(ml.Transforms.Expression("Bent", "x : log(1 + x)", grams)), "Bent"),
            "tri" => Norm(Grams(3, max, tfidf), grams),
            "big" => Norm(Grams(2, 500_000, tfidf), grams),
            "full" => Norm(Grams(2, 10_000_000, tfidf), grams),
            "full2" => Norm(Grams(2, 10_000_000, tfidf).Append(ml.Transforms.FeatureSelection.SelectFeaturesBasedOnCount(grams, count: 2)), grams),
            _ => throw new ArgumentException($"unknown variant '{variant}'"),
        };
    }
}
