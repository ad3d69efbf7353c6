using Microsoft.ML;
using Microsoft.ML.Data;
using VaeText.Pipelines;
using NUnit.Framework;
using VaeText.Experiments;

namespace VaeText.MLNet.Tests.Experiments;

public class ExperimentPartsTests
{
    [Test]
    public void LabelSamplerDrawsDistinctSortedDeterministicRows()
    {
        var a = LabelSampler.Draw(50, 1000, 3);
        var b = LabelSampler.Draw(50, 1000, 3);
        var c = LabelSampler.Draw(50, 1000, 4);
        Assert.That(a, Is.EqualTo(b));
        Assert.That(a, Is.Not.EqualTo(c));
        Assert.That(a.Distinct().Count(), Is.EqualTo(50));
        Assert.That(a, Is.Ordered.Ascending);
        Assert.That(a.All(i => i >= 0 && i < 1000));
        Assert.That(LabelSampler.Draw(2000, 10, 1), Is.EqualTo(Enumerable.Range(0, 10)));
        Assert.Throws<ArgumentOutOfRangeException>(() => LabelSampler.Draw(0, 10, 1));
    }

    [Test]
    public void LabelSamplerIsUniformOverManySeeds()
    {
        var hits = new int[20];
        for (int s = 0; s < 4000; s++) foreach (var i in LabelSampler.Draw(5, 20, s)) hits[i]++;
        // Expected 1000 per row; 5 standard deviations ≈ 5·sqrt(1000·0.75) ≈ 137.
        Assert.That(hits.All(h => Math.Abs(h - 1000) < 140), string.Join(",", hits));
    }

    [Test]
    public void StratifiedDrawKeepsClassProportions()
    {
        var labels = Enumerable.Range(0, 1000).Select(i => i < 700 ? 0 : i < 900 ? 1 : 2).ToArray();
        var rows = LabelSampler.Draw(100, 1000, 9, labels);
        Assert.That(rows.Length, Is.EqualTo(100));
        Assert.That(rows.Count(r => labels[r] == 0), Is.EqualTo(70));
        Assert.That(rows.Count(r => labels[r] == 1), Is.EqualTo(20));
        Assert.That(rows.Count(r => labels[r] == 2), Is.EqualTo(10));
    }

    [Test]
    public void StatsMatchHandComputedValues()
    {
        Assert.That(Stats.Mean(new[] { 1.0, 2, 3, 4 }), Is.EqualTo(2.5));
        Assert.That(Stats.SampleStd(new[] { 2.0, 4, 4, 4, 5, 5, 7, 9 }), Is.EqualTo(Math.Sqrt(32.0 / 7)).Within(1e-12));
        Assert.That(Stats.SampleStd(new[] { 3.0 }), Is.EqualTo(0));
    }

