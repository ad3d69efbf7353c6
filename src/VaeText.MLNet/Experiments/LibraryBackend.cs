using VaeText.Data;
using VaeText.IO;
using VaeText.Tensors;
using VaeText.Text;
using VaeText.Trainers;
using VaeText.Trainers.FastTree;
using VaeText.Trainers.Sdca;
using VaeText.Training;
using VaeText.Transforms;

namespace VaeText.Experiments;

/// <summary>
/// The library's pipeline components behind a comparison run and <c>vaetext train</c>: <see cref="LabeledTextCorpus"/>
/// loading; <see cref="TextFeaturizingEstimator"/> with <see cref="NgramOptions"/> (word 1–2-gram TF-IDF with sublinear
/// TF and smooth IDF, rows L2-normalised); <see cref="VaeLatentEstimator"/> (the bag-of-words VAE, English stop words
/// removed from its vocabulary) whose latent means are standardised with training statistics
/// (<see cref="NormalizingTransformer"/>); SDCA (logistic / maximum entropy) and FastTree trainers. Features are
/// computed in bulk from the fitted transformers for speed; <see cref="BuildModel"/> assembles the same transformers
/// and the classifier into a pipeline model that <c>VaeTextContext.Model.Load</c> reads.
/// </summary>
internal sealed class LibraryBackend : IExperimentBackend
{
    /// <summary>Largest n-gram vocabulary.</summary>
    public int NgramVocabulary { get; init; } = 200_000;
    /// <summary>Largest VAE vocabulary.</summary>
    public int VaeVocabulary { get; init; } = 20_000;
    /// <summary>Most sparse columns given to tree trainers.</summary>
    public const int MaxTreeColumns = 1000;
    /// <summary>Threads (0 = all processors).</summary>
    public int Threads { get; init; }
    /// <summary>Text column name used in saved models.</summary>
    public string TextColumn { get; init; } = "text";
    /// <summary>Label column name used in saved models.</summary>
    public string LabelColumn { get; init; } = "label";
    /// <summary>Called after every VAE optimisation step with the number of batches per epoch (live progress), or null.</summary>
    public Action<VaeBatchReport, int>? OnVaeBatch { get; init; }

    /// <summary>Column names inside saved pipelines.</summary>
    internal const string NgramColumn = "NgramFeatures", LatentColumn = "Latent", LatentFeaturesColumn = "LatentFeatures",
        FeaturesColumn = "Features", TreeFeaturesColumn = "TreeFeatures";

    /// <summary>The n-gram settings of the comparison (the TF-IDF anchor's: word 1–2-grams, sublinear TF, smooth IDF, L2).</summary>
    public TextFeaturizingEstimator.Options NgramOptions(int documents) => new()
    {
        WordTokenizer = TextFeaturizingEstimator.WordTokenizerKind.Unicode,
        WordNgramLength = 2,
        CharNgramLength = 0,
        Weighting = TextFeaturizingEstimator.WeightingCriteria.TfIdf,
        SublinearTf = true,
        SmoothIdf = true,
        Norm = TextFeaturizingEstimator.NormFunction.L2,
        MaximumWordNgrams = NgramVocabulary,
        MinimumDocumentFrequency = documents >= 2000 ? 2 : 1,
    };

    /// <summary>The standardised latent block of a pipeline: (mean − Offset) · Scale, where Scale = 1 / σ.</summary>
    internal sealed record LatentPart(VaeLatentTransformer Vae, float[] Offset, float[] Scale);

    internal sealed class Sparse(CsrMatrix m, TextFeaturizingTransformer? ngrams, LatentPart? latent) : IFeatureTable
    {
        public CsrMatrix Matrix { get; } = m;
        public TextFeaturizingTransformer? Ngrams { get; } = ngrams;
        public LatentPart? Latent { get; } = latent;
        public int Rows => Matrix.Rows;
    }

    internal sealed class Dense(float[] values, int rows, int cols, LatentPart latent) : IFeatureTable
    {
        public LatentPart Latent { get; } = latent;
        public float[] Values { get; } = values;
        public int Columns { get; } = cols;
        public int Rows { get; } = rows;
    }

