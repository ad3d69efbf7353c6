using System.Collections.Frozen;

namespace VaeText.Text;

/// <summary>Built-in stop-word lists for <see cref="VocabularyOptions.StopWords"/> (lower case, as the tokenizer emits).</summary>
public static class StopWords
{
    /// <summary>
    /// Common English function words (articles, pronouns, auxiliaries, prepositions, conjunctions), lower case.
    /// Contractions appear as the tokenizer splits them (<c>don't</c> gives <c>don</c> and <c>t</c>).
    /// </summary>
    public static IReadOnlySet<string> English { get; } = (
        "a about above after again against all am an and any are as at be because been before being below between " +
        "both but by can could did do does doing down during each few for from further had has have having he her " +
        "here hers herself him himself his how i if in into is it its itself just me more most my myself no nor not " +
        "now of off on once only or other our ours ourselves out over own same she should so some such than that " +
        "the their theirs them themselves then there these they this those through to too under until up very was " +
        "we were what when where which while who whom why will with would you your yours yourself yourselves " +
        "s t d ll m re ve don doesn didn isn aren wasn weren hasn haven hadn won wouldn shouldn couldn can cannot " +
        "also may might must shall us upon"
    ).Split(' ', StringSplitOptions.RemoveEmptyEntries).ToFrozenSet(StringComparer.Ordinal);
}
