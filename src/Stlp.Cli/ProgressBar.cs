using System.Diagnostics;
using Stlp.Simulation;

namespace Stlp.Cli;

/// <summary>
/// A progress line on a terminal: the phases (derive, start, compile), then a bar with the
/// fraction, the model time reached, its rate and the wall time left, and the last state at the end.
/// </summary>
internal sealed class ProgressBar(TextWriter error) : IProgress<RunProgress>
{
    private readonly Stopwatch clock = new();
    private readonly Stopwatch phase = Stopwatch.StartNew();
    private RunPhase? current;
    private double startTime;

    /// <summary>A bar when <paramref name="error"/> is the console's error stream on a terminal, else none.</summary>
    public static IProgress<RunProgress>? For(TextWriter error) =>
        error == Console.Error && !Console.IsErrorRedirected ? new ProgressBar(error) : null;

    public void Report(RunProgress value)
    {
        if (value.Phase != current)
        {
            if (current is { } done && done != RunPhase.Integrate)
            {
                error.Write($" {phase.Elapsed.TotalSeconds:F1} s");
            }
            current = value.Phase;
            phase.Restart();
            if (value.Phase == RunPhase.Integrate)
            {
                error.WriteLine();
                clock.Restart();
                startTime = value.Time;
            }
            else if (value.Phase != RunPhase.Evaluate)
            {
                error.Write(
                    $"{(value.Phase == RunPhase.Derive ? "" : ", ")}{value.Phase.ToString().ToLowerInvariant()}"
                );
            }
        }
        if (value.Phase is RunPhase.Integrate or RunPhase.Evaluate)
        {
            var fraction = value.Fraction;
            var elapsed = clock.Elapsed.TotalSeconds;
            var left = fraction > 0 ? elapsed * (1 - fraction) / fraction : double.NaN;
            var bar = new string('#', (int)(30 * fraction)).PadRight(30);
            var rate = elapsed > 0 ? (value.Time - startTime) / elapsed : 0;
            var tail = value.Phase == RunPhase.Evaluate ? $"{elapsed:F1} s" : $"{left:F0} s left";
            error.Write($"\r[{bar}] {100 * fraction, 5:F1}%  t = {value.Time:G6} ({rate:G3}/s), {tail}   ");
            if (value.Phase == RunPhase.Evaluate)
            {
                error.WriteLine();
            }
        }
    }
}
