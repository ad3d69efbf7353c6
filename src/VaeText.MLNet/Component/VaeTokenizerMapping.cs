using System.ComponentModel;
using VaeText.Text;

namespace VaeText.MLNet;

using Microsoft.ML.Data;
using Microsoft.ML.Transforms;

/// <summary>
/// The stateless first part of a fitted VaeLatent step, saved in an ML.NET model as a <c>CustomMapping</c> with the
/// versioned contract name <see cref="ContractName"/>: the input text columns (joined with a space) → the engine's
/// tokens with the default <see cref="TokenizerOptions"/>, after one leading <see cref="Sentinel"/> token. The sentinel
/// is never in a vocabulary (the tokenizer never emits a control character), so the token vector is never empty
/// (ML.NET's ONNX bridge cannot feed an empty tensor); the ONNX encoder drops element 0. ML.NET records this assembly
/// in the model zip and finds the factory again on <c>Model.Load</c>. A future tokenizer change gets a new contract
/// name, so models saved earlier keep their tokenization.
/// </summary>
[EditorBrowsable(EditorBrowsableState.Never)]
[CustomMappingFactoryAttribute(ContractName)]
public sealed class VaeTokenizerMappingFactory : CustomMappingFactory<VaeTokenizerMappingFactory.Input, VaeTokenizerMappingFactory.Output>
{
    /// <summary>The contract name recorded in saved models (version 1: default tokenizer options, sentinel first).</summary>
    public const string ContractName = "VaeText.Tokenizer.v1";
    /// <summary>The leading token of every output vector (a NUL character: never a vocabulary term).</summary>
    public const string Sentinel = "\0";

    private static readonly Tokenizer s_tokenizer = new(new TokenizerOptions());

    /// <summary>The tokenizer options this contract version stands for.</summary>
    internal static TokenizerOptions TokenizerOptions => new();

    /// <summary>The mapping: <see cref="Input.Text"/> → <see cref="Output.Tokens"/>.</summary>
    public override Action<Input, Output> GetMapping() => Map;

    internal static void Map(Input input, Output output) => output.Tokens = Tokenize(input.Text, withSentinel: true);

    /// <summary>The engine's tokens of the parts (joined with a space), after <see cref="Sentinel"/> if asked for.</summary>
    internal static VBuffer<ReadOnlyMemory<char>> Tokenize(VBuffer<ReadOnlyMemory<char>> text, bool withSentinel)
    {
        // All tokens of a row share one character buffer; each token is a slice of it (one allocation per row).
        var sink = new SliceSink(new TokenBuffer());
        if (withSentinel) sink.Add(Sentinel);
        var parts = text.GetValues();
        if (parts.Length == 1) s_tokenizer.Scan(parts[0].Span, ref sink);
        else if (parts.Length > 1)
        {
            var joined = new string[parts.Length];
            for (int k = 0; k < parts.Length; k++) joined[k] = parts[k].ToString();
            s_tokenizer.Scan(JoinParts(joined).AsSpan(), ref sink);
        }
        return sink.Buffer.ToVBuffer();
    }

    /// <summary>The document the engine reads: the parts joined with a space (null parts as empty).</summary>
    internal static string JoinParts(string[]? parts) => parts is null || parts.Length == 0 ? "" : parts.Length == 1 ? parts[0] ?? "" : string.Join(' ', parts);

    private sealed class TokenBuffer
    {
        private char[] _chars = new char[256];
        private int _used;
        private readonly List<(int Start, int Length)> _tokens = new(64);

        public void Add(ReadOnlySpan<char> token)
        {
            if (_used + token.Length > _chars.Length) Array.Resize(ref _chars, Math.Max(_chars.Length * 2, _used + token.Length));
            token.CopyTo(_chars.AsSpan(_used));
            _tokens.Add((_used, token.Length));
            _used += token.Length;
        }

        public VBuffer<ReadOnlyMemory<char>> ToVBuffer()
        {
            var values = new ReadOnlyMemory<char>[_tokens.Count];
            var mem = new ReadOnlyMemory<char>(_chars);
            for (int k = 0; k < values.Length; k++) values[k] = mem.Slice(_tokens[k].Start, _tokens[k].Length);
            return new VBuffer<ReadOnlyMemory<char>>(values.Length, values);
        }
    }

    private readonly struct SliceSink(TokenBuffer buffer) : ITokenSink
    {
        public TokenBuffer Buffer { get; } = buffer;
        public void Add(ReadOnlySpan<char> token) => Buffer.Add(token);
    }

