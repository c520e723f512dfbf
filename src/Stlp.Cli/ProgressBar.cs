using Stlp.Simulation;

namespace Stlp.Cli;

/// <summary>A progress bar on a terminal: the phase, the fraction and the time reached.</summary>
internal sealed class ProgressBar(TextWriter error) : IProgress<RunProgress>
{
    /// <summary>A bar when <paramref name="error"/> is the console's error stream on a terminal, else none.</summary>
    public static IProgress<RunProgress>? For(TextWriter error) =>
        error == Console.Error && !Console.IsErrorRedirected ? new ProgressBar(error) : null;

    public void Report(RunProgress value)
    {
        if (value.Phase != RunPhase.Integrate)
        {
            error.Write($"\r{value.Phase.ToString().ToLowerInvariant()}...".PadRight(60));
            if (value.Phase == RunPhase.Evaluate)
            {
                error.WriteLine();
            }
            return;
        }
        var bar = new string('#', (int)(30 * value.Fraction)).PadRight(30);
        error.Write($"\r[{bar}] {100 * value.Fraction, 5:F1}%  t = {value.Time:G6}  ");
    }
}
