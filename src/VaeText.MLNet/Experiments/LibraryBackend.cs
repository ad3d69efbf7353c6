using VaeText.Data;
using VaeText.Models;
using VaeText.Tensors;
using VaeText.Text;
using VaeText.Trainers.FastTree;
using VaeText.Trainers.Sdca;
using VaeText.Training;

namespace VaeText.Experiments;

/// <summary>
/// The library's components behind a comparison run: <see cref="LabeledTextCorpus"/> loading; word 1–2-gram
/// TF-IDF (log(1+tf)·idf, rows L2-normalised); the bag-of-words VAE (<see cref="BowVae"/> + <see cref="VaeTrainer"/>,
/// English stop words removed from its vocabulary) whose latent means are standardised with training statistics;
/// SDCA (logistic / maximum entropy) and GBDT (FastTree) trainers.
/// </summary>
internal sealed class LibraryBackend : IExperimentBackend
{
    /// <summary>Largest n-gram vocabulary.</summary>
    public int NgramVocabulary { get; init; } = 50_000;
    /// <summary>Largest VAE vocabulary.</summary>
    public int VaeVocabulary { get; init; } = 20_000;
    /// <summary>Most sparse columns given to tree trainers.</summary>
    public const int MaxTreeColumns = 1000;
    /// <summary>Threads (0 = all processors).</summary>
    public int Threads { get; init; }

    internal sealed class Sparse(CsrMatrix m, NgramFeaturizer? ngrams, VaeFeaturizer? vae) : IFeatureTable
    {
        public CsrMatrix Matrix { get; } = m;
        public NgramFeaturizer? Ngrams { get; } = ngrams;
        public VaeFeaturizer? Vae { get; } = vae;
        public int Rows => Matrix.Rows;
    }

    internal sealed class Dense(float[] values, int rows, int cols, VaeFeaturizer? vae) : IFeatureTable
    {
        public VaeFeaturizer? Vae { get; } = vae;
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
        public required BowVae Model { get; init; }
        public required Vocabulary Vocabulary { get; init; }
        public required Dense TrainTable { get; init; }
        public Dense? TestTable { get; init; }
        public required float[] EvalMeansRaw { get; init; }
        public IFeatureTable Train => TrainTable;
        public IFeatureTable? Test => TestTable;

        public IReadOnlyList<float[]> EvaluationMeans(IReadOnlyList<int> rows)
        {
            int l = Model.LatentSize;
            return rows.Select(r => EvalMeansRaw.AsSpan(r * l, l).ToArray()).ToList();
        }

        public IReadOnlyList<IReadOnlyList<string>> TopWords(int count) =>
            Enumerable.Range(0, Model.LatentSize)
                .Select(d => (IReadOnlyList<string>)Model.TopWordIds(d, count).Select(id => Vocabulary[id]).ToList()).ToList();
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
        var f = NgramFeaturizer.Fit(train, NgramVocabulary, Threads);
        ct.ThrowIfCancellationRequested();
        var trainTable = new Sparse(f.Transform(train), f, null);
        ct.ThrowIfCancellationRequested();
        return (trainTable, test is null ? null : new Sparse(f.Transform(test), f, null));
    }

    /// <inheritdoc/>
    public ITrainedVae TrainVae(IReadOnlyList<string> train, IReadOnlyList<string>? test, VaeSettings settings, int seed,
        IProgress<VaeEpochPoint>? progress, CancellationToken ct)
    {
        var vocabOptions = new VocabularyOptions { MaxSize = VaeVocabulary, StopWords = StopWords.English, MinDocumentFrequency = train.Count >= 2000 ? 3 : 1, MaxDocumentFrequency = 0.5 };
        BagOfWords.Fit(train, null, vocabOptions, out var vocab, out var counts, Threads);
        ct.ThrowIfCancellationRequested();
        var model = new BowVae(new BowVaeOptions { VocabularySize = vocab.Count, LatentSize = settings.Latent, Seed = seed }, counts);
        var trainingOptions = new VaeTrainingOptions
        {
            Epochs = settings.Epochs,
            Seed = seed,
            MaxThreads = Threads,
            // Small corpora: smaller batches so that the model takes enough steps; anneal over about five epochs.
            BatchSize = Math.Clamp(train.Count / 20, 16, VaeTrainingOptions.Defaults.BatchSize),
            CheckpointDirectory = settings.CheckpointDirectory,
            CheckpointEveryBatches = settings.CheckpointEveryBatches,
            Resume = settings.Resume,
        };
        int stepsPerEpoch = (train.Count + trainingOptions.BatchSize - 1) / trainingOptions.BatchSize;
        trainingOptions.AnnealingSteps = Math.Clamp(5 * stepsPerEpoch, 1, VaeTrainingOptions.Defaults.AnnealingSteps);
        var epochProgress = progress is null ? null : new Relay(progress);
        new VaeTrainer(trainingOptions).Train(model, counts, epochProgress, null, ct);
        ct.ThrowIfCancellationRequested();
        var vf = VaeFeaturizer.Create(model, vocab, counts, Threads);
        var trainMeans = model.Encode(counts, Threads);
        float[]? testMeans = test is null ? null : vf.RawMeans(test);
        return new TrainedVae
        {
            Model = model,
            Vocabulary = vocab,
            TrainTable = new Dense(vf.Standardize(trainMeans), train.Count, settings.Latent, vf),
            TestTable = testMeans is null ? null : new Dense(vf.Standardize(testMeans), test!.Count, settings.Latent, vf),
            EvalMeansRaw = testMeans ?? trainMeans,
        };
    }