    internal sealed class Fitted(object model, int classCount, int[]? columns = null) : IFittedClassifier
    {
        /// <summary>For trees on sparse features: the original column of each model feature (null: all columns).</summary>
        public int[]? Columns { get; } = columns;
        public object Model { get; } = model;
        public int ClassCount { get; } = classCount;
    }

    private sealed class TrainedVae : ITrainedVae
    {
        public required VaeLatentTransformer Transformer { get; init; }
        public required Dense TrainTable { get; init; }
        public Dense? TestTable { get; init; }
        public required float[] EvalMeansRaw { get; init; }
        public IFeatureTable Train => TrainTable;
        public IFeatureTable? Test => TestTable;

        public IReadOnlyList<float[]> EvaluationMeans(IReadOnlyList<int> rows)
        {
            int l = Transformer.LatentSize;
            return rows.Select(r => EvalMeansRaw.AsSpan(r * l, l).ToArray()).ToList();
        }

        public IReadOnlyList<IReadOnlyList<string>> TopWords(int count) => Transformer.TopWords(count);
    }

    /// <inheritdoc/>
    public LabeledTexts Load(string path, string labelColumn, string textColumn)
    {
        var corpus = LabeledTextCorpus.Load(path, labelColumn, textColumn);
        return new LabeledTexts(corpus.Texts, corpus.Labels);
    }

    /// <inheritdoc/>
    public (IFeatureTable Train, IFeatureTable? Test) FitNgrams(IReadOnlyList<string> train, IReadOnlyList<string>? test, CancellationToken ct)
    {
        var estimator = new TextFeaturizingEstimator(NgramColumn, TextColumn, NgramOptions(train.Count));
        var f = estimator.Fit(new TextTable((TextColumn, train)));
        ct.ThrowIfCancellationRequested();
        var trainTable = new Sparse(f.Featurize(train, Threads), f, null);
        ct.ThrowIfCancellationRequested();
        return (trainTable, test is null ? null : new Sparse(f.Featurize(test, Threads), f, null));
    }

    /// <summary>The VAE settings of a comparison run for a corpus of <paramref name="documents"/> texts.</summary>
    internal VaeLatentEstimator.Options VaeOptions(int documents, VaeSettings settings, int seed)
    {
        // Small corpora: smaller batches so that the model takes enough steps; anneal over about five epochs.
        int batch = Math.Clamp(documents / 20, 16, VaeTrainingOptions.Defaults.BatchSize);
        int stepsPerEpoch = (documents + batch - 1) / batch;
        bool writes = settings.Decoder == "lstm";
        return new VaeLatentEstimator.Options
        {
            OutputColumnName = LatentColumn,
            InputColumnName = TextColumn,
            Encoder = EncoderKind(settings.Encoder),
            Decoder = writes ? VaeLatentEstimator.DecoderKind.LstmAutoregressive : VaeLatentEstimator.DecoderKind.BagOfWords,
            LatentSize = settings.Latent,
            EncoderHiddenSizes = Models.BowVaeOptions.Defaults.EncoderHiddenSizes,
            Epochs = settings.Epochs,
            BatchSize = batch,
            LearningRate = VaeTrainingOptions.Defaults.LearningRate,
            Annealing = VaeTrainingOptions.Defaults.Annealing,
            AnnealingSteps = Math.Clamp(5 * stepsPerEpoch, 1, VaeTrainingOptions.Defaults.AnnealingSteps),
            MaxVocabularySize = VaeVocabulary,
            MinDocumentFrequency = documents >= 2000 ? 3 : 1,
            // A decoder that writes text needs the function words; the bag-of-words decoder is better without them.
            MaxDocumentFrequency = writes ? 1.0 : 0.5,
            StopWords = writes ? null : StopWords.English,
            Seed = seed,
            MaxThreads = Threads,
            CheckpointDirectory = settings.CheckpointDirectory,
            CheckpointEveryBatches = settings.CheckpointEveryBatches,
            Resume = settings.Resume,
            DivergenceRetries = settings.DivergenceRetries,
        };
    }

