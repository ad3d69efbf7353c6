namespace VaeText.Bench;

/// Placeholder until the benchmark lands; replaced by its owner.
internal static class SdcaBench
{
    public static int Run(string[] args)
    {
        Console.Error.WriteLine("SdcaBench: not implemented yet");
        return 3;
    }
}
