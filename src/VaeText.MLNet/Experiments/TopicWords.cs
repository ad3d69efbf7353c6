using Microsoft.ML;
using Microsoft.ML.Data;
using Microsoft.ML.Transforms.Text;

namespace VaeText.Experiments;

/// <summary>The top words of a topic model's topics with their NPMI coherence over the training texts.</summary>
/// <param name="Words">Top words per topic (or latent dimension), best first.</param>
/// <param name="Npmi">NPMI of each topic's words (<see cref="Experiments.Npmi"/>; NaN for fewer than two words).</param>
internal sealed record TopicCoherence(IReadOnlyList<IReadOnlyList<string>> Words, double[] Npmi)
{
    /// <summary>How the reports' NPMI figures are measured.</summary>
    public const string Description = "NPMI coherence of each topic's top 10 words: mean over word pairs of ln(p(a,b) / (p(a) p(b))) / -ln p(a,b), " +
        "p being document frequencies over the training texts, each model's words as it tokenizes them (VaeText's tokenizer for a VAE, " +
        "the LDA chain's own bag of words for LDA); a pair that never co-occurs scores -1. Range -1 to 1, higher is more coherent.";

    /// <summary>Mean NPMI over the topics that have one (NaN when none has).</summary>
    public double MeanNpmi => Npmi.Where(double.IsFinite).DefaultIfEmpty(double.NaN).Average();

    /// <summary>The topics' NPMI over <paramref name="documents"/> (document co-occurrence).</summary>
    public static TopicCoherence Measure(IReadOnlyList<IReadOnlyList<string>> words, IReadOnlyList<string> documents, CancellationToken ct) =>
        MeasureAll([words], documents, ct)[0];

    /// <summary>The topics' NPMI over documents given as their words (a topic model's own tokenization).</summary>
    public static TopicCoherence Measure(IReadOnlyList<IReadOnlyList<string>> words, IReadOnlyList<IReadOnlyList<string>> documentWords, CancellationToken ct) =>
        new(words, Experiments.Npmi.Coherence(words, documentWords.Count, d => documentWords[d], ct));

    /// <summary>Several topic sets' NPMI over <paramref name="documents"/> in one pass over the documents.</summary>
    public static TopicCoherence[] MeasureAll(IReadOnlyList<IReadOnlyList<IReadOnlyList<string>>> sets, IReadOnlyList<string> documents, CancellationToken ct)
    {
        var all = sets.SelectMany(s => s).ToList();
        var npmi = all.Count == 0 ? [] : Experiments.Npmi.Coherence(all, documents, ct);
        var result = new TopicCoherence[sets.Count];
        int at = 0;
        for (int i = 0; i < sets.Count; i++)
        {
            result[i] = new TopicCoherence(sets[i], npmi.AsSpan(at, sets[i].Count).ToArray());
            at += sets[i].Count;
        }
        return result;
    }
}

/// <summary>An LDA featurizer's topics as reported beside the VAE's.</summary>
internal sealed class LdaTopicsRecord
{
    /// <summary>Number of topics.</summary>
    public required int Topics { get; init; }
    /// <summary>Top words per topic (<see cref="TopicWords.FromLda"/>).</summary>
    public required IReadOnlyList<IReadOnlyList<string>> TopWords { get; init; }
    /// <summary>NPMI of each topic's top words over the training texts (null until measured).</summary>
    public TopicCoherence? Coherence { get; set; }
    /// <summary>The words of each training text as the LDA chain saw them (its bag of words); dropped once measured.</summary>
    public IReadOnlyList<IReadOnlyList<string>>? DocumentWords { get; set; }
    /// <summary>Readable name, e.g. "LDA 20 topics".</summary>
    public string Name => $"LDA {Topics} topics";
}

/// <summary>Reads topic words out of fitted topic models.</summary>
internal static class TopicWords
{
    /// <summary>Top words per topic shown in reports.</summary>
    public const int Count = 10;