    /// <summary>Maps "bow", "lstm", "transformer" to the estimator's encoder; anything else is an error naming the value.</summary>
    internal static VaeLatentEstimator.EncoderKind EncoderKind(string encoder) => encoder.ToLowerInvariant() switch
    {
        "bow" => VaeLatentEstimator.EncoderKind.BagOfWords,
        "lstm" => VaeLatentEstimator.EncoderKind.Lstm,
        "transformer" => VaeLatentEstimator.EncoderKind.Transformer,
        _ => throw new ArgumentException($"--encoder must be one of bow, lstm, transformer (got '{encoder}').", "--encoder"),
    };

    /// <inheritdoc/>
    public ITrainedVae TrainVae(IReadOnlyList<string> train, IReadOnlyList<string>? test, VaeSettings settings, int seed,
        IProgress<VaeEpochPoint>? progress, CancellationToken ct)
    {
        var vaeOptions = VaeOptions(train.Count, settings, seed);
        var estimator = new VaeLatentEstimator(vaeOptions, seed);
        var epochProgress = progress is null ? null : new Relay(progress);
        int batches = (train.Count + vaeOptions.BatchSize - 1) / vaeOptions.BatchSize;
        Action<VaeBatchReport>? onBatch = OnVaeBatch is { } cb ? r => cb(r, batches) : null;
        var vae = estimator.Fit(new TextTable((TextColumn, train)), epochProgress, onBatch, ct);
        ct.ThrowIfCancellationRequested();
        int l = vae.LatentSize, n = train.Count;
        var trainMeans = vae.EncodeMeans(train, Threads);
        var mean = new double[l];
        var sd = new double[l];
        for (int i = 0; i < n; i++) for (int d = 0; d < l; d++) mean[d] += trainMeans[i * l + d];
        for (int d = 0; d < l; d++) mean[d] /= Math.Max(1, n);
        for (int i = 0; i < n; i++) for (int d = 0; d < l; d++) { double c = trainMeans[i * l + d] - mean[d]; sd[d] += c * c; }
        var offset = mean.Select(x => (float)x).ToArray();
        var scale = new float[l];
        for (int d = 0; d < l; d++) { double s = Math.Sqrt(sd[d] / Math.Max(1, n - 1)); scale[d] = s > 1e-8 ? (float)(1 / s) : 1f; }
        var part = new LatentPart(vae, offset, scale);
        float[]? testMeans = test is null ? null : vae.EncodeMeans(test, Threads);
        return new TrainedVae
        {
            Transformer = vae,
            TrainTable = new Dense(Standardize(trainMeans, part), n, l, part),
            TestTable = testMeans is null ? null : new Dense(Standardize(testMeans, part), test!.Count, l, part),
            EvalMeansRaw = testMeans ?? trainMeans,
        };
    }

    /// <summary>(raw − offset) · scale per slot, exactly as the pipeline's <see cref="NormalizingTransformer"/> computes it.</summary>
    private static float[] Standardize(float[] raw, LatentPart p)
    {
        int l = p.Offset.Length;
        var z = new float[raw.Length];
        for (int i = 0; i < raw.Length; i++) z[i] = (raw[i] - p.Offset[i % l]) * p.Scale[i % l];
        return z;
    }

    private sealed class Relay(IProgress<VaeEpochPoint> target) : IProgress<VaeEpochReport>
    {
        public void Report(VaeEpochReport r) => target.Report(new VaeEpochPoint(r.Epoch, r.Reconstruction, r.Kl, r.Seconds));
    }

