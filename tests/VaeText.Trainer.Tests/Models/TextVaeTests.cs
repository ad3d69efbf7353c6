using NUnit.Framework;
using VaeText.Core;
using VaeText.Models;
using VaeText.Training;

namespace VaeText.Tests.Models;

public class TextVaeTests
{
    private static readonly string[][] Topics =
    {
        new[] { "goal", "match", "team", "score", "league", "coach", "player", "season" },
        new[] { "market", "stock", "price", "bank", "trade", "profit", "shares", "economy" },
        new[] { "film", "actor", "movie", "scene", "director", "plot", "cinema", "role" },
    };

    internal static List<string> Corpus(int n = 60, int seed = 3)
    {
        var r = new Rng(seed);
        var texts = new List<string>();
        for (int d = 0; d < n; d++)
        {
            var t = Topics[d % 3];
            var words = Enumerable.Range(0, 6 + r.NextInt(8)).Select(_ => r.NextDouble() < 0.85 ? t[r.NextInt(t.Length)] : Topics[r.NextInt(3)][r.NextInt(8)]);
            texts.Add(string.Join(' ', words) + (d % 7 == 0 ? " The END!" : "."));
        }
        return texts;
    }

    private static TextVae TrainSmall() => TextVae.Train(Corpus(), new TextVaeOptions
    {
        Model = new BowVaeOptions { EncoderHiddenSizes = new[] { 12 }, LatentSize = 3, Seed = 2 },
        Training = new VaeTrainingOptions { Epochs = 3, BatchSize = 16, AnnealingSteps = 10, MaxThreads = 1 },
    });

    [Test]
    public void TrainEncodeTopWordsAndUnknownTextsLikeTheModel()
    {
        var vae = TrainSmall();
        Assert.That(vae.Vocabulary.Count, Is.EqualTo(26));
        Assert.That(vae.TrainingResult!.Epochs.Count, Is.EqualTo(3));
        var z = vae.Encode(new[] { "goal match team", "", "zzz qqq", "stock price" });
        Assert.That(z.Length, Is.EqualTo(12));
        Assert.That(z.AsSpan(3, 3).ToArray(), Is.EqualTo(z.AsSpan(6, 3).ToArray()), "empty and all-OOV texts are both an empty bag");
        Assert.That(z.AsSpan(3, 3).ToArray(), Is.EqualTo(vae.BagOfWordsModel!.Encode(vae.Featurize([""]), 1)), "encoded like the model encodes an empty bag (as the ONNX export does)");
        Assert.That(z.AsSpan(0, 3).ToArray(), Is.Not.EqualTo(z.AsSpan(3, 3).ToArray()));
        var d = vae.EncodeDetailed(new[] { "goal match team", "" });
        Assert.That(d.Means.AsSpan(0, 3).ToArray(), Is.EqualTo(z.AsSpan(0, 3).ToArray()));
        Assert.That(d.ReconstructionError[1], Is.EqualTo(0));
        Assert.That(d.ReconstructionError[0], Is.GreaterThan(0));
        var top = vae.TopWords(0, 4);
        Assert.That(top.Count, Is.EqualTo(4));
        Assert.That(top.All(w => vae.Vocabulary.Contains(w)));
    }

    /// <summary>Trainings that share a cache tokenize the corpus once and give the models trained without it.</summary>
    [Test]
    public void TrainingsSharingACacheTokenizeOnceAndTrainTheSameModels()
    {
        var texts = Corpus(90, 4);
        var other = Corpus(20, 9);
        TextVaeOptions Options(int latent, VaeText.Text.BagOfWordsCache? cache) => new()
        {
            Model = new BowVaeOptions { EncoderHiddenSizes = new[] { 12 }, LatentSize = latent, Seed = 2 },
            Training = new VaeTrainingOptions { Epochs = 2, BatchSize = 16, AnnealingSteps = 10, MaxThreads = 1 },
            Vocabulary = new VaeText.Text.VocabularyOptions { StopWords = VaeText.Text.StopWords.English },
            Cache = cache,
        };
        var cache = new VaeText.Text.BagOfWordsCache();
        foreach (int latent in new[] { 2, 3 })
        {
            var plain = TextVae.Train(texts, Options(latent, null));
            var shared = TextVae.Train(texts.ToList(), Options(latent, cache));
            Assert.That(shared.Vocabulary.Terms, Is.EqualTo(plain.Vocabulary.Terms));
            Assert.That(shared.BagOfWordsModel!.GetParameters(), Is.EqualTo(plain.BagOfWordsModel!.GetParameters()));
            Assert.That(shared.EncodeMeans(texts, 1), Is.EqualTo(plain.EncodeMeans(texts, 1)));
            Assert.That(shared.EncodeMeans(other, 1), Is.EqualTo(plain.EncodeMeans(other, 1)));
        }
        // One vocabulary fit of the corpus and one count matrix of the other texts: the second model got the first one's vocabulary.
        Assert.That(cache.Computed, Is.EqualTo(2));
    }

