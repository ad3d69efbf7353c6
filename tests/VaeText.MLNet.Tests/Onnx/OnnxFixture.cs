using Microsoft.ML.OnnxRuntime;
using VaeText.Core;
using VaeText.Models;
using VaeText.Nn;
using VaeText.Tensors;
using VaeText.Text;
using VaeText.Training;

namespace VaeText.Tests.Onnx;

/// <summary>
/// Tiny trained VAEs for the ONNX parity tests: a few dozen two-topic documents, a vocabulary that keeps words seen
/// in at least two documents (so rare words are out of vocabulary), and the engine's reference encodings.
/// </summary>
internal static class OnnxFixture
{
    private static readonly string[] Sports = ["team", "match", "goal", "coach", "players", "cup", "final", "fans", "striker", "penalty", "game", "season"];
    private static readonly string[] Money = ["market", "shares", "bank", "rates", "profit", "investors", "bonds", "company", "prices", "costs", "oil", "trade"];
    private static readonly string[] Glue = ["the", "a", "and", "after", "again", "with", "of", "in"];

    /// <summary><paramref name="count"/> documents of 4–19 words, half per topic, plus a few rare words.</summary>
    public static string[] Texts(int count = 48, int seed = 5)
    {
        var rng = new Rng(seed);
        var texts = new string[count];
        for (int i = 0; i < count; i++)
        {
            var topic = i % 2 == 0 ? Sports : Money;
            int n = 4 + rng.NextInt(16);
            var words = new List<string>();
            for (int k = 0; k < n; k++) words.Add(rng.NextDouble() < 0.3 ? Glue[rng.NextInt(Glue.Length)] : topic[rng.NextInt(topic.Length)]);
            if (i % 7 == 0) words.Add("rare" + i); // seen once: dropped by MinDocumentFrequency = 2
            texts[i] = string.Join(' ', words);
        }
        return texts;
    }

    /// <summary>Documents the parity tests encode: ordinary ones, empty, all out of vocabulary, repeated words, and long.</summary>
    public static string[] ProbeTexts()
    {
        var texts = Texts(48);
        return
        [
            texts[0], texts[1], texts[7], "",
            "zebra quokka xylophone", // nothing in the vocabulary
            "goal goal goal goal unknownword goal",
            string.Join(' ', Enumerable.Repeat("the market fell as the bank raised rates and the team lost the final", 6)), // 90 tokens
            "   ", "TEAM Match, goal!",
        ];
    }

    public static readonly TokenizerOptions TokenizerOptions = new();
    public static Tokenizer Tokenizer => new(TokenizerOptions);

    public static (Vocabulary Vocab, CsrMatrix Counts, string[] Texts) Corpus()
    {
        var texts = Texts();
        BagOfWords.Fit(texts, TokenizerOptions, new VocabularyOptions { MinDocumentFrequency = 2 }, out var vocab, out var counts, 1);
        return (vocab, counts, texts);
    }

    public static VaeTrainer Trainer(int epochs = 3) => new(new VaeTrainingOptions { Epochs = epochs, BatchSize = 16, Seed = 2, MaxThreads = 1 });

    public static BowVae TrainBow(Vocabulary vocab, CsrMatrix counts, Activation activation, int[] hidden)
    {
        var model = new BowVae(new BowVaeOptions
        {
            VocabularySize = vocab.Count, EncoderHiddenSizes = hidden, Activation = activation, LatentSize = 5,
            LogVarianceMin = -3, LogVarianceMax = 2, Seed = 4,
        }, counts);
        Trainer().Train(model, counts);
        return model;
    }

    public static SeqVae TrainSeq(Vocabulary vocab, CsrMatrix counts, string[] texts, SeqVaeOptions o)
    {
        o.VocabularySize = vocab.Count;
        var model = new SeqVae(o, counts);
        var ids = SeqTokens.EncodeAll(texts, Tokenizer, vocab, o.MaxLength);
        Trainer(2).Train(model, ids, counts);
        return model;
    }

    /// <summary>The ONNX input of a text: a sentinel, then per token its vocabulary key (id + 1, 0 when unknown).</summary>
    public static ulong[] Keys(string text, Vocabulary vocab, ulong sentinel = 0)
    {
        var keys = new List<ulong> { sentinel };
        foreach (var token in Tokenizer.Tokenize(text)) keys.Add(vocab.TryGetId(token, out int id) ? (ulong)id + 1 : 0);
        return keys.ToArray();
    }

    /// <summary>Runs an exported model on one document; returns each output's values by name.</summary>
    public static Dictionary<string, float[]> Run(InferenceSession session, string inputName, ulong[] keys)
    {
        using var input = OrtValue.CreateTensorValueFromMemory(keys, [1, keys.Length]);
        var names = session.OutputNames.ToArray();
        using var options = new RunOptions();
        using var outputs = session.Run(options, [inputName], [input], names);
        var result = new Dictionary<string, float[]>();
        for (int i = 0; i < names.Length; i++) result[names[i]] = outputs[i].GetTensorDataAsSpan<float>().ToArray();
        return result;
    }
}