    /// <inheritdoc/>
    public IFeatureTable Concatenate(IFeatureTable left, IFeatureTable right)
    {
        var ng = (Sparse)left;
        var lat = (Dense)right;
        var a = ng.Matrix;
        if (a.Rows != lat.Rows) throw new ArgumentException($"Cannot concatenate {a.Rows} rows with {lat.Rows} rows.");
        var part = lat.Latent;
        int l = lat.Columns;
        var rowPtr = new int[a.Rows + 1];
        var idx = new int[a.NonZeros + (long)a.Rows * l > int.MaxValue ? throw new InvalidOperationException("feature table too large") : a.NonZeros + a.Rows * l];
        var val = new float[idx.Length];
        int k = 0;
        for (int r = 0; r < a.Rows; r++)
        {
            for (int p = a.RowPtr[r]; p < a.RowPtr[r + 1]; p++) { idx[k] = a.Indices[p]; val[k++] = a.Values[p]; }
            for (int c = 0; c < l; c++) { idx[k] = a.Columns + c; val[k++] = lat.Values[r * l + c]; }
            rowPtr[r + 1] = k;
        }
        return new Sparse(new CsrMatrix(a.Rows, a.Columns + l, rowPtr, idx, val), ng.Ngrams, part);
    }

    /// <inheritdoc/>
    public IFittedClassifier Fit(TrainerKind trainer, IFeatureTable features, IReadOnlyList<int> rows, IReadOnlyList<int> labels,
        int classCount, int seed, CancellationToken ct)
    {
        ct.ThrowIfCancellationRequested();
        var rowArr = rows.ToArray();
        if (trainer == TrainerKind.Sdca)
        {
            var options = new SdcaOptions { Seed = seed };
            if (features is Sparse sp)
            {
                // TF-IDF rows have unit norm spread over many columns: the trainer's default λ = 1/rows
                // over-regularises small labelled sets (a 200-document SMS set collapsed to the majority class).
                options.L2Regularization = (float)(0.1 / Math.Max(1, rowArr.Length));
                var x = sp.Matrix.SelectRows(rowArr);
                var y = labels.ToArray();
                if (sp.Latent is null || sp.Ngrams is null) return FitLinear(x, y, classCount, options);
                // n-grams ⊕ latent: the standardised latent block (squared norm ≈ latent size) can swamp the unit-norm
                // TF-IDF row. Its weight is chosen by cross-validation on the labelled rows, then folded into
                // the model's coefficients so that the model reads the unweighted features of the pipeline.
                int first = x.Columns - sp.Latent.Offset.Length;
                float a = ChooseLatentWeight(x, y, classCount, first, options, seed, ct);
                var fitted = FitLinear(ScaleColumnsFrom(x, first, a), y, classCount, options);
                var w = fitted.Model is LinearBinaryModel lb ? lb.W : ((LinearMulticlassModel)fitted.Model).W;
                for (int k = 0; k < w.Length; k++) if (k % x.Columns >= first) w[k] *= a;
                return fitted;
            }
            var (dx, cols) = DenseRows((Dense)features, rowArr);
            return classCount == 2
                ? new Fitted(SdcaTrainer.TrainBinary(dx, rowArr.Length, cols, labels.Select(y => y == 1).ToArray(), options).Model, 2)
                : new Fitted(SdcaTrainer.TrainMulticlass(dx, rowArr.Length, cols, labels.ToArray(), classCount, options).Model, classCount);
        }
        var gbdt = new GbdtOptions
        {
            Seed = seed,
            NumberOfThreads = Threads,
            // Few labelled documents: smaller leaves so that trees can still split.
            MinimumExampleCountPerLeaf = Math.Clamp(rowArr.Length / 50, 1, FastTreeDefaults.MinimumExampleCountPerLeaf),
        };
        var task = classCount == 2 ? GbdtTask.BinaryClassification : GbdtTask.MulticlassClassification;
        var yf = labels.Select(y => (float)y).ToArray();
        if (features is Sparse s2)
        {
            // Trees use the most frequent sparse columns of the training rows only (fast, and rare n-grams rarely split well).
            var x = s2.Matrix.SelectRows(rowArr);
            var nnz = new int[x.Columns];
            foreach (var j in x.Indices.AsSpan(0, x.NonZeros)) nnz[j]++;
            var cols = Enumerable.Range(0, x.Columns).Where(j => nnz[j] > 0).OrderByDescending(j => nnz[j]).ThenBy(j => j).Take(MaxTreeColumns).OrderBy(j => j).ToArray();
            var map = new int[x.Columns];
            Array.Fill(map, -1);
            for (int k = 0; k < cols.Length; k++) map[cols[k]] = k;
            var rowPtr = new int[x.Rows + 1];
            var idx = new List<int>();
            var val = new List<float>();
            for (int r = 0; r < x.Rows; r++)
            {
                for (int p = x.RowPtr[r]; p < x.RowPtr[r + 1]; p++)
                    if (map[x.Indices[p]] >= 0) { idx.Add(map[x.Indices[p]]); val.Add(x.Values[p]); }
                rowPtr[r + 1] = idx.Count;
            }
            var reduced = new CsrMatrix(x.Rows, Math.Max(1, cols.Length), rowPtr, idx.ToArray(), val.ToArray());
            if (cols.Length == 0) cols = new[] { 0 };
            return new Fitted(GbdtTrainer.Train(reduced, yf, task, classCount, gbdt).Model, classCount, cols);
        }
        var result = GbdtTrainer.Train(DenseRows((Dense)features, rowArr).Values, rowArr.Length, ((Dense)features).Columns, yf, task, classCount, gbdt);
        return new Fitted(result.Model, classCount);
    }