    [TestCase("fasttree", 2)] // binary FastTree: ML.NET's binary confusion table lists the positive class first
    [TestCase("sdca", 2)]
    [TestCase("fasttree", 3)] // OneVersusAll
    [TestCase("sdca", 3)]
    public void EvaluatorConfusionAgreesWithThePredictions(string trainerName, int classCount)
    {
        var trainer = trainerName == "sdca" ? TrainerKind.Sdca : TrainerKind.FastTree;
        var rng = new Random(11);
        var classes = Enumerable.Range(0, classCount).Select(c => "c" + c).ToArray();
        var y = Enumerable.Range(0, 90).Select(i => i % classCount).ToArray();
        // Overlapping classes, so that some rows are misclassified.
        var table = new FeatureTable
        {
            Train = y.Select(c => new Microsoft.ML.Data.VBuffer<float>(2, [(float)(c + 2.5 * (rng.NextDouble() - 0.5)), (float)rng.NextDouble()])).ToArray(),
            Size = 2,
            Featurizer = null!,
        };
        var labels = y.Select(c => classes[c]).ToArray();
        var fitRows = Enumerable.Range(0, 60).ToArray();
        var rows = Enumerable.Range(60, 30).ToArray(); // scored on rows the model did not see
        var spec = new CandidateSpec(FeaturizerKind.Lda, trainer, null, 2);
        var model = ComparisonRunner.FitClassifier(spec, table, fitRows, labels, classes, 1, CancellationToken.None);
        var scores = ComparisonRunner.Evaluate(model, table, false, rows, labels, classes, trainer);

        var ml = new Microsoft.ML.MLContext(1);
        var view = table.View(ml, false, rows, labels);
        bool binary = CandidatePipelines.IsBinary(trainer, classCount);
        var scored = model.Transform(TextClassifierPipeline.LabelMapping(ml, FeatureTable.LabelTextColumn, classes, binary).Fit(view).Transform(view));
        int[] predicted = binary
            ? Microsoft.ML.Data.ColumnCursorExtensions.GetColumn<bool>(scored, "PredictedLabel").Select(b => b ? 1 : 0).ToArray()
            : Microsoft.ML.Data.ColumnCursorExtensions.GetColumn<uint>(scored, "PredictedLabel").Select(k => (int)k - 1).ToArray();
        var expected = new int[classCount, classCount];
        for (int i = 0; i < rows.Length; i++) expected[y[rows[i]], predicted[i]]++;
        Assert.That(scores.Confusion, Is.EqualTo(expected));
        Assert.That(scores.Accuracy, Is.EqualTo(Enumerable.Range(0, 30).Count(i => predicted[i] == y[rows[i]]) / 30.0).Within(1e-9));
        Assert.That(scores.Accuracy, Is.InRange(0.5, 0.99), "a real, imperfect fit");
        double macro = Enumerable.Range(0, classCount).Average(c => (double)expected[c, c] / Enumerable.Range(0, classCount).Sum(p => expected[c, p]));
        Assert.That(scores.MacroAccuracy, Is.EqualTo(macro).Within(1e-9));
    }

    [Test]
    public void NarrowTableScoresLikeTheSavedChainAndLikeTheFullWidth()
    {
        // A wide sparse table (40,000 columns; each row uses 30 of them, the class shows in a few hundred "signal" columns).
        const int width = 40_000;
        var rng = new Random(5);
        VBuffer<float> Row(int cls)
        {
            var idx = new SortedSet<int>();
            while (idx.Count < 6) idx.Add(cls * 300 + rng.Next(300));   // signal columns of the class
            while (idx.Count < 30) idx.Add(rng.Next(width));            // noise anywhere
            var values = idx.Select(_ => (float)(0.1 + rng.NextDouble())).ToArray();
            return new VBuffer<float>(width, values.Length, values, idx.ToArray());
        }
        var yTrain = Enumerable.Range(0, 400).Select(i => i % 2).ToArray();
        var yTest = Enumerable.Range(0, 200).Select(i => (i / 3) % 2).ToArray();
        var ml = new MLContext(1);
        var full = new FeatureTable
        {
            Train = yTrain.Select(Row).ToArray(), Test = yTest.Select(Row).ToArray(), Size = width,
            Featurizer = ml.Transforms.CopyColumns("Unused", CandidatePipelines.FeaturesColumn).Fit(ml.Data.LoadFromEnumerable(Array.Empty<WideRow>())),
        };
        var classes = new[] { "a", "b" };
        var trainLabels = yTrain.Select(c => classes[c]).ToArray();
        var testLabels = yTest.Select(c => classes[c]).ToArray();
        var rows = Enumerable.Range(0, 400).Where(i => i % 4 != 3).ToArray(); // 300 labelled rows
        var narrow = full.Narrow(rows, CancellationToken.None);
        int used = rows.SelectMany(r => full.Train[r].GetIndices().ToArray()).Distinct().Count();
        Assert.That(narrow.Size, Is.EqualTo(used));
        Assert.That(narrow.Size, Is.LessThan(width / 2));
        Assert.That(narrow.SdcaL1, Is.EqualTo(1f));

        var spec = new CandidateSpec(FeaturizerKind.Ngrams, TrainerKind.Sdca, null);
        var model = ComparisonRunner.FitClassifier(spec, narrow, rows, trainLabels, classes, 1, CancellationToken.None);
        var all = Enumerable.Range(0, 200).ToArray();
        float[][] Scores(ITransformer m, FeatureTable t, ITransformer? before = null)
        {
            var view = t.View(ml, true, all, testLabels);
            // Two classes: SdcaLogisticRegression, a Boolean label and one score per row.
            var mapped = TextClassifierPipeline.LabelMapping(ml, FeatureTable.LabelTextColumn, classes, true).Fit(view).Transform(view);
            return m.Transform(before?.Transform(mapped) ?? mapped).GetColumn<float>("Score").Select(s => new[] { s }).ToArray();
        }
        // The saved model's path: the full-width vector through SelectFeaturesBasedOnCount (last step of the narrow
        // table's featurizer), then the classifier: the same scores as the narrow test rows.
        var selector = ((IEnumerable<ITransformer>)narrow.Featurizer).Last();
        Assert.That(Scores(model, full, selector), Is.EqualTo(Scores(model, narrow)));
        // And nearly the model SDCA fits on the full width (the weights of unused columns stay zero; only the order of
        // floating-point sums differs).
        var wide = ComparisonRunner.FitClassifier(spec, new FeatureTable { Train = full.Train, Test = full.Test, Size = width, Featurizer = full.Featurizer, SdcaL1 = 1f }, rows, trainLabels, classes, 1, CancellationToken.None);
        var a = Scores(model, narrow);
        var b = Scores(wide, full);
        for (int i = 0; i < a.Length; i++) Assert.That(a[i], Is.EqualTo(b[i]).Within(1e-3), $"row {i}");
        double accuracy = ComparisonRunner.Evaluate(model, narrow, true, all, testLabels, classes, TrainerKind.Sdca).Accuracy;
        Assert.That(accuracy, Is.GreaterThan(0.75), "a real fit (chance is 0.5)");
    }

