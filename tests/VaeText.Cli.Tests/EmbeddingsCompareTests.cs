using System.Diagnostics;
using System.Text.Json;
using Microsoft.ML;
using Microsoft.ML.Data;
using Microsoft.ML.Transforms;
using NUnit.Framework;
using VaeText.Cli.Tests.Support;
using VaeText.Experiments;

namespace VaeText.Cli.Tests;

/// <summary>
/// `compare --embeddings`: the sentence-embedding candidates through a fake model (fast, deterministic), the option's
/// errors, and the real MiniLM (skipped when its model cannot load).
/// </summary>
[NonParallelizable]
public class EmbeddingsCompareTests : ThreeTopicCorpusFixture
{
    private ComparisonOptions Options(SentenceEmbeddingModel model, VaeSettings vae, IReadOnlyList<CandidateSpec> candidates, int? testSample = null,
        IReadOnlyList<int?>? labeled = null, int seeds = 1) => new()
    {
        TrainPath = _train,
        TestPath = _test,
        Labeled = labeled ?? [10],
        Seeds = seeds,
        Vae = vae,
        Variants = false,
        Embeddings = model,
        TestSample = testSample,
        Candidates = candidates,
    };

    [Test]
    public void FakeEmbeddingCandidatesAppearInResultsWithTheirNamesAndEncodeOnlyWhatIsNeeded()
    {
        var encoded = new List<string>();
        var model = FakeEmbeddingFactory.Model(encoded);
        var vae = new VaeSettings(4, 2);
        var candidates = new List<CandidateSpec> { new(FeaturizerKind.Ngrams, TrainerKind.Sdca, null) };
        candidates.AddRange(ComparisonOptions.EmbeddingCandidates(model, vae));
        var dir = Path.Combine(_dir, "run");
        var ctx = new CliContext(new StringWriter(), new StringWriter(), interactive: false);
        int code = Commands.CompareCommand.Run(ctx, Options(model, vae, candidates, testSample: 12, seeds: 2), dir, json: false, CancellationToken.None);
        Assert.That(code, Is.EqualTo(0), ctx.Out.ToString());

        using var doc = JsonDocument.Parse(File.ReadAllText(Path.Combine(dir, "results.json")));
        var rows = doc.RootElement.GetProperty("candidates").EnumerateArray()
            .ToDictionary(c => c.GetProperty("pipeline").GetString()!, c => c.GetProperty("featurizer").GetString()!);
        Assert.That(rows, Is.EquivalentTo(new Dictionary<string, string>
        {
            ["TF-IDF 1–2-grams + SDCA"] = "ngrams",
            ["Fake + SDCA"] = "embeddings",
            ["Fake ⊕ VAE 4d/2ep + SDCA"] = "embeddings_vae",
        }));
        Assert.That(doc.RootElement.GetProperty("candidates").EnumerateArray().All(c => c.GetProperty("status").GetString() == "ok" && c.GetProperty("seeds").GetInt32() == 2));
        // The test split is the seeded sample of 12 of its 24 documents, for every candidate.
        Assert.That(doc.RootElement.GetProperty("test_documents").GetInt32(), Is.EqualTo(12));
        Assert.That(doc.RootElement.GetProperty("evaluation").GetString(), Does.Contain("sample of 12 of its 24"));
        Assert.That(doc.RootElement.GetProperty("candidates").EnumerateArray().All(c => c.GetProperty("accuracies").GetArrayLength() == 2));
        // Encoded once: the union of the two labelled draws of 10 (not all 60 training texts) and the 12 sampled test texts.
        int union = LabelSampler.Draw(10, 60, 1).Union(LabelSampler.Draw(10, 60, 2)).Count();
        var run = doc.RootElement.GetProperty("embedding_runs").EnumerateArray().Single();
        Assert.That(run.GetProperty("model").GetString(), Is.EqualTo("Fake"));
        Assert.That(run.GetProperty("train_documents").GetInt32(), Is.EqualTo(union));
        Assert.That(run.GetProperty("test_documents").GetInt32(), Is.EqualTo(12));
        Assert.That(encoded.Count, Is.EqualTo(union + 12));
        Assert.That(run.GetProperty("documents_per_second").GetDouble(), Is.GreaterThan(0));
        // The embedding ⊕ VAE row records the latent weight its cross-validation chose per seed.
        var both = doc.RootElement.GetProperty("candidates").EnumerateArray().Single(c => c.GetProperty("featurizer").GetString() == "embeddings_vae");
        Assert.That(both.GetProperty("latent_weights").GetArrayLength(), Is.EqualTo(2));
        Assert.That(both.GetProperty("featurizer_seconds").GetDouble(), Is.GreaterThanOrEqualTo(run.GetProperty("seconds").GetDouble()));
    }

