namespace Stlp.Runtime.Integration;

/// <summary>
/// Dormand–Prince 5(4) with step-size control and its fourth-order continuous extension for
/// output at requested times (Hairer, Nørsett &amp; Wanner, Solving ODEs I, §II.5–6).
/// </summary>
public sealed class DormandPrince(double relativeTolerance, double absoluteTolerance) : IAdaptiveIntegrator
{
    private const double C2 = 1.0 / 5,
        C3 = 3.0 / 10,
        C4 = 4.0 / 5,
        C5 = 8.0 / 9;
    private const double A21 = 1.0 / 5;
    private const double A31 = 3.0 / 40,
        A32 = 9.0 / 40;
    private const double A41 = 44.0 / 45,
        A42 = -56.0 / 15,
        A43 = 32.0 / 9;
    private const double A51 = 19372.0 / 6561,
        A52 = -25360.0 / 2187,
        A53 = 64448.0 / 6561,
        A54 = -212.0 / 729;
    private const double A61 = 9017.0 / 3168,
        A62 = -355.0 / 33,
        A63 = 46732.0 / 5247,
        A64 = 49.0 / 176,
        A65 = -5103.0 / 18656;
    private const double A71 = 35.0 / 384,
        A73 = 500.0 / 1113,
        A74 = 125.0 / 192,
        A75 = -2187.0 / 6784,
        A76 = 11.0 / 84;
    private const double E1 = 71.0 / 57600,
        E3 = -71.0 / 16695,
        E4 = 71.0 / 1920,
        E5 = -17253.0 / 339200,
        E6 = 22.0 / 525,
        E7 = -1.0 / 40;
    private const double D1 = -12715105075.0 / 11282082432,
        D3 = 87487479700.0 / 32700410799,
        D4 = -10690763975.0 / 1880347072;
    private const double D5 = 701980252875.0 / 199316789632,
        D6 = -1453857185.0 / 822651844,
        D7 = 69997945.0 / 29380423;

    /// <summary>When set, every step has this size and no error control: for order measurements.</summary>
    public double? FixedStep { get; init; }

    public double InitialStep { get; init; } = 1e-3;

    /// <summary>Steps smaller than this relative to |t| count as a collapse (a blow-up).</summary>
    public double MinimumRelativeStep { get; init; } = 1e-14;

    public IntegrationStatistics Integrate(
        KernelSystem s,
        double t0,
        double[] y,
        double t1,
        double outputEvery,
        OutputHandler output,
        Action<double, double[]>? afterStep = null,
        CancellationToken cancel = default
    )
    {
        var m = y.Length;
        double[] k1 = new double[m],
            k2 = new double[m],
            k3 = new double[m],
            k4 = new double[m];
        double[] k5 = new double[m],
            k6 = new double[m],
            k7 = new double[m],
            tmp = new double[m],
            y1 = new double[m];
        double[] r1 = new double[m],
            r2 = new double[m],
            r3 = new double[m],
            r4 = new double[m],
            r5 = new double[m];
        var dense = new double[m];
        var stats = new IntegrationStatistics();
        var t = t0;
        var h = FixedStep ?? Math.Min(InitialStep, t1 - t0);
        output(t, y);
        var clock = new OutputClock(t0, outputEvery, t1, output);
        var memory = FixedStep is null ? s.Windows?.NewMemory() : null;
        s.Derivative(t, y, k1);
        while (!OutputClock.Reached(t, t1) && !cancel.IsCancellationRequested)
        {
            h = Math.Min(h, t1 - t);
            var proposed = h;
            if (FixedStep is null)
            {
                h = memory?.Limit(t, h) ?? s.LimitStep(t, h);
            }
            // The stages (Vector<double> at a time, the scalar loop's values bit for bit).
            StageSums.Combine(tmp, y, h, [A21], [k1]);
            s.Derivative(t + C2 * h, tmp, k2);
            StageSums.Combine(tmp, y, h, [A31, A32], [k1, k2]);
            s.Derivative(t + C3 * h, tmp, k3);
            StageSums.Combine(tmp, y, h, [A41, A42, A43], [k1, k2, k3]);
            s.Derivative(t + C4 * h, tmp, k4);
            StageSums.Combine(tmp, y, h, [A51, A52, A53, A54], [k1, k2, k3, k4]);
            s.Derivative(t + C5 * h, tmp, k5);
            StageSums.Combine(tmp, y, h, [A61, A62, A63, A64, A65], [k1, k2, k3, k4, k5]);
            s.Derivative(t + h, tmp, k6);
            StageSums.Combine(y1, y, h, [A71, A73, A74, A75, A76], [k1, k3, k4, k5, k6]);
            s.Derivative(t + h, y1, k7);
            StageSums.Combine(tmp, h, [E1, E3, E4, E5, E6, E7], [k1, k3, k4, k5, k6, k7]);
            var error = StepControl.ScaledError(
                tmp,
                y,
                y1,
                relativeTolerance,
                absoluteTolerance,
                t + h,
                stats.Accepted + 1,
                s
            );

            if (FixedStep is null && error > 1.0)
            {
                stats.Rejected++;
                h = StepControl.AfterReject(h, error, 0.2);
                StepControl.CheckCollapse(h, t, stats.Accepted, MinimumRelativeStep, "the solution may blow up");
                continue;
            }

            // Continuous extension over [t, t + h], formed only for a step with an output inside it.
            var extended = false;
            clock.Inside(
                t,
                h,
                dense,
                (theta, result) =>
                {
                    if (!extended)
                    {
                        for (var i = 0; i < m; i++)
                        {
                            r1[i] = y[i];
                            r2[i] = y1[i] - y[i];
                            r3[i] = h * k1[i] - r2[i];
                            r4[i] = r2[i] - h * k7[i] - r3[i];
                            r5[i] = h * (D1 * k1[i] + D3 * k3[i] + D4 * k4[i] + D5 * k5[i] + D6 * k6[i] + D7 * k7[i]);
                        }
                        extended = true;
                    }
                    var theta1 = 1 - theta;
                    for (var i = 0; i < m; i++)
                    {
                        result[i] = r1[i] + theta * (r2[i] + theta1 * (r3[i] + theta * (r4[i] + theta1 * r5[i])));
                    }
                }
            );
            // What the error allows from t, however far the next step may go: for the next window.
            memory?.Accepted(t, StepControl.AfterAccept(h, h, error, 0.2));
            t += h;
            StepControl.Accept(s, stats, t, h, y, y1, k1, k7, afterStep, clock);
            if (FixedStep is null)
            {
                h = StepControl.AfterAccept(h, proposed, error, 0.2);
            }
        }
        return stats;
    }
}
