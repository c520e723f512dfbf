using Stlp.Runtime.Kernels;

namespace Stlp.Runtime.Integration;

/// <summary>
/// A linearly implicit (Rosenbrock) method of order 4 with an embedded order-3 error estimate and
/// step-size control, for stiff runs: small masses give relaxation times m_W/gamma far below the
/// time scale of learning (docs/equations.md §7). Four stages, three right-hand sides and one Jacobian per
/// step; each stage solves with (I/(gamma h) - J), factored once. The coefficients are
/// Shampine's (1982) parameter set in the Kaps–Rentrop form (gamma = 1/2; Hairer &amp; Wanner,
/// Solving ODEs II, §IV.7); order 4 is checked by step halving in the tests. Not stiffly
/// accurate: on the small-mass STLP system it loses accuracy (see the stiff benchmark), and
/// <see cref="Sdirk"/> is the better choice there. The Jacobian is the kernel's (generated tangent code, or differences of the kernel);
/// df/dt by a difference, since the signals make the system non-autonomous. Output between
/// steps is cubic Hermite interpolation.
/// </summary>
public sealed class Rosenbrock(double relativeTolerance, double absoluteTolerance) : IAdaptiveIntegrator
{
    private const double Gam = 1.0 / 2;
    private const double A21 = 2.0,
        A31 = 48.0 / 25,
        A32 = 6.0 / 25;
    private const double C21 = -8.0,
        C31 = 372.0 / 25,
        C32 = 12.0 / 5;
    private const double C41 = -112.0 / 125,
        C42 = -54.0 / 125,
        C43 = -2.0 / 5;
    private const double B1 = 19.0 / 9,
        B2 = 1.0 / 2,
        B3 = 25.0 / 108,
        B4 = 125.0 / 108;
    private const double E1 = 17.0 / 54,
        E2 = 7.0 / 36,
        E3 = 0.0,
        E4 = 125.0 / 108;
    private const double C1X = 1.0 / 2,
        C2X = -3.0 / 2,
        C3X = 121.0 / 50,
        C4X = 29.0 / 250;
    private const double A2X = 1.0,
        A3X = 3.0 / 5;

    /// <summary>When set, every step has this size and no error control: for order measurements.</summary>
    public double? FixedStep { get; init; }

    public double InitialStep { get; init; } = 1e-3;

    public double MinimumRelativeStep { get; init; } = 1e-14;

    /// <summary>Jacobian evaluations (one per attempted step), for the benchmark.</summary>
    public long JacobianEvaluations { get; private set; }

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
        var jacobian = new double[m * m];
        var matrix = new double[m * m];
        var pivots = new int[m];
        double[] f0 = new double[m],
            f1 = new double[m],
            dfdt = new double[m],
            g1 = new double[m],
            g2 = new double[m],
            g3 = new double[m],
            g4 = new double[m],
            stage = new double[m],
            y1 = new double[m],
            dense = new double[m];
        var stats = new IntegrationStatistics();
        var t = t0;
        var h = FixedStep ?? Math.Min(InitialStep, t1 - t0);
        output(t, y);
        var clock = new OutputClock(t0, outputEvery, t1, output);
        s.Derivative(t, y, f0);
        while (!OutputClock.Reached(t, t1) && !cancel.IsCancellationRequested)
        {
            h = Math.Min(h, t1 - t);
            var proposed = h;
            if (FixedStep is null)
            {
                h = s.LimitStep(t, h);
            }
            s.Jacobian(t, y, jacobian);
            JacobianEvaluations++;
            // df/dt by a forward difference at fixed y.
            var dt = 1e-7 * Math.Max(1, Math.Abs(t));
            s.Derivative(t + dt, y, dfdt);
            for (var i = 0; i < m; i++)
            {
                dfdt[i] = (dfdt[i] - f0[i]) / dt;
            }
            for (var i = 0; i < m * m; i++)
            {
                matrix[i] = -jacobian[i];
            }
            for (var i = 0; i < m; i++)
            {
                matrix[i * m + i] += 1.0 / (Gam * h);
            }
            if (!DenseLu.Factor(matrix, m, pivots))
            {
                throw new IntegrationFailure(t, stats.Accepted, "Rosenbrock matrix", "I/(gamma h) - J is singular");
            }

            for (var i = 0; i < m; i++)
                g1[i] = f0[i] + h * C1X * dfdt[i];
            DenseLu.Solve(matrix, m, pivots, g1);
            for (var i = 0; i < m; i++)
                stage[i] = y[i] + A21 * g1[i];
            s.Derivative(t + A2X * h, stage, f1);
            for (var i = 0; i < m; i++)
                g2[i] = f1[i] + h * C2X * dfdt[i] + C21 * g1[i] / h;
            DenseLu.Solve(matrix, m, pivots, g2);
            for (var i = 0; i < m; i++)
                stage[i] = y[i] + A31 * g1[i] + A32 * g2[i];
            s.Derivative(t + A3X * h, stage, f1);
            for (var i = 0; i < m; i++)
                g3[i] = f1[i] + h * C3X * dfdt[i] + (C31 * g1[i] + C32 * g2[i]) / h;
            DenseLu.Solve(matrix, m, pivots, g3);
            // The fourth stage reuses the third right-hand side (its abscissa is the same).
            for (var i = 0; i < m; i++)
                g4[i] = f1[i] + h * C4X * dfdt[i] + (C41 * g1[i] + C42 * g2[i] + C43 * g3[i]) / h;
            DenseLu.Solve(matrix, m, pivots, g4);

            for (var i = 0; i < m; i++)
            {
                y1[i] = y[i] + B1 * g1[i] + B2 * g2[i] + B3 * g3[i] + B4 * g4[i];
                // (I - gamma h J)^-1 e: the raw estimate overstates stiff components that the
                // method itself damps, which would hold the step near the explicit limit.
                stage[i] = (E1 * g1[i] + E2 * g2[i] + E3 * g3[i] + E4 * g4[i]) / (Gam * h);
            }
            DenseLu.Solve(matrix, m, pivots, stage);
            var error = StepControl.ScaledError(
                stage,
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
                h = StepControl.AfterReject(h, error, 1.0 / 3);
                StepControl.CheckCollapse(h, t, stats.Accepted, MinimumRelativeStep, "the solution may blow up");
                continue;
            }

            s.Derivative(t + h, y1, f1);
            clock.Inside(t, h, dense, (theta, result) => StepControl.Hermite(theta, h, y, f0, y1, f1, result));
            t += h;
            StepControl.Accept(s, stats, t, h, y, y1, f0, f1, afterStep, clock);
            if (FixedStep is null)
            {
                h = StepControl.AfterAccept(h, proposed, error, 0.25);
            }
        }
        return stats;
    }
}