    [Test]
    public void SelfTrainingLearnsFromThePoolWithoutReadingItsLabels()
    {
        // Two overlapping Gaussian classes in 4 dimensions, three classes' worth of names so that a garbage label would
        // break the label mapping; 12 labelled rows, 600 unlabelled.
        var rng = new Random(11);
        float Gauss() => (float)(Math.Sqrt(-2 * Math.Log(1 - rng.NextDouble())) * Math.Cos(2 * Math.PI * rng.NextDouble()));
        VBuffer<float> Point(int cls) => new(4, Enumerable.Range(0, 4).Select(d => (d < 2 ? (cls == 1 ? 1.2f : -1.2f) : 0f) + Gauss()).ToArray());
        var y = Enumerable.Range(0, 612).Select(i => i % 2).ToArray();
        var yTest = Enumerable.Range(0, 400).Select(i => (i / 5) % 2).ToArray();
        var ml = new MLContext(1);
        var table = new FeatureTable
        {
            Train = y.Select(Point).ToArray(), Test = yTest.Select(Point).ToArray(), Size = 4,
            Featurizer = ml.Transforms.CopyColumns("Unused", CandidatePipelines.FeaturesColumn).Fit(ml.Data.LoadFromEnumerable(Array.Empty<DenseRow>())),
        };
        var classes = new[] { "neg", "pos" };
        var labels = y.Select(c => classes[c]).ToArray();
        var rows = Enumerable.Range(0, 12).ToArray();
        // The labels outside the labelled rows are garbage: self-training must never read them.
        var garbage = labels.Select((l, i) => i < 12 ? l : "not a class " + i).ToArray();
        var spec = new CandidateSpec(FeaturizerKind.Vae, TrainerKind.Sdca, new VaeSettings(4, 1), SelfTrained: true);
        var selfTrained = ComparisonRunner.FitClassifier(spec, table, rows, garbage, classes, 3, CancellationToken.None);
        var again = ComparisonRunner.FitClassifier(spec, table, rows, labels, classes, 3, CancellationToken.None);
        var plain = ComparisonRunner.FitClassifier(spec with { SelfTrained = false }, table, rows, labels, classes, 3, CancellationToken.None);
        var all = Enumerable.Range(0, 400).ToArray();
        float[] Scores(ITransformer m)
        {
            var view = table.View(ml, true, all, yTest.Select(c => classes[c]).ToArray());
            var mapped = TextClassifierPipeline.LabelMapping(ml, FeatureTable.LabelTextColumn, classes, true).Fit(view).Transform(view);
            return m.Transform(mapped).GetColumn<float>("Score").ToArray();
        }
        Assert.That(Scores(selfTrained), Is.EqualTo(Scores(again)), "the pool's labels play no part");
        Assert.That(Scores(selfTrained), Is.Not.EqualTo(Scores(plain)), "the pool changes the classifier");
        var testLabels = yTest.Select(c => classes[c]).ToArray();
        double accSelf = ComparisonRunner.Evaluate(selfTrained, table, true, all, testLabels, classes, TrainerKind.Sdca).Accuracy;
        Assert.That(accSelf, Is.GreaterThan(0.8), "a separable problem stays solved");

        // The pool: neither labelled nor held-out rows, at most MaxPool of them, seeded, ascending.
        var heldOut = new[] { 20, 21, 22 };
        var pool = SelfTraining.Pool(612, rows, heldOut, 3);
        Assert.That(pool, Is.EqualTo(Enumerable.Range(12, 600).Except(heldOut)));
        var big = SelfTraining.Pool(30_000, rows, null, 3);
        Assert.That(big, Has.Length.EqualTo(SelfTraining.MaxPool));
        Assert.That(big, Is.Ordered.Ascending.And.Unique);
        Assert.That(big.Min(), Is.GreaterThanOrEqualTo(12));
        Assert.That(SelfTraining.Pool(30_000, rows, null, 3), Is.EqualTo(big));
        Assert.That(SelfTraining.Pool(30_000, rows, null, 4), Is.Not.EqualTo(big));
    }

