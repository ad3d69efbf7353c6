namespace VaeText.Bench;

/// Placeholder until the benchmark lands; replaced by its owner.
internal static class GbdtBench
{
    public static int Run(string[] args)
    {
        Console.Error.WriteLine("GbdtBench: not implemented yet");
        return 3;
    }
}
