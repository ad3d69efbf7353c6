using System.Runtime.InteropServices;
using VaeText.Tensors;

namespace VaeText.Text;

/// <summary>
/// Bag-of-words count matrices: one row per document, one column per vocabulary id, the value the number of times
/// the term occurs in the document (as float). Column ids are ascending within a row; tokens not in the
/// vocabulary are dropped. Work is split over threads by contiguous blocks of documents; the result does not
/// depend on the thread count.
/// </summary>
public static class BagOfWords
{
    /// <summary>Tokenizes <paramref name="texts"/> and counts the vocabulary terms of every document.</summary>
    /// <param name="texts">The documents.</param>
    /// <param name="tokenizer">The tokenizer (the one the vocabulary was built with).</param>
    /// <param name="vocabulary">The columns.</param>
    /// <param name="maxThreads">The most threads used; 0 = one per processor.</param>
    /// <returns>A [texts.Count, vocabulary.Count] count matrix.</returns>
    /// <exception cref="ArgumentException">A text is null, or <paramref name="maxThreads"/> is negative.</exception>
    public static CsrMatrix Build(IReadOnlyList<string> texts, Tokenizer tokenizer, Vocabulary vocabulary, int maxThreads = 0)
    {
        ArgumentNullException.ThrowIfNull(texts);
        ArgumentNullException.ThrowIfNull(tokenizer);
        ArgumentNullException.ThrowIfNull(vocabulary);
        CheckTexts(texts);
        int v = vocabulary.Count;
        var blocks = RunBlocks(texts.Count, maxThreads, (start, end) =>
        {
            var counter = new RowCounter(v);
            var sink = new VocabSink(vocabulary, counter);
            for (int d = start; d < end; d++)
            {
                tokenizer.Scan(texts[d].AsSpan(), ref sink);
                counter.EndRow();
            }
            return counter;
        });
        return Assemble(blocks, texts.Count, v);
    }

    /// <summary>Counts the vocabulary terms of already tokenized documents.</summary>
    /// <param name="tokenizedDocs">Each document's tokens.</param>
    /// <param name="vocabulary">The columns.</param>
    /// <param name="maxThreads">The most threads used; 0 = one per processor.</param>
    /// <returns>A [tokenizedDocs.Count, vocabulary.Count] count matrix.</returns>
    public static CsrMatrix Build(IReadOnlyList<IReadOnlyList<string>> tokenizedDocs, Vocabulary vocabulary, int maxThreads = 0)
    {
        ArgumentNullException.ThrowIfNull(tokenizedDocs);
        ArgumentNullException.ThrowIfNull(vocabulary);
        for (int i = 0; i < tokenizedDocs.Count; i++)
        {
            if (tokenizedDocs[i] is null) throw new ArgumentException($"document {i} is null", nameof(tokenizedDocs));
        }
        int v = vocabulary.Count;
        var blocks = RunBlocks(tokenizedDocs.Count, maxThreads, (start, end) =>
        {
            var counter = new RowCounter(v);
            for (int d = start; d < end; d++)
            {
                var doc = tokenizedDocs[d];
                for (int t = 0; t < doc.Count; t++)
                {
                    if (doc[t] is { } s && vocabulary.TryGetId(s, out int id)) counter.Add(id);
                }
                counter.EndRow();
            }
            return counter;
        });
        return Assemble(blocks, tokenizedDocs.Count, v);
    }

