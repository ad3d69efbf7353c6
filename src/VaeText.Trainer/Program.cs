namespace VaeText.Trainer;

/// <summary>Entry point of the <c>vaetext</c> command-line tool.</summary>
public static class Program
{
    /// <summary>Runs the CLI.</summary>
    public static int Main(string[] args)
    {
        Console.Error.WriteLine("vaetext: commands are being built");
        return args.Length == 0 ? 1 : 1;
    }
}