    private static Fitted FitLinear(CsrMatrix x, int[] y, int classCount, SdcaOptions options) => classCount == 2
        ? new Fitted(SdcaTrainer.TrainBinary(x, y.Select(v => v == 1).ToArray(), options).Model, 2)
        : new Fitted(SdcaTrainer.TrainMulticlass(x, y, classCount, options).Model, classCount);

    /// <summary>Candidate weights of the latent block next to n-grams: 1, latent^(−1/4), latent^(−1/2).</summary>
    internal static float[] LatentWeights(int latent) => [1f, (float)Math.Pow(latent, -0.25), (float)Math.Pow(latent, -0.5)];

    /// <summary>
    /// The latent weight with the best 3-fold cross-validated accuracy on the labelled rows (from 3,000 rows on, one
    /// held-out third only); ties go to the larger weight.
    /// </summary>
    private static float ChooseLatentWeight(CsrMatrix x, int[] y, int classCount, int first, SdcaOptions options, int seed, CancellationToken ct)
    {
        var weights = LatentWeights(x.Columns - first);
        const int folds = 3;
        if (x.Rows < 3 * folds) return weights[0];
        var order = Enumerable.Range(0, x.Rows).ToArray();
        new Core.Rng(seed ^ 0x5eed).Shuffle<int>(order);
        var correct = new int[weights.Length];
        // Large labelled sets: one held-out third is enough to rank three weights (and costs a third of the fits).
        int foldsRun = x.Rows >= 3000 ? 1 : folds;
        for (int f = 0; f < foldsRun; f++)
        {
            var trainRows = order.Where((_, i) => i % folds != f).ToArray();
            var testRows = order.Where((_, i) => i % folds == f).ToArray();
            var xTrain = x.SelectRows(trainRows);
            var xTest = x.SelectRows(testRows);
            var yTrain = trainRows.Select(r => y[r]).ToArray();
            if (yTrain.Distinct().Count() < 2) continue;
            var foldOptions = options.Clone();
            foldOptions.L2Regularization = (float)(0.1 / trainRows.Length);
            for (int c = 0; c < weights.Length; c++)
            {
                ct.ThrowIfCancellationRequested();
                var m = FitLinear(ScaleColumnsFrom(xTrain, first, weights[c]), yTrain, classCount, foldOptions);
                var p = Probabilities(m, new Sparse(ScaleColumnsFrom(xTest, first, weights[c]), null, null), null);
                for (int i = 0; i < testRows.Length; i++) if (ArgMax(p[i]) == y[testRows[i]]) correct[c]++;
            }
        }
        int best = 0;
        for (int c = 1; c < weights.Length; c++) if (correct[c] > correct[best]) best = c;
        return weights[best];
    }