    /// <summary>
    /// Tokenizes every text once, builds the vocabulary (as <see cref="Vocabulary.Build"/> would from the same
    /// tokens) and the count matrix over it.
    /// </summary>
    /// <param name="texts">The documents.</param>
    /// <param name="tokenizerOptions">Tokenizer settings, or <c>null</c> for the defaults.</param>
    /// <param name="vocabularyOptions">Vocabulary settings, or <c>null</c> for the defaults.</param>
    /// <param name="vocabulary">The vocabulary built.</param>
    /// <param name="counts">The [texts.Count, vocabulary.Count] count matrix.</param>
    /// <param name="maxThreads">The most threads used; 0 = one per processor.</param>
    /// <exception cref="ArgumentException">A text is null, a setting is out of range, or the vocabulary would be empty.</exception>
    public static void Fit(IReadOnlyList<string> texts, TokenizerOptions? tokenizerOptions, VocabularyOptions? vocabularyOptions,
        out Vocabulary vocabulary, out CsrMatrix counts, int maxThreads = 0)
    {
        ArgumentNullException.ThrowIfNull(texts);
        CheckTexts(texts);
        var tokenizer = new Tokenizer(tokenizerOptions ?? new TokenizerOptions());
        vocabularyOptions ??= new VocabularyOptions();
        vocabularyOptions.Validate();

        // Pass 1: every block interns its tokens into local ids and records each document's id sequence.
        var blocks = RunBlocks(texts.Count, maxThreads, (start, end) =>
        {
            var block = new LocalBlock();
            var sink = new InternSink(block);
            for (int d = start; d < end; d++)
            {
                tokenizer.Scan(texts[d].AsSpan(), ref sink);
                block.EndDocument();
            }
            return block;
        });

        // Merge document frequencies over blocks (in block order: deterministic).
        var global = new Dictionary<string, int>(StringComparer.Ordinal);
        var globalDf = new List<int>();
        var localToGlobal = new int[blocks.Length][];
        for (int b = 0; b < blocks.Length; b++)
        {
            var blk = blocks[b];
            var map = new int[blk.Terms.Count];
            for (int i = 0; i < map.Length; i++)
            {
                ref int gid = ref CollectionsMarshal.GetValueRefOrAddDefault(global, blk.Terms[i], out bool exists);
                if (!exists) { gid = globalDf.Count; globalDf.Add(0); }
                globalDf[gid] += blk.Df[i];
                map[i] = gid;
            }
            localToGlobal[b] = map;
        }
        var terms = new string[global.Count];
        foreach (var kv in global) terms[kv.Value] = kv.Key;
        var vocab = Vocabulary.Select(terms, [.. globalDf], texts.Count, vocabularyOptions);
        var globalToVocab = new int[terms.Length];
        for (int g = 0; g < terms.Length; g++) globalToVocab[g] = vocab.TryGetId(terms[g], out int id) ? id : -1;

        // Pass 2: count vocabulary ids per document.
        int v = vocab.Count;
        var counters = new RowCounter[blocks.Length];
        Parallel.For(0, blocks.Length, Options(maxThreads, blocks.Length), b =>
        {
            var blk = blocks[b];
            var map = localToGlobal[b];
            var toVocab = new int[map.Length];
            for (int i = 0; i < map.Length; i++) toVocab[i] = globalToVocab[map[i]];
            var counter = new RowCounter(v);
            var ids = blk.TokenIds;
            int p = 0;
            for (int d = 0; d < blk.DocEnds.Count; d++)
            {
                int e = blk.DocEnds[d];
                for (; p < e; p++)
                {
                    int id = toVocab[ids[p]];
                    if (id >= 0) counter.Add(id);
                }
                counter.EndRow();
            }
            counters[b] = counter;
        });
        vocabulary = vocab;
        counts = Assemble(counters, texts.Count, v);
    }

    private static void CheckTexts(IReadOnlyList<string> texts)
    {
        for (int i = 0; i < texts.Count; i++)
        {
            if (texts[i] is null) throw new ArgumentException($"text {i} is null", nameof(texts));
        }
    }

    private static ParallelOptions Options(int maxThreads, int blocks) => new()
    {
        MaxDegreeOfParallelism = Math.Max(1, Math.Min(blocks, maxThreads > 0 ? maxThreads : Environment.ProcessorCount)),
    };

