using VaeText.Text;

namespace VaeText.Models;

/// <summary>
/// Text → token-id sequence in the convention of <see cref="TokenBatch"/>: 0 = padding (never emitted), 1 = unknown
/// word, 2 + w = vocabulary word w. A text with no token becomes the single unknown token [1], so that every
/// document has at least one position (as the seq-vae anchor does).
/// </summary>
internal static class SeqTokens
{
    /// <summary>The first <paramref name="maxLength"/> tokens of <paramref name="text"/> as ids.</summary>
    public static int[] Encode(string text, Tokenizer tokenizer, Vocabulary vocabulary, int maxLength)
    {
        var sink = new IdSink(vocabulary, new List<int>(Math.Min(maxLength, 256)), maxLength);
        tokenizer.Scan(text.AsSpan(), ref sink);
        return sink.Ids.Count == 0 ? [1] : sink.Ids.ToArray();
    }

    /// <summary>Token ids of every text (see <see cref="Encode"/>).</summary>
    public static int[][] EncodeAll(IReadOnlyList<string> texts, Tokenizer tokenizer, Vocabulary vocabulary, int maxLength)
    {
        var r = new int[texts.Count][];
        for (int i = 0; i < r.Length; i++) r[i] = Encode(texts[i], tokenizer, vocabulary, maxLength);
        return r;
    }

    private struct IdSink(Vocabulary vocabulary, List<int> ids, int max) : ITokenSink
    {
        public readonly List<int> Ids = ids;
        public readonly void Add(ReadOnlySpan<char> token)
        {
            if (Ids.Count >= max) return;
            Ids.Add(vocabulary.TryGetId(token, out int id) ? id + 2 : 1);
        }
    }
}
