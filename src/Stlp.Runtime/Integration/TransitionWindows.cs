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

    /// <summary>
    /// Where <paramref name="t"/> is in its window: the offset from the window's start, in
    /// [0, 2 eps), or a negative number outside every window.
    /// </summary>
    public double OffsetInside(double t)
    {
        var slack = 1e-12 * Math.Max(1.0, Math.Abs(t));
        // Window k covers [k tau - eps, k tau + eps]; k is the switch nearest t.
        var k = (long)Math.Round(t / Period);
        var centre = k * Period;
        var inside = k >= 1 && k <= Count && t >= centre - HalfWidth - slack && t < centre + HalfWidth - slack;
        return inside ? Math.Max(0, t - (centre - HalfWidth)) : -1;
    }

    /// <summary>The step to take from <paramref name="t"/> given the controller's proposal <paramref name="h"/>.</summary>
    public double Limit(double t, double h)
    {
        var k = (long)Math.Round(t / Period);
        var centre = k * Period;
        if (OffsetInside(t) >= 0)
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

    /// <summary>A memory of the steps that the error control settled on inside the windows, for one integration.</summary>
    public StepMemory NewMemory() => new(this);

    /// <summary>
    /// The windows differ only in the size of the jump, so the step the error control settled on
    /// at an offset into one window is a good first try at that offset of the next. Without it an
    /// adaptive step enters each window with the long step of the constant stretch before it, and
    /// inside, the mollifier's curvature changes faster than the controller can follow: on the
    /// digits sample about ten steps per window were rejected (2.7 with the memory, and a fifth
    /// fewer right-hand sides in all). The memory keeps, per
    /// 1/64 of the window, the step the controller proposed after the last accepted step that
    /// started there (larger than the one taken when the error was small, so it can grow from
    /// window to window); a step inside a window is capped by the entry at or before its offset.
    /// One memory per integration: a run does not depend on the runs before it.
    /// </summary>
    public sealed class StepMemory
    {
        private const int Bins = 64;
        private readonly TransitionWindows windows;
        private readonly double[] steps = new double[Bins];

        internal StepMemory(TransitionWindows windows)
        {
            this.windows = windows;
            Array.Fill(steps, double.PositiveInfinity);
        }

        private int Bin(double offset) => Math.Clamp((int)(offset / (2 * windows.HalfWidth) * Bins), 0, Bins - 1);

        /// <summary><see cref="TransitionWindows.Limit"/>, and inside a window at most the remembered step.</summary>
        public double Limit(double t, double h)
        {
            h = windows.Limit(t, h);
            var offset = windows.OffsetInside(t);
            if (offset < 0)
            {
                return h;
            }
            for (var bin = Bin(offset); bin >= 0; bin--)
            {
                if (double.IsFinite(steps[bin]))
                {
                    return Math.Min(h, steps[bin]);
                }
            }
            return h;
        }

        /// <summary>
        /// An accepted step from <paramref name="start"/>, after which the controller proposes
        /// <paramref name="next"/> (its estimate of the step that the error allows there).
        /// </summary>
        public void Accepted(double start, double next)
        {
            var offset = windows.OffsetInside(start);
            if (offset >= 0 && next > 0)
            {
                steps[Bin(offset)] = next;
            }
        }
    }
}