    private static T[] RunBlocks<T>(int n, int maxThreads, Func<int, int, T> work)
    {
        if (maxThreads < 0) throw new ArgumentOutOfRangeException(nameof(maxThreads), maxThreads, "must be non-negative (0 = one per processor)");
        int threads = maxThreads > 0 ? maxThreads : Environment.ProcessorCount;
        // A few blocks per thread balance uneven documents; at least 256 documents per block.
        int blocks = Math.Max(1, Math.Min(threads * 4, (n + 255) / 256));
        var results = new T[blocks];
        Parallel.For(0, blocks, Options(threads, blocks), b =>
        {
            int start = (int)((long)n * b / blocks), end = (int)((long)n * (b + 1) / blocks);
            results[b] = work(start, end);
        });
        return results;
    }

    private static CsrMatrix Assemble(RowCounter[] blocks, int rows, int columns)
    {
        var rowPtr = new int[rows + 1];
        long nnz = 0;
        foreach (var b in blocks) nnz += b.Indices.Count;
        if (nnz > Array.MaxLength) throw new InvalidOperationException($"the bag of words has {nnz} entries, more than an array can hold");
        var idx = new int[nnz];
        var val = new float[nnz];
        int r = 0, p = 0;
        foreach (var b in blocks)
        {
            CollectionsMarshal.AsSpan(b.Indices).CopyTo(idx.AsSpan(p));
            CollectionsMarshal.AsSpan(b.Values).CopyTo(val.AsSpan(p));
            foreach (int len in b.RowLengths)
            {
                p += len;
                rowPtr[++r] = p;
            }
        }
        return new CsrMatrix(rows, columns, rowPtr, idx, val);
    }

    /// <summary>Counts ids of one row at a time into a dense scratch and appends the sorted row.</summary>
    private sealed class RowCounter(int columns)
    {
        private readonly int[] _count = new int[columns];
        private readonly List<int> _touched = [];
        public readonly List<int> Indices = [];
        public readonly List<float> Values = [];
        public readonly List<int> RowLengths = [];

        public void Add(int id)
        {
            if (_count[id]++ == 0) _touched.Add(id);
        }

        public void EndRow()
        {
            _touched.Sort();
            foreach (int id in _touched)
            {
                Indices.Add(id);
                Values.Add(_count[id]);
                _count[id] = 0;
            }
            RowLengths.Add(_touched.Count);
            _touched.Clear();
        }
    }

    private struct VocabSink(Vocabulary vocabulary, RowCounter counter) : ITokenSink
    {
        public readonly void Add(ReadOnlySpan<char> token)
        {
            if (vocabulary.TryGetId(token, out int id)) counter.Add(id);
        }
    }

    /// <summary>One block's interned tokens: local ids, their document frequencies, and every document's id sequence.</summary>
    private sealed class LocalBlock
    {
        public readonly Dictionary<string, int> Ids = new(StringComparer.Ordinal);
        public readonly Dictionary<string, int>.AlternateLookup<ReadOnlySpan<char>> Lookup;
        public readonly List<string> Terms = [];
        public readonly List<int> Df = [];
        public readonly List<int> LastDoc = [];
        public readonly List<int> TokenIds = [];
        public readonly List<int> DocEnds = [];

        public LocalBlock() => Lookup = Ids.GetAlternateLookup<ReadOnlySpan<char>>();

        public void Add(ReadOnlySpan<char> token)
        {
            int doc = DocEnds.Count;
            if (!Lookup.TryGetValue(token, out int id))
            {
                id = Terms.Count;
                string s = new(token);
                Ids.Add(s, id);
                Terms.Add(s);
                Df.Add(0);
                LastDoc.Add(-1);
            }
            var last = CollectionsMarshal.AsSpan(LastDoc);
            if (last[id] != doc)
            {
                last[id] = doc;
                CollectionsMarshal.AsSpan(Df)[id]++;
            }
            TokenIds.Add(id);
        }

        public void EndDocument() => DocEnds.Add(TokenIds.Count);
    }

    private struct InternSink(LocalBlock block) : ITokenSink
    {
        public readonly void Add(ReadOnlySpan<char> token) => block.Add(token);
    }
}
