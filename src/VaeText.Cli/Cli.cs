using System.CommandLine;
using VaeText.Cli.Commands;

namespace VaeText.Cli;

/// <summary>The <c>vaetext</c> command tree and its error handling.</summary>
public static class Cli
{
    /// <summary>
    /// Parses and runs a command line, writing to the given writers. Returns the exit code: 0 success, 1 bad input,
    /// 2 bad command line, 130 cancelled, 70 internal error. Errors are reported as one line on <paramref name="err"/>.
    /// </summary>
    public static Task<int> RunAsync(string[] args, TextWriter @out, TextWriter err, CancellationToken ct) =>
        RunAsync(args, @out, err, ct, interactive: false);

    internal static async Task<int> RunAsync(string[] args, TextWriter @out, TextWriter err, CancellationToken ct, bool interactive)
    {
        ArgumentNullException.ThrowIfNull(args);
        var ctx = new CliContext(@out, err, interactive);
        var root = new RootCommand("vaetext: variational-autoencoder text features in ML.NET-style pipelines.")
        {
            DemoCommand.Create(ctx),
            TrainCommand.Create(ctx),
            EvaluateCommand.Create(ctx),
            PredictCommand.Create(ctx),
            FeaturizeCommand.Create(ctx),
            TopicsCommand.Create(ctx),
            CompareCommand.Create(ctx),
            SampleCommand.Create(ctx),
            ReconstructCommand.Create(ctx),
        };
        ParseResult parse;
        try { parse = root.Parse(args); }
        catch (Exception ex) when (ex is InvalidOperationException or ArgumentException or FormatException)
        {
            err.WriteLine("vaetext: error: " + OneLine(ex.Message) + " (see 'vaetext --help')");
            return ExitCodes.Usage;
        }
        if (parse.Errors.Count > 0)
        {
            if (args.Length == 0)
            {
                err.WriteLine("vaetext: error: no command given; try 'vaetext demo' or 'vaetext --help'.");
                return ExitCodes.Usage;
            }
            // The most specific error first: a generic "required command" message only when nothing else is wrong.
            var error = parse.Errors.FirstOrDefault(e => !e.Message.StartsWith("Required command", StringComparison.Ordinal)) ?? parse.Errors[0];
            err.WriteLine("vaetext: error: " + OneLine(error.Message) + " (see 'vaetext --help')");
            return ExitCodes.Usage;
        }
        try
        {
            var invocation = parse.InvokeAsync(new InvocationConfiguration { Output = @out, Error = err, EnableDefaultExceptionHandler = false, ProcessTerminationTimeout = null }, ct);
            // Work that cannot observe the token (ML.NET's model loading and trainers) must not keep a cancelled
            // command alive: after a short grace period the command is abandoned and reported as cancelled (the
            // process then exits; files are only ever written atomically, so nothing partial appears).
            var abandoned = CancelledAfterGrace(ct);
            if (await Task.WhenAny(invocation, abandoned) == abandoned && !invocation.IsCompleted)
            {
                _ = invocation.ContinueWith(t => _ = t.Exception, CancellationToken.None, TaskContinuationOptions.ExecuteSynchronously, TaskScheduler.Default);
                throw new OperationCanceledException(ct);
            }
            return await invocation;
        }
        catch (Exception ex)
        {
            var (code, message) = Describe(ex, ct);
            try { @out.Flush(); } catch (IOException) { }
            err.WriteLine(message);
            if (code == ExitCodes.Internal && Environment.GetEnvironmentVariable("VAETEXT_DEBUG") == "1") err.WriteLine(ex.ToString());
            return code;
        }
    }

    /// <summary>How long a cancelled command may take to stop by itself before it is abandoned.</summary>
    internal static TimeSpan CancelGrace { get; set; } = TimeSpan.FromSeconds(1.5);

    /// <summary>Completes <see cref="CancelGrace"/> after <paramref name="ct"/> is cancelled (never when it is not).</summary>
    private static async Task CancelledAfterGrace(CancellationToken ct)
    {
        try { await Task.Delay(Timeout.Infinite, ct).ConfigureAwait(false); }
        catch (OperationCanceledException) { }
        await Task.Delay(CancelGrace, CancellationToken.None).ConfigureAwait(false);
    }

    /// <summary>Maps an exception to an exit code and one line of text.</summary>
    internal static (int Code, string Message) Describe(Exception ex, CancellationToken ct)
    {
        if (ex is AggregateException { InnerExceptions.Count: 1 } agg) ex = agg.InnerExceptions[0];
        if (ex is System.Reflection.TargetInvocationException { InnerException: { } inner }) ex = inner;
        return ex switch
        {
            OperationCanceledException => (ExitCodes.Cancelled, "vaetext: cancelled; no output files were written."),
            CliException { ExitCode: ExitCodes.Cancelled } c => (c.ExitCode, "vaetext: " + OneLine(c.Message)),
            CliException c => (c.ExitCode, "vaetext: error: " + OneLine(c.Message)),
            FileNotFoundException f => (ExitCodes.UserError, "vaetext: error: file not found: " + (f.FileName ?? OneLine(f.Message))),
            DirectoryNotFoundException d => (ExitCodes.UserError, "vaetext: error: " + OneLine(d.Message)),
            UnauthorizedAccessException u => (ExitCodes.UserError, "vaetext: error: " + OneLine(u.Message)),
            ArgumentException a => (ExitCodes.UserError, "vaetext: error: " + OneLine(a.Message)),
            InvalidDataException or FormatException or IOException or InvalidOperationException or NotSupportedException
                => (ExitCodes.UserError, "vaetext: error: " + OneLine(ex.Message)),
            _ when ex.GetType().Name.EndsWith("FormatException", StringComparison.Ordinal)
                => (ExitCodes.UserError, "vaetext: error: " + OneLine(ex.Message)),
            _ => (ExitCodes.Internal, $"vaetext: internal error: {ex.GetType().Name}: {OneLine(ex.Message)} (set VAETEXT_DEBUG=1 for details)"),
        };
    }

    /// <summary>First line of a message, trimmed.</summary>
    internal static string OneLine(string message)
    {
        var line = message.Replace("\r", "").Split('\n')[0].Trim();
        return line.Length == 0 ? "(no message)" : line;
    }
}