    /// <summary>
    /// The <paramref name="count"/> highest-scoring words of each topic of the <c>LatentDirichletAllocation</c> step in
    /// <paramref name="fitted"/> (a chain whose LDA reads a word-count vector): ML.NET's per-topic item scores, each item
    /// (a slot of the count vector) named by ML.NET from the slot names of the LDA's input column (the words of the
    /// <c>MapValueToKey</c> step), or else by those slot names in <paramref name="inputSchema"/> passed through the chain.
    /// Ties go to the lower slot. Null when the chain has no LDA step.
    /// </summary>
    public static IReadOnlyList<IReadOnlyList<string>>? FromLda(ITransformer fitted, DataViewSchema inputSchema, int count = Count)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(count, 1);
        var steps = fitted is IEnumerable<ITransformer> chain ? chain.ToList() : [fitted];
        DataViewSchema schema = inputSchema;
        foreach (var step in steps)
        {
            if (step is LatentDirichletAllocationTransformer lda)
            {
                var details = lda.GetLdaDetails(0);
                var topics = new List<IReadOnlyList<string>>();
                if (details.WordScoresPerTopic is { } words)
                {
                    // The input column has slot names: ML.NET names each item by its word.
                    foreach (var items in words)
                        topics.Add(items.OrderByDescending(p => p.Score).ThenBy(p => p.Item).Take(count).Select(p => p.Word).ToList());
                }
                else
                {
                    string[] names = SlotNames(schema);
                    foreach (var items in details.ItemScoresPerTopic)
                        topics.Add(items.OrderByDescending(p => p.Score).ThenBy(p => p.Item).Take(count)
                            .Select(p => (uint)p.Item < (uint)names.Length ? names[p.Item] : p.Item.ToString(System.Globalization.CultureInfo.InvariantCulture))
                            .ToList());
                }
                return topics;
            }
            schema = step.GetOutputSchema(schema);
        }
        return null;
    }

    /// <summary>
    /// The distinct words of each row of <paramref name="data"/> as the LDA step of <paramref name="fitted"/> sees them:
    /// the non-zero slots of its word-count input column (<see cref="CandidatePipelines.LdaTokensColumn"/>), named by their slot names.
    /// </summary>
    public static IReadOnlyList<IReadOnlyList<string>> LdaDocumentWords(ITransformer fitted, IDataView data, CancellationToken ct)
    {
        var view = fitted.Transform(data);
        string[] names = SlotNames(view.Schema);
        var column = view.Schema[CandidatePipelines.LdaTokensColumn];
        var result = new List<IReadOnlyList<string>>();
        using var cursor = view.GetRowCursor([column]);
        var getter = cursor.GetGetter<VBuffer<float>>(column);
        var counts = default(VBuffer<float>);
        while (cursor.MoveNext())
        {
            if ((result.Count & 1023) == 0) ct.ThrowIfCancellationRequested();
            getter(ref counts);
            var words = new List<string>();
            var values = counts.GetValues();
            var indices = counts.GetIndices();
            for (int i = 0; i < values.Length; i++)
            {
                int slot = counts.IsDense ? i : indices[i];
                if (values[i] != 0 && slot < names.Length) words.Add(names[slot]);
            }
            result.Add(words);
        }
        return result;
    }

    /// <summary>The slot names of the LDA's input column (the word of each count slot).</summary>
    private static string[] SlotNames(DataViewSchema schema)
    {
        string input = CandidatePipelines.LdaTokensColumn;
        var column = schema.GetColumnOrNull(input)
            ?? throw new InvalidOperationException($"the LDA step's input column '{input}' is missing from the chain's schema");
        var names = default(VBuffer<ReadOnlyMemory<char>>);
        if (!column.HasSlotNames()) throw new InvalidOperationException($"the LDA input column '{input}' has no slot names to name the topic words");
        column.GetSlotNames(ref names);
        return names.DenseValues().Select(m => m.ToString()).ToArray();
    }
}
