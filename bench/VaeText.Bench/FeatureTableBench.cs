namespace VaeText.Bench;

/// Placeholder until the benchmark lands; replaced by its owner.
internal static class FeatureTableBench
{
    public static int Run(string[] args)
    {
        Console.Error.WriteLine("FeatureTableBench: not implemented yet");
        return 3;
    }
}