    [Test]
    public void SavedFakeEmbeddingModelReproducesItsTestAccuracy()
    {
        var model = FakeEmbeddingFactory.Model(null);
        var dir = Path.Combine(_dir, "run");
        var ctx = new CliContext(new StringWriter(), new StringWriter(), interactive: false);
        var vae = new VaeSettings(4, 2);
        int code = Commands.CompareCommand.Run(ctx, Options(model, vae, [ComparisonOptions.EmbeddingCandidates(model, vae)[0]], labeled: [30]), dir, json: false, CancellationToken.None);
        Assert.That(code, Is.EqualTo(0), ctx.Out.ToString());
        using var doc = JsonDocument.Parse(File.ReadAllText(Path.Combine(dir, "results.json")));
        double accuracy = doc.RootElement.GetProperty("candidates")[0].GetProperty("accuracies")[0].GetDouble();
        Assert.That(accuracy, Is.GreaterThan(0.6), "the fake embedding separates the topics");
        var saved = SavedModel.Load(Path.Combine(dir, "best-model.zip"));
        var data = saved.Ml.Data.LoadFromTextFile(_test, [new("label", DataKind.String, 0), new("text", DataKind.String, 1)], '\t', hasHeader: true);
        var predicted = saved.Model.Transform(data).GetColumn<ReadOnlyMemory<char>>("PredictedLabel").Select(m => m.ToString()).ToArray();
        var truth = data.GetColumn<ReadOnlyMemory<char>>("label").Select(m => m.ToString()).ToArray();
        Assert.That(truth.Zip(predicted).Count(p => p.First == p.Second) / (double)truth.Length, Is.EqualTo(accuracy).Within(1e-6));
    }

    [Test]
    public void TimeBudgetStopsTheEncoding()
    {
        // An encoder that would take a minute unless its token is cancelled.
        var slow = new SentenceEmbeddingModel
        {
            Name = "Slow", Description = "waits", Dimension = 2,
            Encode = (texts, ct) =>
            {
                ct.WaitHandle.WaitOne(TimeSpan.FromSeconds(60));
                ct.ThrowIfCancellationRequested();
                return texts.Select(_ => new float[] { 1, 0 }).ToArray();
            },
            Estimator = FakeEmbeddingFactory.Model(null).Estimator,
        };
        var vae = new VaeSettings(4, 2);
        var options = Options(slow, vae, ComparisonOptions.EmbeddingCandidates(slow, vae));
        var sw = Stopwatch.StartNew();
        using var outcome = new ComparisonRunner().Run(new ComparisonOptions
        {
            TrainPath = options.TrainPath, TestPath = options.TestPath, Labeled = options.Labeled, Vae = vae, Variants = false,
            Embeddings = slow, Candidates = options.Candidates, TimeBudgetSeconds = 3,
        }, null, CancellationToken.None);
        Assert.That(sw.Elapsed.TotalSeconds, Is.LessThan(40), "the encoder's token was cancelled at the budget");
        var rows = outcome.Report.Candidates.Where(r => r.Spec.UsesEmbeddings).ToList();
        Assert.That(rows, Has.Count.EqualTo(2));
        Assert.That(rows.Select(r => r.Status), Is.All.StartWith("skipped: time budget"));
        Assert.That(outcome.Report.EmbeddingRuns, Is.Empty);
    }

