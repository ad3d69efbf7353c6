namespace VaeText.MLNet.Tests.Experiments;

/// <summary>A tiny generated 3-class corpus written to a temp folder (deterministic).</summary>
internal sealed class TinyCorpus : IDisposable
{
    public string Dir { get; }
    public string Train => Path.Combine(Dir, "train.tsv");
    public string Test => Path.Combine(Dir, "test.tsv");

    /// <summary>The classes and the words each one's documents are drawn from (plus "the").</summary>
    public static readonly (string Label, string[] Words)[] Themes =
    [
        ("sport", ["goal", "match", "team", "score", "coach", "league"]),
        ("tech", ["code", "chip", "software", "phone", "data", "cloud"]),
        ("food", ["bread", "cheese", "recipe", "oven", "salt", "soup"]),
    ];

    public TinyCorpus(int trainPerClass = 20, int testPerClass = 8, string labelPrefix = "")
    {
        Dir = Path.Combine(Path.GetTempPath(), "vaetext-tests-" + Guid.NewGuid().ToString("N")[..10]);
        Directory.CreateDirectory(Dir);
        var topics = Themes;
        var rng = new VaeText.Core.Rng(5);
        string Doc(string[] words) => string.Join(' ', Enumerable.Range(0, 8).Select(_ => rng.NextDouble() < 0.8 ? words[rng.NextInt(words.Length)] : "the"));
        void Write(string path, int per)
        {
            var lines = new List<string> { "label\ttext" };
            for (int i = 0; i < per; i++) foreach (var (label, words) in topics) lines.Add(labelPrefix + label + "\t" + Doc(words));
            File.WriteAllLines(path, lines);
        }
        Write(Train, trainPerClass);
        Write(Test, testPerClass);
    }

    public void Dispose()
    {
        try { Directory.Delete(Dir, true); } catch (IOException) { }
    }
}
