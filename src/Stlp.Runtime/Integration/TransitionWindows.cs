namespace Stlp.Runtime.Integration;

/// <summary>
/// The short intervals where training-set signals switch from one example to the next
/// (width 2 eps around each multiple of the presentation time, docs/equations.md §8). An adaptive step
/// that jumps over one never sees the switch, and the neurons miss it (the constraints break by
/// the size of the jump); so steps end at each window's start and stay below a fraction of its
/// width inside it. Between windows the signals are constant and steps grow freely.
/// </summary>
public sealed class TransitionWindows
{
    /// <param name="period">The presentation time tau: windows are centred at k tau, k = 1 .. count.</param>
    /// <param name="halfWidth">The mollifier width eps.</param>
    /// <param name="count">How many switches there are.</param>
    /// <param name="stepsInside">The least number of steps taken across a window.</param>
    public TransitionWindows(double period, double halfWidth, long count, int stepsInside = 4)
    {
        if (!(period > 2 * halfWidth && halfWidth > 0))
        {
            throw new ArgumentOutOfRangeException(nameof(halfWidth), "windows need 0 < eps < tau/2");
        }
        Period = period;
        HalfWidth = halfWidth;
        Count = count;
        MaxStepInside = 2 * halfWidth / stepsInside;
    }

    public double Period { get; }
    public double HalfWidth { get; }
    public long Count { get; }
    public double MaxStepInside { get; }

    /// <summary>The step to take from <paramref name="t"/> given the controller's proposal <paramref name="h"/>.</summary>
    public double Limit(double t, double h)
    {
        var slack = 1e-12 * Math.Max(1.0, Math.Abs(t));
        // Window k covers [k tau - eps, k tau + eps]; k is the switch nearest t.
        var k = (long)Math.Round(t / Period);
        var centre = k * Period;
        var inside = k >= 1 && k <= Count && t >= centre - HalfWidth - slack && t < centre + HalfWidth - slack;
        if (inside)
        {
            return Math.Min(h, Math.Min(MaxStepInside, centre + HalfWidth - t));
        }
        // Outside: end the step at the next window's start.
        var next = t < centre - HalfWidth ? k : k + 1;
        next = Math.Max(next, 1);
        if (next > Count)
        {
            return h;
        }
        return Math.Min(h, next * Period - HalfWidth - t);
    }
}