    /// <summary>
    /// The comparison's FastTree fits without the full collections ML.NET forces in every fit (plain FastTree: at least
    /// two), and scores every row as the plain trainer does.
    /// </summary>
    [Test]
    public void FastTreeFitsWithoutForcedCollectionsAndScoresTheSame()
    {
        var ml = new MLContext(3);
        var rng = new Random(5);
        var rows = Enumerable.Range(0, 300).Select(i =>
        {
            var f = Enumerable.Range(0, 4).Select(_ => (float)rng.NextDouble()).ToArray();
            return new BinaryDenseRow { Label = f[0] + 0.5f * f[1] > 0.8f, Features = f };
        }).ToList();
        var data = ml.Transforms.CopyColumns(CandidatePipelines.FeaturesColumn, nameof(BinaryDenseRow.Features))
            .Append(ml.Transforms.CopyColumns(CandidatePipelines.LabelColumn, nameof(BinaryDenseRow.Label)))
            .Fit(ml.Data.LoadFromEnumerable(rows)).Transform(ml.Data.LoadFromEnumerable(rows));
        data = ml.Data.Cache(data);
        ITransformer FitCounting(IEstimator<ITransformer> trainer, out int fullCollections)
        {
            int before = GC.CollectionCount(2);
            var model = trainer.Fit(data);
            fullCollections = GC.CollectionCount(2) - before;
            return model;
        }
        var ours = FitCounting(CandidatePipelines.Trainer(ml, TrainerKind.FastTree, FeaturizerKind.Vae, 2, rows.Count), out int oursCollections);
        var plain = FitCounting(ml.BinaryClassification.Trainers.FastTree(new Microsoft.ML.Trainers.FastTree.FastTreeBinaryTrainer.Options
        {
            LabelColumnName = CandidatePipelines.LabelColumn, FeatureColumnName = CandidatePipelines.FeaturesColumn,
            NumberOfThreads = 1, MinimumExampleCountPerLeaf = Math.Clamp(rows.Count / 50, 1, 10),
        }), out int plainCollections);
        Assert.That(plainCollections, Is.GreaterThanOrEqualTo(2), "ML.NET's FastTree forces full collections (else this test shows nothing)");
        Assert.That(oursCollections, Is.EqualTo(0));
        float[] Scores(ITransformer m) => m.Transform(data).GetColumn<float>("Score").ToArray();
        Assert.That(Scores(ours), Is.EqualTo(Scores(plain)));
    }

    private sealed class BinaryDenseRow
    {
        public bool Label { get; set; }
        [Microsoft.ML.Data.VectorType(4)]
        public float[] Features { get; set; } = [];
    }

