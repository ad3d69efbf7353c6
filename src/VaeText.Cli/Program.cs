namespace VaeText.Cli;

/// <summary>Entry point of the <c>vaetext</c> command-line tool.</summary>
public static class Program
{
    /// <summary>Runs the CLI; Ctrl-C cancels the running command cleanly (exit code 130).</summary>
    public static async Task<int> Main(string[] args)
    {
        using var cts = new CancellationTokenSource();
        Console.CancelKeyPress += (_, e) =>
        {
            if (cts.IsCancellationRequested) return; // Second Ctrl-C: let the runtime terminate.
            e.Cancel = true;
            cts.Cancel();
        };
        // SIGTERM (CI runners, docker stop) cancels the same way as Ctrl-C.
        using var term = System.Runtime.InteropServices.PosixSignalRegistration.Create(System.Runtime.InteropServices.PosixSignal.SIGTERM, c =>
        {
            c.Cancel = true;
            cts.Cancel();
        });
        return await Cli.RunAsync(args, Console.Out, Console.Error, cts.Token, interactive: !Console.IsOutputRedirected && !Console.IsErrorRedirected);
    }
}