    [TestCase("--embeddings", "bert", "--embeddings must be one of none, minilm (got 'bert')")]
    [TestCase("--test-sample", "0", "--test-sample must be a positive number of test documents (got 0)")]
    [TestCase("--test-sample", "many", "many")]
    public async Task BadEmbeddingOptionsAreOneLineErrors(string option, string value, string message)
    {
        var dir = Path.Combine(_dir, "x");
        var (code, _, err) = await CliRunner.Run("compare", "--dataset", _train, "--test", _test, "--out", dir, option, value);
        Assert.That(code, Is.EqualTo(2), err);
        Assert.That(err, Does.Contain(message));
        Assert.That(Directory.Exists(dir), Is.False);
    }

    [Test]
    public async Task TestSampleWithoutATestSplitIsAnError()
    {
        var (code, _, err) = await CliRunner.Run("compare", "--dataset", _train, "--out", Path.Combine(_dir, "x"), "--test-sample", "5");
        Assert.That(code, Is.EqualTo(2), err);
        CliRunner.AssertOneLineError(err, "--test-sample needs a test split (--test)");
    }

    /// <summary>The real MiniLM, or the test is ignored when its model cannot load here.</summary>
    private static void RequireMiniLm()
    {
        try { MiniLm.Encode(["warm up"], CancellationToken.None); }
        catch (Exception e) when (e is not AssertionException)
        {
            Assert.Ignore("the MiniLM model cannot load here: " + e.Message);
        }
    }

    private static double Cosine(float[] a, float[] b) => a.Zip(b, (x, y) => (double)x * y).Sum() / Math.Sqrt(a.Sum(x => (double)x * x) * b.Sum(x => (double)x * x));

    [Test]
    public void MiniLmCutsLongTextsToItsWindowAndRanksParaphrasesAboveUnrelatedText()
    {
        RequireMiniLm();
        // 40,000 words: without the cut the encoder would attend over every pair of them (minutes, gigabytes).
        string longText = string.Join(' ', Enumerable.Range(0, 4000).Select(i => "The film was long, but the acting was wonderful and worth it."));
        var (cut, pieces) = MiniLm.Truncate(longText);
        Assert.That(pieces, Is.LessThanOrEqualTo(MiniLm.WindowTokens).And.GreaterThan(MiniLm.WindowTokens - 8));
        Assert.That(cut, Does.StartWith("the film was long , but the acting was wonderful"), "lower case, punctuation split off");
        Assert.That(MiniLm.Truncate("A short review.").Text, Is.EqualTo("A short review."), "a text within the window is unchanged");

        var sw = Stopwatch.StartNew();
        var v = MiniLm.Encode([longText, "A man is playing a guitar.", "Someone plays the guitar.", "The stock market fell sharply today."], CancellationToken.None);
        Assert.That(sw.Elapsed.TotalSeconds, Is.LessThan(20), "the long text is encoded within the window");
        Assert.That(v.Select(x => x.Length), Is.All.EqualTo(384));
        Assert.That(Math.Sqrt(v[1].Sum(x => (double)x * x)), Is.EqualTo(1).Within(1e-3), "unit length");
        Assert.That(Cosine(v[1], v[2]), Is.GreaterThan(0.6));
        Assert.That(Cosine(v[1], v[2]), Is.GreaterThan(Cosine(v[1], v[3]) + 0.4));
        // The saved model's one-document mapping gives the batch's vector.
        Assert.That(Cosine(MiniLm.EncodeOne("Someone plays the guitar."), v[2]), Is.GreaterThan(0.9999));
        using var cts = new CancellationTokenSource();
        cts.Cancel();
        Assert.Throws<OperationCanceledException>(() => MiniLm.Encode(["x"], cts.Token));
    }