    private sealed class DenseRow
    {
        [Microsoft.ML.Data.VectorType(4)]
        public float[] Features { get; set; } = [];
    }

    private sealed class WideRow
    {
        [Microsoft.ML.Data.VectorType(40_000)]
        public float[] Features { get; set; } = [];
    }

    [Test]
    public void PcaFindsTheDominantDirectionDeterministically()
    {
        var rng = new VaeText.Core.Rng(1);
        var data = new List<float[]>();
        for (int i = 0; i < 300; i++)
        {
            double t = rng.NextGaussian() * 10, u = rng.NextGaussian() * 2, noise = rng.NextGaussian() * 0.1;
            // Main axis (1,1,0)/√2 with std 10, second axis (0,0,1) with std 2.
            data.Add(new[] { (float)(t / Math.Sqrt(2) + noise), (float)(t / Math.Sqrt(2) - noise), (float)u });
        }
        var p = Pca.Project2D(data);
        var q = Pca.Project2D(data);
        Assert.That(p.X, Is.EqualTo(q.X));
        Assert.That(p.ExplainedFirst, Is.GreaterThan(0.9));
        Assert.That(p.ExplainedFirst + p.ExplainedSecond, Is.GreaterThan(0.999));
        double varX = p.X.Select(x => x * x).Sum() / 299, varY = p.Y.Select(y => y * y).Sum() / 299;
        Assert.That(Math.Sqrt(varX), Is.EqualTo(10).Within(1.5));
        Assert.That(Math.Sqrt(varY), Is.EqualTo(2).Within(0.4));
        // Projections are uncorrelated.
        double cov = p.X.Zip(p.Y, (x, y) => x * y).Sum() / 299;
        Assert.That(Math.Abs(cov), Is.LessThan(1e-6 * Math.Sqrt(varX * varY) + 1e-9));
    }

    [Test]
    public void NpmiScoresCooccurringWordsHigher()
    {
        var docs = new[] { "apple banana", "apple banana", "cherry", "durian", "apple banana cherry" };
        var npmi = Npmi.Coherence(new IReadOnlyList<string>[] { new[] { "apple", "banana" }, new[] { "cherry", "durian" } }, docs);
        // apple & banana: p = 3/5 each and jointly → ln(1/(3/5)) / −ln(3/5) = 1.
        Assert.That(npmi[0], Is.EqualTo(1.0).Within(1e-12));
        Assert.That(npmi[1], Is.EqualTo(-1.0));
    }

    [Test]
    public void NpmiMatchesAHandComputedValueAndSplitsCjkLikeTheVaeTokenizer()
    {
        // a: docs 0,1,2; b: docs 1,2,3; both: docs 1,2 (n = 5). NPMI = ln((2/5) / (3/5 · 3/5)) / −ln(2/5).
        var docs = new[] { "A x", "a, b!", "b a", "b", "z" };
        var npmi = Npmi.Coherence(new IReadOnlyList<string>[] { new[] { "a", "b" } }, docs);
        Assert.That(npmi[0], Is.EqualTo(Math.Log(0.4 / 0.36) / -Math.Log(0.4)).Within(1e-12));
        // CJK characters are tokens of their own (as in a VAE's vocabulary): 股 and 市 co-occur in every document that has either.
        var cjk = Npmi.Coherence(new IReadOnlyList<string>[] { new[] { "股", "市" }, new[] { "股", "球" } }, new[] { "股市大涨", "今日股市", "足球比赛" });
        Assert.That(cjk[0], Is.EqualTo(1.0).Within(1e-12));
        Assert.That(cjk[1], Is.EqualTo(-1.0));
        Assert.That(Npmi.Coherence(new IReadOnlyList<string>[] { new[] { "a" } }, docs)[0], Is.NaN);
    }