    /// <summary>A copy of <paramref name="x"/> with columns from <paramref name="first"/> on multiplied by <paramref name="a"/>.</summary>
    private static CsrMatrix ScaleColumnsFrom(CsrMatrix x, int first, float a)
    {
        if (a == 1f) return x;
        var values = (float[])x.Values.Clone();
        for (int p = 0; p < x.NonZeros; p++) if (x.Indices[p] >= first) values[p] *= a;
        return new CsrMatrix(x.Rows, x.Columns, x.RowPtr, x.Indices, values);
    }

    private static (float[] Values, int Columns) DenseRows(Dense d, int[] rows)
    {
        var x = new float[rows.Length * d.Columns];
        for (int i = 0; i < rows.Length; i++) Array.Copy(d.Values, rows[i] * d.Columns, x, i * d.Columns, d.Columns);
        return (x, d.Columns);
    }

    /// <inheritdoc/>
    public int[] Predict(IFittedClassifier model, IFeatureTable features, IReadOnlyList<int>? rows)
    {
        var probs = Probabilities(model, features, rows);
        var result = new int[probs.Length];
        for (int i = 0; i < probs.Length; i++) result[i] = ArgMax(probs[i]);
        return result;
    }

    private static int ArgMax(float[] p)
    {
        int a = 0;
        for (int i = 1; i < p.Length; i++) if (p[i] > p[a]) a = i;
        return a;
    }

    /// <summary>Class probabilities for the given rows (all rows when null).</summary>
    internal static float[][] Probabilities(IFittedClassifier model, IFeatureTable features, IReadOnlyList<int>? rows)
    {
        var f = (Fitted)model;
        var idx = rows ?? Enumerable.Range(0, features.Rows).ToArray();
        var result = new float[idx.Count][];
        var scores = new double[Math.Max(2, f.ClassCount)];
        int cols = features is Sparse sp0 ? sp0.Matrix.Columns : ((Dense)features).Columns;
        var buffer = new float[f.Columns?.Length ?? cols];
        int[]? colMap = null;
        if (f.Columns is { } sel)
        {
            colMap = new int[cols];
            Array.Fill(colMap, -1);
            for (int k = 0; k < sel.Length; k++) if (sel[k] < cols) colMap[sel[k]] = k;
        }
        for (int i = 0; i < idx.Count; i++)
        {
            int r = idx[i];
            var p = new float[f.ClassCount];
            result[i] = p;
            ReadOnlySpan<float> dense;
            if (features is Sparse sp)
            {
                var m = sp.Matrix;
                switch (f.Model)
                {
                    case LinearBinaryModel lb:
                        p[1] = (float)LinearBinaryModel.Probability(lb.Score(m, r)); p[0] = 1 - p[1];
                        continue;
                    case LinearMulticlassModel lm:
                        lm.Scores(m, r, scores.AsSpan(0, f.ClassCount));
                        LinearMulticlassModel.ToProbabilities(scores.AsSpan(0, f.ClassCount));
                        for (int c = 0; c < p.Length; c++) p[c] = (float)scores[c];
                        continue;
                }
                Array.Clear(buffer);
                for (int q = m.RowPtr[r]; q < m.RowPtr[r + 1]; q++)
                {
                    int j = colMap is null ? m.Indices[q] : colMap[m.Indices[q]];
                    if (j >= 0) buffer[j] = m.Values[q];
                }
                dense = buffer;
            }
            else
            {
                var d = (Dense)features;
                dense = d.Values.AsSpan(r * d.Columns, d.Columns);
            }
            switch (f.Model)
            {
                case LinearBinaryModel lb:
                    p[1] = (float)LinearBinaryModel.Probability(lb.Score(dense)); p[0] = 1 - p[1];
                    break;
                case LinearMulticlassModel lm:
                    lm.Scores(dense, scores.AsSpan(0, f.ClassCount));
                    LinearMulticlassModel.ToProbabilities(scores.AsSpan(0, f.ClassCount));
                    for (int c = 0; c < p.Length; c++) p[c] = (float)scores[c];
                    break;
                case GbdtModel g:
                    var s = scores.AsSpan(0, g.NumberOfOutputs);
                    g.Predict(dense, s);
                    if (g.NumberOfOutputs == 1) { p[1] = (float)s[0]; p[0] = 1 - p[1]; }
                    else for (int c = 0; c < p.Length; c++) p[c] = (float)s[c];
                    break;
            }
        }
        return result;
    }

