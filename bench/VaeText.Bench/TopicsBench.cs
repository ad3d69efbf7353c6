using System.Diagnostics;
using System.Globalization;
using Microsoft.ML;
using VaeText.Experiments;
using VaeText.MLNet;
using VaeText.Models;

namespace VaeText.Bench;

/// <summary>
/// topics: NPMI coherence of the top-10 words of compare's default VAE (bag of words, 32 latent, 20 epochs) and of its
/// LDA candidate, over the training texts. Usage:
/// topics --data TRAIN_TSV --cache DIR [--latent 32] [--epochs 20] [--lda 20] [--threads 0]
/// The fitted VAE (DIR/vae.bin) and the LDA topic words (DIR/lda.txt) are kept in DIR and reused.
/// </summary>
internal static class TopicsBench
{
    public static int Run(string[] args)
    {
        string? data = null, cache = null;
        int latent = 32, epochs = 20, lda = 20, threads = 0;
        for (int i = 0; i < args.Length; i++)
        {
            string Next() => i + 1 < args.Length ? args[++i] : throw new ArgumentException($"{args[i]} needs a value");
            switch (args[i])
            {
                case "--data": data = Next(); break;
                case "--cache": cache = Next(); break;
                case "--latent": latent = int.Parse(Next(), CultureInfo.InvariantCulture); break;
                case "--epochs": epochs = int.Parse(Next(), CultureInfo.InvariantCulture); break;
                case "--lda": lda = int.Parse(Next(), CultureInfo.InvariantCulture); break;
                case "--threads": threads = int.Parse(Next(), CultureInfo.InvariantCulture); break;
                default: Console.Error.WriteLine($"topics: unknown argument '{args[i]}'"); return 2;
            }
        }
        if (data is null || cache is null) { Console.Error.WriteLine("usage: topics --data TRAIN_TSV --cache DIR [--latent 32] [--epochs 20] [--lda 20]"); return 2; }
        Directory.CreateDirectory(cache);
        var ml = new MLContext(1);
        var train = ComparisonRunner.Load(ml, data, "label", "text", CancellationToken.None);
        var texts = train.Texts;

        string vaePath = Path.Combine(cache, "vae.bin");
        TextVae vae;
        if (File.Exists(vaePath)) vae = TextVae.Load(vaePath);
        else
        {
            var sw = Stopwatch.StartNew();
            var options = VaeFeaturizer.Options(texts.Length, new VaeSettings(latent, epochs), 1, threads);
            using var fitted = ml.Transforms.VaeLatent("Latent", options, "text").Fit(train.View);
            fitted.Vae.Save(vaePath);
            vae = TextVae.Load(vaePath);
            Console.WriteLine($"VAE trained in {sw.Elapsed.TotalSeconds:F0} s");
        }

        if (lda > 0)
        {
            string ldaPath = Path.Combine(cache, $"lda{lda}.txt");
            if (!File.Exists(ldaPath))
            {
                var sw = Stopwatch.StartNew();
                var fitted = CandidatePipelines.Lda(ml, "text", lda, threads).Fit(train.View);
                var words = TopicWords.FromLda(fitted, train.View.Schema)!;
                File.WriteAllLines(ldaPath, words.Select(w => string.Join(' ', w)));
                var own = TopicCoherence.Measure(words, TopicWords.LdaDocumentWords(fitted, train.View, CancellationToken.None), CancellationToken.None);
                File.WriteAllText(ldaPath + ".own", own.MeanNpmi.ToString("F4", CultureInfo.InvariantCulture) + "\n" + string.Join("\n", own.Npmi.Select(x => x.ToString("F3", CultureInfo.InvariantCulture))));
                Console.WriteLine($"LDA fitted in {sw.Elapsed.TotalSeconds:F0} s");
            }
            var ldaWords = File.ReadAllLines(ldaPath).Select(l => (IReadOnlyList<string>)l.Split(' ')).ToList();
            var c = TopicCoherence.Measure(ldaWords, texts, CancellationToken.None);
            Console.WriteLine($"LDA {lda}: mean NPMI {c.MeanNpmi:F4} over VaeText's tokens; over the LDA chain's own bag of words: " +
                (File.Exists(ldaPath + ".own") ? File.ReadLines(ldaPath + ".own").First() : "not measured"));
            for (int t = 0; t < ldaWords.Count; t++) Console.WriteLine($"  {c.Npmi[t],7:F3}  {string.Join(' ', ldaWords[t])}");
        }

        {
            var view = vae.TopWords(10);
            var c = TopicCoherence.Measure(view, texts, CancellationToken.None);
            Console.WriteLine($"VAE topic view (TextVae.TopWords): mean NPMI {c.MeanNpmi:F4}, distinct words {view.SelectMany(t => t).Distinct().Count()} of {view.Count * 10}");
            for (int d = 0; d < view.Count; d++) Console.WriteLine($"  {c.Npmi[d],7:F3}  {string.Join(' ', view[d])}");
        }
        if (Environment.GetEnvironmentVariable("TOPICS_VIEW_ONLY") == "1") return 0;
        var bow = vae.BagOfWordsModel!;
        float[] w = bow.GetDecoderWeights(), b = bow.GetDecoderBias();
        var vocab = vae.Vocabulary;
        int v = vocab.Count, l = vae.LatentSize, n = vocab.DocumentCount;
        var df = vocab.DocumentFrequencies;
        Console.WriteLine($"VAE: vocabulary {v}, latent {l}, documents {n}");

        bool Vampire(string t) => t.EnumerateRunes().Count() >= 3 && t.All(ch => char.IsLetter(ch));
        bool IsCjk(string t) => t.EnumerateRunes().Any(r => r.Value is >= 0x3040 and <= 0x9FFF or >= 0xAC00 and <= 0xD7AF);
        var variants = new List<(string Name, Func<int, int, double> Score, Func<int, bool> Keep)>();
        foreach (double lambda in (Environment.GetEnvironmentVariable("TOPICS_LAMBDAS") ?? "0,0.05,0.1,0.15,0.2").Split(',').Select(x => double.Parse(x, CultureInfo.InvariantCulture)))
        {
            double la = lambda;
            variants.Add(($"w+{la}b", (word, d) => w[word * l + d] + la * b[word], _ => true));
            foreach (int minDf in new[] { 0, 25 })
            {
                int md = minDf;
                variants.Add(($"w+{la}b pattern df>={md}", (word, d) => w[word * l + d] + la * b[word],
                    word => (IsCjk(vocab[word]) || Vampire(vocab[word])) && df[word] >= md));
            }
        }
        foreach (double k in new[] { 1.0, 2.0, 3.0 })
        {
            double kk = k;
            variants.Add(($"lift k={kk}", (word, d) => Math.Exp(b[word]) * (Math.Exp(kk * w[word * l + d]) - 1), _ => true));
        }
        foreach (int minDf in new[] { 100, 250, 500 })
        {
            int md = minDf;
            variants.Add(($"w df>={md}", (word, d) => w[word * l + d], word => df[word] >= md));
        }
        foreach (var (name, score, keep) in variants)
        {
            var topics = new List<IReadOnlyList<string>>();
            var kept = Enumerable.Range(0, v).Where(keep).ToArray();
            for (int d = 0; d < l; d++)
                topics.Add(kept.OrderByDescending(word => score(word, d)).ThenBy(word => word).Take(10).Select(word => vocab[word]).ToList());
            var c = TopicCoherence.Measure(topics, texts, CancellationToken.None);
            int unique = topics.SelectMany(t => t).Distinct().Count();
            Console.WriteLine($"VAE {name}: mean NPMI {c.MeanNpmi:F4}, distinct words {unique} of {topics.Count * 10}");
            if (Environment.GetEnvironmentVariable("TOPICS_VERBOSE") == name)
                for (int d = 0; d < l; d++) Console.WriteLine($"  {c.Npmi[d],7:F3}  {string.Join(' ', topics[d])}");
        }
        return 0;
    }
}
