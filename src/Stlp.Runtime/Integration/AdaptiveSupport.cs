namespace Stlp.Runtime.Integration;

/// <summary>An integrator of a kernel's first-order system; every method of <see cref="Integrators"/> is one.</summary>
public interface IIntegrator
{
    /// <summary>
    /// Integrates y from t0 to t1 in place, calling <paramref name="output"/> at t0 + k
    /// outputEvery (interpolated inside steps) and at t1; <paramref name="afterStep"/> may change
    /// the state after each accepted step (projection).
    /// </summary>
    IntegrationStatistics Integrate(
        KernelSystem s,
        double t0,
        double[] y,
        double t1,
        double outputEvery,
        OutputHandler output,
        Action<double, double[]>? afterStep = null,
        CancellationToken cancel = default
    );
}

/// <summary>An integrator with step-size control (rtol, atol): Dormand–Prince, SDIRK4 or Rosenbrock.</summary>
public interface IAdaptiveIntegrator : IIntegrator;

/// <summary>
/// The output times t0 + k dt of an adaptive integration (as products, not accumulated sums, so
/// they do not drift): those inside a step come from the integrator's interpolant, one that a
/// step lands on from the step's end, and the end time always.
/// </summary>
internal sealed class OutputClock(double t0, double outputEvery, double t1, OutputHandler output)
{
    private readonly double slack = 1e-9 * outputEvery;
    private long index = 1;
    private double last = double.NegativeInfinity;

    private double Next => t0 + index * outputEvery;

    public static bool Reached(double t, double end) => t >= end - 1e-12 * Math.Max(1, Math.Abs(end));

    /// <summary>Every output time strictly inside (t, t + h): <paramref name="interpolate"/>(theta, buffer), theta in (0, 1).</summary>
    public void Inside(double t, double h, double[] buffer, Action<double, double[]> interpolate)
    {
        while (Next < t + h - slack)
        {
            interpolate((Next - t) / h, buffer);
            output(Next, buffer);
            last = Next;
            index++;
        }
    }

    /// <summary>After a step that ended at t: an output if t is an output time or the end.</summary>
    public void AtStepEnd(double t, double[] y)
    {
        var atOutput = Math.Abs(Next - t) <= slack;
        if (atOutput || (Reached(t, t1) && t - Math.Max(last, t0) > slack))
        {
            output(t, y);
            last = t;
        }
        if (atOutput)
        {
            index++;
        }
    }
}

/// <summary>Step-size rules shared by the adaptive integrators.</summary>
internal static class StepControl
{
    /// <summary>
    /// The next step after an accepted one of size h with scaled error <paramref name="error"/>
    /// (growth at most 5, shrink at most 0.2, safety 0.9). A step cut short to land on a switch
    /// window says little about the next one: then it grows from the controller's proposal.
    /// </summary>
    public static double AfterAccept(double h, double proposed, double error, double exponent)
    {
        var grown = h * Math.Min(5.0, Math.Max(0.2, 0.9 * Math.Pow(Math.Max(error, 1e-10), -exponent)));
        return h < proposed ? Math.Max(grown, proposed) : grown;
    }

    /// <summary>
    /// Takes an accepted step to its end t: the new state and its slope become the current ones,
    /// the step is counted and checked, the state is projected if asked (and its slope
    /// recomputed), and an output is written if t is an output time or the end.
    /// </summary>
    public static void Accept(
        KernelSystem s,
        IntegrationStatistics stats,
        double t,
        double h,
        double[] y,
        double[] yNew,
        double[] slope,
        double[] slopeNew,
        Action<double, double[]>? afterStep,
        OutputClock clock
    )
    {
        Array.Copy(yNew, y, y.Length);
        Array.Copy(slopeNew, slope, slope.Length);
        stats.Accepted++;
        stats.SmallestStep = Math.Min(stats.SmallestStep, h);
        StateChecks.Finite(t, stats.Accepted, y, s);
        if (afterStep is not null)
        {
            afterStep(t, y);
            s.Derivative(t, y, slope);
        }
        clock.AtStepEnd(t, y);
    }

    /// <summary>
    /// The RMS of the error estimate <paramref name="e"/> scaled by atol + rtol max(|y|, |y1|): a step
    /// is accepted at 1 or below. A non-finite estimate names the quantity that broke (it throws)
    /// or, when the state itself is finite, counts as infinitely large.
    /// </summary>
    public static double ScaledError(
        double[] e,
        double[] y,
        double[] y1,
        double relativeTolerance,
        double absoluteTolerance,
        double tEnd,
        long step,
        KernelSystem s
    )
    {
        var sum = 0.0;
        for (var i = 0; i < e.Length; i++)
        {
            var scale = absoluteTolerance + relativeTolerance * Math.Max(Math.Abs(y[i]), Math.Abs(y1[i]));
            sum += (e[i] / scale) * (e[i] / scale);
        }
        var error = Math.Sqrt(sum / e.Length);
        if (!double.IsFinite(error))
        {
            StateChecks.Finite(tEnd, step, y1, s);
            error = double.PositiveInfinity;
        }
        return error;
    }

    /// <summary>The smaller step after a rejected one.</summary>
    public static double AfterReject(double h, double error, double exponent) =>
        h * Math.Max(0.2, 0.9 * Math.Pow(error, -exponent));

    /// <summary>Throws when the step has collapsed (the usual sign of a blow-up).</summary>
    public static void CheckCollapse(double h, double t, long accepted, double minimumRelativeStep, string why)
    {
        if (h < minimumRelativeStep * Math.Max(1, Math.Abs(t)))
        {
            throw new IntegrationFailure(t, accepted, "step size", $"collapsed to {h:R} ({why})");
        }
    }

    /// <summary>Cubic Hermite interpolation on [t, t + h] from the end values and slopes.</summary>
    public static void Hermite(
        double theta,
        double h,
        double[] y0,
        double[] f0,
        double[] y1,
        double[] f1,
        double[] result
    )
    {
        var h00 = (1 + 2 * theta) * (1 - theta) * (1 - theta);
        var h10 = theta * (1 - theta) * (1 - theta);
        var h01 = theta * theta * (3 - 2 * theta);
        var h11 = theta * theta * (theta - 1);
        for (var i = 0; i < result.Length; i++)
        {
            result[i] = h00 * y0[i] + h10 * h * f0[i] + h01 * y1[i] + h11 * h * f1[i];
        }
    }
}