    /// <summary>Input row: the text columns, concatenated into one vector of Text.</summary>
    public sealed class Input
    {
        /// <summary>Vector of Text: the document's parts.</summary>
        [ColumnName(VaeLatentTransformer.TextColumn), VectorType]
        public VBuffer<ReadOnlyMemory<char>> Text { get; set; }
    }

    /// <summary>Output row: the token vector.</summary>
    public sealed class Output
    {
        /// <summary>Variable-size vector of Text: <see cref="Sentinel"/>, then the document's tokens.</summary>
        [ColumnName(VaeLatentTransformer.TokensColumn), VectorType]
        public VBuffer<ReadOnlyMemory<char>> Tokens { get; set; }
    }
}

/// <summary>
/// Saved in an ML.NET model as a <c>CustomMapping</c> with the contract name <see cref="ContractName"/>: the ONNX
/// encoder's score output, a vector of one Single, → a scalar Single (ML.NET's OnnxTransformer turns every tensor
/// into a vector column), which the step then copies to the user's reconstruction-error column.
/// </summary>
[EditorBrowsable(EditorBrowsableState.Never)]
[CustomMappingFactoryAttribute(ContractName)]
public sealed class VaeScoreMappingFactory : CustomMappingFactory<VaeScoreMappingFactory.Input, VaeScoreMappingFactory.Output>
{
    /// <summary>The contract name recorded in saved models.</summary>
    public const string ContractName = "VaeText.ScoreScalar.v1";

    /// <summary>The mapping: the single element of <see cref="Input.Score"/>.</summary>
    public override Action<Input, Output> GetMapping() => static (i, o) => o.Score = i.Score is { Length: > 0 } s ? s[0] : float.NaN;

    /// <summary>Input row: the ONNX score tensor.</summary>
    public sealed class Input
    {
        /// <summary>Vector of one Single.</summary>
        [ColumnName(VaeLatentTransformer.ScoreVectorColumn), VectorType(1)]
        public float[] Score { get; set; } = [];
    }

    /// <summary>Output row: the score as a scalar.</summary>
    public sealed class Output
    {
        /// <summary>Single: the negative ELBO at the posterior mean.</summary>
        [ColumnName(VaeLatentTransformer.ScoreColumn)]
        public float Score { get; set; }
    }
}

/// <summary>
/// The word tokens of the TF-IDF n-gram featurizer (<see cref="Pipelines.TfIdfNgramEstimator"/>), saved in an ML.NET model
/// as a <c>CustomMapping</c> with the contract name <see cref="ContractName"/>: the text → the engine's tokens with the
/// default <see cref="TokenizerOptions"/> (NFKC, lower case, runs of letters or digits, each CJK character a token), no
/// sentinel; an empty text gives an empty vector.
/// </summary>
[EditorBrowsable(EditorBrowsableState.Never)]
[CustomMappingFactoryAttribute(ContractName)]
public sealed class VaeWordsMappingFactory : CustomMappingFactory<VaeWordsMappingFactory.Input, VaeWordsMappingFactory.Output>
{
    /// <summary>The contract name recorded in saved models (version 1: default tokenizer options).</summary>
    public const string ContractName = "VaeText.Words.v1";
    /// <summary>The input column (vector of Text).</summary>
    public const string TextColumn = "__VaeText_words_text";
    /// <summary>The output column (variable-size vector of Text).</summary>
    public const string WordsColumn = "__VaeText_words";

    /// <summary>The mapping: <see cref="Input.Text"/> → <see cref="Output.Words"/>.</summary>
    public override Action<Input, Output> GetMapping() => static (i, o) => o.Words = VaeTokenizerMappingFactory.Tokenize(i.Text, withSentinel: false);

    /// <summary>Input row: the text columns, concatenated into one vector of Text.</summary>
    public sealed class Input
    {
        /// <summary>Vector of Text: the document's parts.</summary>
        [ColumnName(TextColumn), VectorType]
        public VBuffer<ReadOnlyMemory<char>> Text { get; set; }
    }

    /// <summary>Output row: the word vector.</summary>
    public sealed class Output
    {
        /// <summary>Variable-size vector of Text: the document's tokens.</summary>
        [ColumnName(WordsColumn), VectorType]
        public VBuffer<ReadOnlyMemory<char>> Words { get; set; }
    }
}
