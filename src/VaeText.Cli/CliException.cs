namespace VaeText.Cli;

/// <summary>A user error reported as one line with a non-zero exit code (no stack trace).</summary>
internal sealed class CliException(string message, int exitCode = ExitCodes.UserError) : Exception(message)
{
    /// <summary>The exit code to return.</summary>
    public int ExitCode { get; } = exitCode;
}

/// <summary>Exit codes of the CLI.</summary>
internal static class ExitCodes
{
    /// <summary>Success.</summary>
    public const int Ok = 0;
    /// <summary>Bad input: a missing file, a bad column, a corrupt model, invalid data.</summary>
    public const int UserError = 1;
    /// <summary>Bad command line (unknown option, invalid option value).</summary>
    public const int Usage = 2;
    /// <summary>Unexpected internal failure.</summary>
    public const int Internal = 70;
    /// <summary>Cancelled by Ctrl-C.</summary>
    public const int Cancelled = 130;
}
