namespace VaeText.Bench;

/// <summary>Benchmark programs: each prints one JSON line of figures (see ../shared/BENCHMARKS.md).</summary>
public static class Program
{
    public static int Main(string[] args)
    {
        if (args.Length == 0)
        {
            Console.Error.WriteLine("usage: VaeText.Bench <bow-vae|seq-vae|gemm|fuzz|vaelatent-transform|topics|featurizetext-sdca|latent-sdca-l2|ngrams-sdca|sdca-speed|tfidf-variants|self-train|lda-speed|fasttree-speed> [options]");
            return 2;
        }
        var rest = args[1..];
        return args[0] switch
        {
            "bow-vae" => BowVaeBench.Run(rest),
            "seq-vae" => SeqVaeBench.Run(rest),
            "gemm" => GemmBench.Run(rest),
            "fuzz" => FuzzBench.Run(rest),
            "vaelatent-transform" => VaeLatentTransformBench.Run(rest),
            "featurizetext-sdca" => SdcaProbe.Run(rest),
            "latent-sdca-l2" => LowLabelProbe.Run(rest),
            "ngrams-sdca" => NgramsAllProbe.Run(rest),
            "sdca-speed" => SdcaSpeedProbe.Run(rest),
            "tfidf-variants" => TfidfVariantsProbe.Run(rest),
            "self-train" => SelfTrainProbe.Run(rest),
            "lda-speed" => LdaSpeedProbe.Run(rest),
            "fasttree-speed" => FastTreeSpeedProbe.Run(rest),
            "topics" => TopicsBench.Run(rest),
            _ => Usage(args[0]),
        };
    }

    private static int Usage(string name)
    {
        Console.Error.WriteLine($"unknown benchmark '{name}'; expected bow-vae, seq-vae, gemm, fuzz, vaelatent-transform, topics, featurizetext-sdca, latent-sdca-l2, ngrams-sdca, sdca-speed, tfidf-variants, self-train, lda-speed or fasttree-speed");
        return 2;
    }
}