    [Test]
    public void SavedMiniLmModelLoadsInVaetextAndReproducesItsTestAccuracy()
    {
        RequireMiniLm();
        var model = MiniLm.Model();
        var dir = Path.Combine(_dir, "run");
        var ctx = new CliContext(new StringWriter(), new StringWriter(), interactive: false);
        var vae = new VaeSettings(4, 2);
        int code = Commands.CompareCommand.Run(ctx, Options(model, vae, [ComparisonOptions.EmbeddingCandidates(model, vae)[0]], testSample: 12, labeled: [12]), dir, json: false, CancellationToken.None);
        Assert.That(code, Is.EqualTo(0), ctx.Out.ToString());
        using var doc = JsonDocument.Parse(File.ReadAllText(Path.Combine(dir, "results.json")));
        Assert.That(doc.RootElement.GetProperty("best").GetProperty("pipeline").GetString(), Is.EqualTo("MiniLM + SDCA"));
        double accuracy = doc.RootElement.GetProperty("candidates")[0].GetProperty("accuracies")[0].GetDouble();
        var saved = SavedModel.Load(Path.Combine(dir, "best-model.zip"));
        int[] rows = LabelSampler.Draw(12, 24, 1);
        var lines = File.ReadAllLines(_test).Skip(1).ToArray();
        var sample = rows.Select(r => lines[r].Split('\t')).Select(p => new Row { Label = p[0], Text = p[1] }).ToList();
        var data = saved.Ml.Data.LoadFromEnumerable(sample);
        var predicted = saved.Model.Transform(data).GetColumn<ReadOnlyMemory<char>>("PredictedLabel").Select(m => m.ToString()).ToArray();
        Assert.That(sample.Zip(predicted).Count(p => p.First.Label == p.Second) / (double)sample.Count, Is.EqualTo(accuracy).Within(1e-6));
    }

    private sealed class Row
    {
        [ColumnName("label")] public string Label { get; set; } = "";
        [ColumnName("text")] public string Text { get; set; } = "";
    }
}

/// <summary>
/// A deterministic stand-in for a sentence-embedding model: words hashed (FNV-1a) into 8 buckets, L2-normalised; saved
/// in models as a <c>CustomMapping</c> of this test assembly.
/// </summary>
[CustomMappingFactoryAttribute(ContractName)]
public sealed class FakeEmbeddingFactory : CustomMappingFactory<FakeEmbeddingFactory.Input, FakeEmbeddingFactory.Output>
{
    public const string ContractName = "VaeText.Tests.FakeEmbedding";
    public const int Dimension = 8;
    private const string TextColumn = "FakeText";

    internal static SentenceEmbeddingModel Model(List<string>? encoded) => new()
    {
        Name = "Fake",
        Description = "hashed words, 8-d",
        Dimension = Dimension,
        Encode = (texts, ct) =>
        {
            ct.ThrowIfCancellationRequested();
            encoded?.AddRange(texts);
            return texts.Select(Vector).ToArray();
        },
        Estimator = (ml, text) => ml.Transforms.CopyColumns(TextColumn, text).Append(ml.Transforms.CustomMapping(new FakeEmbeddingFactory().GetMapping(), ContractName)),
    };

    public static float[] Vector(string text)
    {
        var v = new float[Dimension];
        foreach (var word in text.Split(' ', StringSplitOptions.RemoveEmptyEntries))
        {
            uint h = 2166136261;
            foreach (char c in word) h = (h ^ c) * 16777619;
            v[h % Dimension] += 1;
        }
        float norm = MathF.Sqrt(v.Sum(x => x * x));
        if (norm > 0) for (int i = 0; i < v.Length; i++) v[i] /= norm;
        return v;
    }

    public override Action<Input, Output> GetMapping() => static (i, o) => o.Embedding = Vector(i.Text.ToString());

    public sealed class Input
    {
        [ColumnName(TextColumn)] public ReadOnlyMemory<char> Text { get; set; }
    }

    public sealed class Output
    {
        [ColumnName(SentenceEmbeddingModel.EmbeddingColumn), VectorType(Dimension)] public float[] Embedding { get; set; } = [];
    }
}
