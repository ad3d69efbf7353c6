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

    internal static void Map(Input input, Output output)
    {
        var tokens = new List<string>(64) { Sentinel };
        s_tokenizer.Tokenize(JoinParts(input.Text).AsSpan(), tokens);
        output.Tokens = tokens.ToArray();
    }

    /// <summary>The document the engine reads: the parts joined with a space (null parts as empty).</summary>
    internal static string JoinParts(string[]? parts) => parts is null || parts.Length == 0 ? "" : parts.Length == 1 ? parts[0] ?? "" : string.Join(' ', parts);

    /// <summary>Input row: the text columns, concatenated into one vector of Text.</summary>
    public sealed class Input
    {
        /// <summary>Vector of Text: the document's parts.</summary>
        [VectorType]
        [ColumnName(VaeLatentTransformer.TextColumn)]
        public string[] Text { get; set; } = [];
    }

    /// <summary>Output row: the token vector.</summary>
    public sealed class Output
    {
        /// <summary>Variable-size vector of Text: <see cref="Sentinel"/>, then the document's tokens.</summary>
        [VectorType]
        [ColumnName(VaeLatentTransformer.TokensColumn)]
        public string[] Tokens { get; set; } = [];
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