    private sealed class Relay(IProgress<VaeEpochPoint> target) : IProgress<VaeEpochReport>
    {
        public void Report(VaeEpochReport r) => target.Report(new VaeEpochPoint(r.Epoch, r.Reconstruction, r.Kl, r.Seconds));
    }

    /// <inheritdoc/>
    public IFeatureTable Concatenate(IFeatureTable left, IFeatureTable right)
    {
        var a = ToCsr(left);
        var b = ToCsr(right);
        if (a.Rows != b.Rows) throw new ArgumentException($"Cannot concatenate {a.Rows} rows with {b.Rows} rows.");
        var rowPtr = new int[a.Rows + 1];
        var idx = new int[a.NonZeros + b.NonZeros];
        var val = new float[idx.Length];
        int k = 0;
        for (int r = 0; r < a.Rows; r++)
        {
            for (int p = a.RowPtr[r]; p < a.RowPtr[r + 1]; p++) { idx[k] = a.Indices[p]; val[k++] = a.Values[p]; }
            for (int p = b.RowPtr[r]; p < b.RowPtr[r + 1]; p++) { idx[k] = a.Columns + b.Indices[p]; val[k++] = b.Values[p]; }
            rowPtr[r + 1] = k;
        }
        return new Sparse(new CsrMatrix(a.Rows, a.Columns + b.Columns, rowPtr, idx, val),
            (left as Sparse)?.Ngrams, (right as Dense)?.Vae ?? (right as Sparse)?.Vae);
    }

    internal static CsrMatrix ToCsr(IFeatureTable t)
    {
        if (t is Sparse s) return s.Matrix;
        var d = (Dense)t;
        var rowPtr = new int[d.Rows + 1];
        var idx = new int[d.Values.Length];
        for (int r = 0; r < d.Rows; r++)
        {
            rowPtr[r + 1] = (r + 1) * d.Columns;
            for (int c = 0; c < d.Columns; c++) idx[r * d.Columns + c] = c;
        }
        return new CsrMatrix(d.Rows, d.Columns, rowPtr, idx, (float[])d.Values.Clone());
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
                return classCount == 2
                    ? new Fitted(SdcaTrainer.TrainBinary(x, labels.Select(y => y == 1).ToArray(), options).Model, 2)
                    : new Fitted(SdcaTrainer.TrainMulticlass(x, labels.ToArray(), classCount, options).Model, classCount);
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
    public void SaveModel(string path, CandidateSpec spec, IFeatureTable trainFeatures, IFittedClassifier model, IReadOnlyList<string> classes) =>
        SaveModel(path, spec, trainFeatures, model, classes, "label", "text");

    /// <summary>Saves a pipeline model zip with the given column names.</summary>
    internal static void SaveModel(string path, CandidateSpec spec, IFeatureTable trainFeatures, IFittedClassifier model, IReadOnlyList<string> classes,
        string labelColumn, string textColumn)
    {
        var (ngrams, vae) = trainFeatures switch
        {
            Sparse s => (s.Ngrams, s.Vae),
            Dense d => ((NgramFeaturizer?)null, d.Vae),
            _ => throw new ArgumentException("Unknown feature table.", nameof(trainFeatures)),
        };
        new PipelineModel(spec, ngrams, vae, (Fitted)model, classes.ToArray(), labelColumn, textColumn).Save(path);
    }
}
