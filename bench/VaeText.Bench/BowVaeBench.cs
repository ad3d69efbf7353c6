namespace VaeText.Bench;

/// Placeholder until the benchmark lands; replaced by its owner.
internal static class BowVaeBench
{
    public static int Run(string[] args)
    {
        Console.Error.WriteLine("BowVaeBench: not implemented yet");
        return 3;
    }
}