    [Test]
    public void LdaTopicWordsComeFromOneThemeEach()
    {
        using var corpus = new TinyCorpus(trainPerClass: 100);
        var ml = new MLContext(1);
        var train = ComparisonRunner.Load(ml, corpus.Train, "label", "text", CancellationToken.None);
        var fitted = CandidatePipelines.Lda(ml, "text", 3, 1).Fit(train.View);
        var topics = TopicWords.FromLda(fitted, train.View.Schema, 6)!;
        Assert.That(topics.Count, Is.EqualTo(3));
        var themes = TinyCorpus.Themes.ToDictionary(t => t.Label, t => t.Words);
        var seen = new List<string>();
        foreach (var words in topics)
        {
            Assert.That(words.Count, Is.EqualTo(6));
            // The top four words of each topic belong to one theme, and each theme has its own topic.
            var theme = themes.Single(t => t.Value.Contains(words[0])).Key;
            Assert.That(words.Take(4), Is.SubsetOf(themes[theme]), string.Join(" ", words));
            seen.Add(theme);
        }
        Assert.That(seen, Is.Unique);
        // The documents as the LDA chain saw them: each text's distinct words without the stop word "the".
        var docWords = TopicWords.LdaDocumentWords(fitted, train.View, CancellationToken.None);
        Assert.That(docWords.Count, Is.EqualTo(train.Texts.Length));
        for (int d = 0; d < 5; d++)
            Assert.That(docWords[d], Is.EquivalentTo(train.Texts[d].Split(' ').Where(w => w != "the").Distinct()));
        Assert.That(TopicWords.FromLda(ml.Transforms.Text.NormalizeText("N", "text").Fit(train.View), train.View.Schema), Is.Null, "no LDA step");
    }

    [Test]
    public void LeaderboardRanksByCrossValidationNotByTestAccuracy()
    {
        CandidateResult Row(FeaturizerKind f, int? n, double[] cv, double[] test)
        {
            var r = new CandidateResult { Spec = new CandidateSpec(f, TrainerKind.Sdca, f is FeaturizerKind.Vae or FeaturizerKind.Both ? new VaeSettings(8, 2) : null), Labels = n };
            foreach (var a in cv) { r.CvAccuracies.Add(a); r.ClassifierSeconds.Add(0.1); }
            foreach (var a in test) { r.Accuracies.Add(a); r.MacroAccuracies.Add(a); }
            return r;
        }
        var rows = new[]
        {
            Row(FeaturizerKind.Ngrams, null, [0.80], [0.95]),
            Row(FeaturizerKind.Vae, 200, [0.7, 0.8], [0.6, 0.62]),
            Row(FeaturizerKind.Ngrams, 200, [0.6, 0.62], [0.9, 0.9]), // best on test, worse by CV: not selected
            Row(FeaturizerKind.Vae, null, [0.85], [0.85]),
            Row(FeaturizerKind.Both, 200, [], []),
            Row(FeaturizerKind.Lda, 200, [double.NaN, double.NaN], [0.99, 0.99]), // no CV score: ranked after every scored row
        };
        var ranked = Leaderboard.Rank(rows);
        Assert.That(ranked.Select(r => (r.Labels, r.Rank, r.Spec.FeaturizerId, r.Selected)), Is.EqualTo(new (int?, int, string, bool)[]
        {
            (200, 1, "vae", true), (200, 2, "ngrams", false), (200, 3, "lda", false), (200, 0, "both", false), (null, 1, "vae", true), (null, 2, "ngrams", false),
        }));
        Assert.That(Leaderboard.Best(ranked)!.Spec.FeaturizerId, Is.EqualTo("vae"));
        Assert.That(Leaderboard.Best(ranked)!.Labels, Is.Null);
        Assert.That(Leaderboard.FormatAccuracy(ranked[0]), Is.EqualTo("61.00 ± 1.41"));
        Assert.That(Leaderboard.FormatCv(ranked[0]), Is.EqualTo("75.00"));
        Assert.That(Leaderboard.FormatCv(ranked[2]), Is.EqualTo("—"));
    }