    [Test]
    public void TopicViewPrefersFrequentLetterWordsOverNumbersShortAndRareTokens()
    {
        string[] terms = ["goal", "team", "match", "2024", "xq", "zorblax", "ab", "股"];
        int[] df = [50, 40, 30, 60, 3, 1, 80, 10]; // of 200 documents: 1 % is 2
        float[] weight = [5, 4, 2, 9, 8, 7, 6, 3]; // decoder weight of dimension 0
        TextVae Build(VaeText.Text.Vocabulary vocabulary)
        {
            var bow = new BowVae(new BowVaeOptions { VocabularySize = terms.Length, LatentSize = 2, EncoderHiddenSizes = [4], Seed = 1 });
            var w = bow.Network.Store.Value(bow.Network.Head.Decoder.Weight); // [V, 2]
            for (int i = 0; i < terms.Length; i++) { w[i * 2] = weight[i]; w[i * 2 + 1] = -weight[i]; }
            return new TextVae(new VaeText.Text.TokenizerOptions(), vocabulary, bow);
        }
        var vae = Build(new VaeText.Text.Vocabulary(terms, df, 200));
        // Theme words by weight (the CJK character is exempt from the length rule), then the rest by weight.
        Assert.That(vae.TopWords(6)[0], Is.EqualTo(new[] { "goal", "team", "股", "match", "2024", "xq" }));
        Assert.That(vae.TopWords(0, 6), Is.EqualTo(vae.TopWords(6)[0]));
        Assert.That(vae.TopWords(1, 3), Is.EqualTo(new[] { "match", "股", "team" }));
        // Without document frequencies only the token pattern applies.
        Assert.That(Build(new VaeText.Text.Vocabulary(terms)).TopWords(0, 3), Is.EqualTo(new[] { "zorblax", "goal", "team" }));
        Assert.That(TextVae.IsThemeWord("café"), Is.True);
        Assert.That(TextVae.IsThemeWord("b2b"), Is.False);
    }

    [Test]
    public void SaveLoadRoundTripAndCorruptionRejected()
    {
        var vae = TrainSmall();
        var ms = new MemoryStream();
        vae.Save(ms);
        var bytes = ms.ToArray();
        var loaded = TextVae.Load(new MemoryStream(bytes));
        var texts = Corpus(20, 9);
        Assert.That(loaded.Encode(texts), Is.EqualTo(vae.Encode(texts)));
        Assert.That(loaded.TopWords(1, 5), Is.EqualTo(vae.TopWords(1, 5)));
        Assert.That(loaded.EncodeDetailed(texts).ReconstructionError, Is.EqualTo(vae.EncodeDetailed(texts).ReconstructionError));

        for (int k = 0; k < 16; k++)
        {
            int len = bytes.Length * k / 16;
            var ex = Assert.Throws<InvalidDataException>(() => TextVae.Load(new MemoryStream(bytes, 0, len)), $"truncated to {len}");
            Assert.That(ex!.Message, Is.Not.Empty);
        }
        var rng = new Rng(4);
        for (int t = 0; t < 40; t++)
        {
            var copy = (byte[])bytes.Clone();
            int pos = t < 24 ? t : rng.NextInt(copy.Length); // every header byte, then random payload bytes
            copy[pos] ^= (byte)(1 << rng.NextInt(8));
            Assert.Throws<InvalidDataException>(() => TextVae.Load(new MemoryStream(copy)), $"bit flip at byte {pos}");
        }
        Assert.That(Assert.Throws<InvalidDataException>(() => TextVae.Load(new MemoryStream("PK\u0003\u0004 not a model at all"u8.ToArray())))!.Message, Does.Contain("signature"));
        var newer = (byte[])bytes.Clone();
        BitConverter.GetBytes(99).CopyTo(newer, 8);
        BitConverter.GetBytes(99).CopyTo(newer, 12);
        Assert.That(Assert.Throws<InvalidDataException>(() => TextVae.Load(new MemoryStream(newer)))!.Message, Does.Contain("version 99"));
    }

