namespace VaeText.Bench;

/// Placeholder until the benchmark lands; replaced by its owner.
internal static class GemmBench
{
    public static int Run(string[] args)
    {
        Console.Error.WriteLine("GemmBench: not implemented yet");
        return 3;
    }
}