    [Test]
    public void FoldsAreStratifiedDeterministicAndCoverEveryRowOnce()
    {
        // 3 classes of 20, 10 and 2 rows (the last smaller than k).
        var y = Enumerable.Range(0, 32).Select(i => i < 20 ? 0 : i < 30 ? 1 : 2).ToArray();
        var rows = Enumerable.Range(0, 32).Select(i => i * 3 % 32).ToArray(); // a permutation
        var folds = CrossValidationFolds.Create(rows, y, seed: 4)!;
        Assert.That((folds.K, folds.Run), Is.EqualTo((5, 5)));
        var seen = new List<int>();
        for (int f = 0; f < folds.K; f++)
        {
            var (train, eval) = folds.Split(rows, f);
            Assert.That(train.Length + eval.Length, Is.EqualTo(32));
            Assert.That(train.Intersect(eval), Is.Empty);
            Assert.That(eval.Count(r => y[r] == 0), Is.EqualTo(4), "class 0 (20 rows) is spread evenly");
            Assert.That(eval.Count(r => y[r] == 1), Is.EqualTo(2), "class 1 (10 rows) is spread evenly");
            seen.AddRange(eval);
        }
        Assert.That(seen.OrderBy(r => r), Is.EqualTo(rows.OrderBy(r => r)));
        // The tiny class lands in 2 folds, one row each.
        Assert.That(Enumerable.Range(0, 5).Count(f => folds.Split(rows, f).Eval.Any(r => y[r] == 2)), Is.EqualTo(2));
        var again = CrossValidationFolds.Create(rows, y, seed: 4)!;
        Assert.That(again.Split(rows, 2).Eval, Is.EqualTo(folds.Split(rows, 2).Eval));
        Assert.That(CrossValidationFolds.Create(rows, y, seed: 5)!.Split(rows, 2).Eval, Is.Not.EqualTo(folds.Split(rows, 2).Eval));
    }

    [Test]
    public void FewRowsGetFewerFoldsOrNoneAndManyRowsAHoldOut()
    {
        var y = Enumerable.Range(0, 6000).Select(i => i % 2).ToArray();
        Assert.That(CrossValidationFolds.Create(new[] { 0, 1, 2 }, y, 1), Is.Null);
        var four = CrossValidationFolds.Create(new[] { 0, 1, 2, 3 }, y, 1)!;
        Assert.That((four.K, four.Run), Is.EqualTo((2, 2)));
        Assert.That(CrossValidationFolds.Create(Enumerable.Range(0, 7).ToArray(), y, 1)!.K, Is.EqualTo(3));
        Assert.That(CrossValidationFolds.Create(Enumerable.Range(0, 1999).ToArray(), y, 1)!.Run, Is.EqualTo(5));
        Assert.That(CrossValidationFolds.Create(Enumerable.Range(0, 2000).ToArray(), y, 1)!.Run, Is.EqualTo(1), "hold-out from 2,000 rows on");
        var big = CrossValidationFolds.Create(Enumerable.Range(0, 6000).ToArray(), y, 1)!;
        Assert.That((big.K, big.Run, big.Describe()), Is.EqualTo((5, 1, "hold-out (1 of 5 folds)")));
        Assert.That(big.Split(Enumerable.Range(0, 6000).ToArray(), 0).Eval.Length, Is.EqualTo(1200));
    }

    [Test]
    public void AtomicFileSetLeavesNothingWhenNotCommitted()
    {
        var dir = Path.Combine(Path.GetTempPath(), "vaetext-atomic-" + Guid.NewGuid().ToString("N")[..8]);
        Directory.CreateDirectory(dir);
        try
        {
            using (var set = new AtomicFileSet())
            {
                set.StageText(Path.Combine(dir, "a.txt"), "hello");
                Assert.Throws<InvalidOperationException>(() => set.Stage(Path.Combine(dir, "b.txt"), tmp => { File.WriteAllText(tmp, "x"); throw new InvalidOperationException("boom"); }));
            }
            Assert.That(Directory.GetFiles(dir), Is.Empty);
            using (var set = new AtomicFileSet())
            {
                set.StageText(Path.Combine(dir, "a.txt"), "hello");
                set.Commit();
            }
            Assert.That(Directory.GetFiles(dir).Select(Path.GetFileName), Is.EqualTo(new[] { "a.txt" }));
            Assert.That(File.ReadAllText(Path.Combine(dir, "a.txt")), Is.EqualTo("hello"));
        }
        finally { Directory.Delete(dir, true); }
    }
}
