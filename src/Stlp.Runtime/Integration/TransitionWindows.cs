namespace Stlp.Runtime.Integration;

/// <summary>
/// The short intervals where training-set signals switch from one example to the next
/// (width 2 eps around each multiple of the presentation time, MATH.md §8). An adaptive step
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
        // The nearest switch, and whether t is inside its window.
        var k = (long)Math.Round(t / Period);
        if (k >= 1 && k <= Count && Math.Abs(t - k * Period) < HalfWidth - slack)
        {
            var end = k * Period + HalfWidth;
            return Math.Min(h, Math.Min(MaxStepInside, end - t));
        }
        // Outside: stop at the next window's start.
        var next = (long)Math.Floor((t + HalfWidth + slack) / Period) + 1;
        if (next < 1)
        {
            next = 1;
        }
        if (next > Count)
        {
            return h;
        }
        var start = next * Period - HalfWidth;
        return start - t > slack ? Math.Min(h, start - t) : Math.Min(h, MaxStepInside);
    }
}
