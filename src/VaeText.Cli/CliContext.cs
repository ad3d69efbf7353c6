using Spectre.Console;

namespace VaeText.Cli;

/// <summary>Where a command writes: raw writers for plain/JSON output and a Spectre console for tables.</summary>
internal sealed class CliContext
{
    /// <summary>Standard output.</summary>
    public TextWriter Out { get; }
    /// <summary>Standard error.</summary>
    public TextWriter Err { get; }
    /// <summary>True when output goes to a terminal (live progress, colours); false for pipes, files, CI and tests.</summary>
    public bool Interactive { get; }
    /// <summary>Spectre console over <see cref="Out"/> (no ANSI codes unless interactive).</summary>
    public IAnsiConsole Console { get; }

    /// <summary>Creates a context.</summary>
    public CliContext(TextWriter output, TextWriter error, bool interactive)
    {
        Out = output; Err = error; Interactive = interactive;
        Console = AnsiConsole.Create(new AnsiConsoleSettings
        {
            Ansi = interactive ? AnsiSupport.Detect : AnsiSupport.No,
            ColorSystem = interactive ? ColorSystemSupport.Detect : ColorSystemSupport.NoColors,
            Interactive = interactive ? InteractionSupport.Detect : InteractionSupport.No,
            Out = new AnsiConsoleOutput(output),
        });
        if (!interactive) Console.Profile.Width = 160;
    }

    /// <summary>Writes a progress line: to stdout normally, to stderr when stdout carries JSON.</summary>
    public void Progress(string line, bool json)
    {
        var w = json ? Err : Out;
        w.WriteLine(line);
        w.Flush();
    }
}