    [Test]
    public void FileSaveIsAtomicAndLoads()
    {
        var vae = TrainSmall();
        var dir = Path.Combine(Path.GetTempPath(), "vaetext-" + Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(dir);
        try
        {
            var path = Path.Combine(dir, "m.vae");
            vae.Save(path);
            vae.Save(path); // overwrite
            Assert.That(Directory.GetFiles(dir).Select(Path.GetFileName), Is.EqualTo(new[] { "m.vae" }));
            Assert.That(TextVae.Load(path).Encode(new[] { "film actor" }), Is.EqualTo(vae.Encode(new[] { "film actor" })));
        }
        finally { Directory.Delete(dir, true); }
    }

    private static TextVae TrainSmallSequence(SeqEncoderKind encoder, SeqDecoderKind decoder) => TextVae.Train(Corpus(), new TextVaeOptions
    {
        Sequence = new SeqVaeOptions { Encoder = encoder, Decoder = decoder, MaxLength = 12, EmbeddingSize = 8, HiddenSize = 8, Layers = 1, Heads = 2, FeedForwardSize = 8, LatentSize = 3, DecoderHiddenSize = 8, Seed = 2 },
        Training = new VaeTrainingOptions { Epochs = 2, BatchSize = 16, AnnealingSteps = 10, MaxThreads = 1 },
    });

    [TestCase(SeqEncoderKind.Lstm, SeqDecoderKind.Lstm)]
    [TestCase(SeqEncoderKind.Transformer, SeqDecoderKind.BagOfWords)]
    public void SequenceBundleTrainsEncodesGeneratesAndRoundTrips(SeqEncoderKind encoder, SeqDecoderKind decoder)
    {
        var vae = TrainSmallSequence(encoder, decoder);
        Assert.That(vae.Encoder, Is.EqualTo(encoder == SeqEncoderKind.Lstm ? TextVaeEncoderKind.Lstm : TextVaeEncoderKind.Transformer));
        Assert.That(vae.CanGenerate, Is.EqualTo(decoder == SeqDecoderKind.Lstm));
        var texts = Corpus(10, 9).Append("").ToList();
        var z = vae.EncodeMeans(texts, 1);
        Assert.That(vae.EncodeMeans(texts, 3), Is.EqualTo(z), "thread count does not change results");
        var d = vae.EncodeDetailed(texts, 2);
        Assert.That(d.Means, Is.EqualTo(z));
        Assert.That(d.ReconstructionError.Take(texts.Count - 1).All(r => r > 0 && double.IsFinite(r)), "non-empty texts"); Assert.That(double.IsFinite(d.ReconstructionError[^1]));
        Assert.That(vae.TopWords(4).Count, Is.EqualTo(3));
        Assert.That(vae.TopWords(1, 4), Is.EqualTo(vae.TopWords(4)[1]));
        var ms = new MemoryStream();
        vae.Save(ms);
        var loaded = TextVae.Load(new MemoryStream(ms.ToArray()));
        Assert.That(loaded.Encoder, Is.EqualTo(vae.Encoder));
        Assert.That(loaded.EncodeMeans(texts), Is.EqualTo(z));
        Assert.That(loaded.EncodeDetailed(texts).ReconstructionError, Is.EqualTo(d.ReconstructionError));
        if (vae.CanGenerate)
        {
            Assert.That(loaded.Sample(3, 1.0, 7), Is.EqualTo(vae.Sample(3, 1.0, 7)));
            Assert.That(loaded.Reconstruct(texts[0]), Is.EqualTo(vae.Reconstruct(texts[0])));
            var path = vae.Interpolate(texts[0], texts[1], 3);
            Assert.That(path.Count, Is.EqualTo(4));
            Assert.That(path[0], Is.EqualTo(vae.Reconstruct(texts[0])));
        }
        else Assert.That(Assert.Throws<InvalidOperationException>(() => vae.Sample(1))!.Message, Does.Contain("cannot write text"));
        var bytes = ms.ToArray();
        var rng = new Rng(5);
        for (int t = 0; t < 20; t++)
        {
            var copy = (byte[])bytes.Clone();
            int pos = 28 + rng.NextInt(copy.Length - 28);
            copy[pos] ^= (byte)(1 << rng.NextInt(8));
            Assert.Throws<InvalidDataException>(() => TextVae.Load(new MemoryStream(copy)), $"bit flip at byte {pos}");
        }
    }

    [Test]
    public void Crc32CheckValue() => Assert.That(VaeText.IO.Crc32.Compute("123456789"u8), Is.EqualTo(0xCBF43926u));
}