    private static int ArgMax(ReadOnlySpan<double> s)
    {
        int a = 0;
        for (int i = 1; i < s.Length; i++) if (s[i] > s[a]) a = i;
        return a;
    }

    /// <inheritdoc/>
    public void SaveModel(string path, CandidateSpec spec, IFeatureTable trainFeatures, IFittedClassifier model, IReadOnlyList<string> classes)
    {
        var (chain, schema) = BuildModel(trainFeatures, model, classes);
        ModelZip.SaveToFile(chain, schema, path);
    }

    /// <summary>
    /// The fitted pipeline of a candidate, as one transformer chain over the input columns [label, text] (both Text):
    /// FeaturizeText → NgramFeatures and/or VaeLatent → Latent → NormalizeMeanVariance → LatentFeatures;
    /// Concatenate → Features; (trees on n-grams: the selected slots → TreeFeatures); the classifier → Score (class
    /// probabilities, slot names = classes) and PredictedLabel (key); MapKeyToValue → PredictedLabel (the class name).
    /// </summary>
    internal (ITransformer Model, DataViewSchema InputSchema) BuildModel(IFeatureTable trainFeatures, IFittedClassifier model, IReadOnlyList<string> classes)
    {
        var f = (Fitted)model;
        var (ngrams, latent) = trainFeatures switch
        {
            Sparse s => (s.Ngrams, s.Latent),
            Dense d => ((TextFeaturizingTransformer?)null, d.Latent),
            _ => throw new ArgumentException("Unknown feature table.", nameof(trainFeatures)),
        };
        var parts = new List<ITransformer>();
        var inputs = new List<string>();
        if (ngrams is not null) { parts.Add(ngrams); inputs.Add(ngrams.OutputColumnName); }
        if (latent is not null)
        {
            parts.Add(latent.Vae);
            parts.Add(new NormalizingTransformer(LatentFeaturesColumn, latent.Vae.OutputColumnName, latent.Offset, latent.Scale));
            inputs.Add(LatentFeaturesColumn);
        }
        parts.Add(new ColumnConcatenatingTransformer(FeaturesColumn, inputs.ToArray()));
        string featureColumn = FeaturesColumn;
        int featureCount = trainFeatures is Sparse sp ? sp.Matrix.Columns : ((Dense)trainFeatures).Columns;
        if (f.Columns is { } selected)
        {
            parts.Add(new SlotSelectingTransformer(TreeFeaturesColumn, FeaturesColumn, featureCount, selected));
            featureColumn = TreeFeaturesColumn;
        }
        IMulticlassPredictor predictor = f.Model switch
        {
            LinearBinaryModel b => new BinaryAsMulticlassModel(new SdcaBinaryModel(b)),
            LinearMulticlassModel m => new SdcaMulticlassModel(m),
            GbdtModel g when g.Task == GbdtTask.BinaryClassification => new BinaryAsMulticlassModel(new FastTreeBinaryModel(g)),
            GbdtModel g => new FastTreeMulticlassModel(g),
            _ => throw new InvalidOperationException("Unknown classifier type."),
        };
        parts.Add(new MulticlassPredictionTransformer(predictor, featureColumn, classes));
        parts.Add(new KeyToValueMappingTransformer("PredictedLabel", "PredictedLabel"));
        var schema = new DataViewSchema.Builder()
            .AddColumn(LabelColumn, TextDataViewType.Instance)
            .AddColumn(TextColumn, TextDataViewType.Instance)
            .ToSchema();
        return (new TransformerChain<ITransformer>(parts.ToArray()), schema);
    }
}
