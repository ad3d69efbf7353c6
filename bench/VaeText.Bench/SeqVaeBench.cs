namespace VaeText.Bench;

/// Placeholder until the benchmark lands; replaced by its owner.
internal static class SeqVaeBench
{
    public static int Run(string[] args)
    {
        Console.Error.WriteLine("SeqVaeBench: not implemented yet");
        return 3;
    }
}
