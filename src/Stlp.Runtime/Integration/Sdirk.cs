using Stlp.Runtime.Kernels;

namespace Stlp.Runtime.Integration;

/// <summary>
/// A singly diagonally implicit Runge–Kutta method of order 4 with an embedded order-3 estimate:
/// the five-stage, L-stable, stiffly accurate SDIRK of Hairer &amp; Wanner (Solving ODEs II, §IV.6,
/// gamma = 1/4). Stiffly accurate means the new state is the last stage itself, so it keeps its
/// order on singularly perturbed problems such as the small-mass STLP system (docs/equations.md §7), where
/// Rosenbrock methods lose accuracy. Each stage is solved by simplified Newton with
/// W = I - h gamma J, refactored when h changes; the Jacobian is the kernel's, kept across steps
/// while Newton converges fast. The error estimate is
/// filtered by W^-1 so that stiff components the method damps do not hold the step down. Output
/// between steps is cubic Hermite interpolation.
/// </summary>
public sealed class Sdirk(double relativeTolerance, double absoluteTolerance) : IAdaptiveIntegrator
{
    private const double Gamma = 1.0 / 4;
    private static readonly double[] C = [1.0 / 4, 3.0 / 4, 11.0 / 20, 1.0 / 2, 1.0];

    private static readonly double[][] A =
    [
        [],
        [1.0 / 2],
        [17.0 / 50, -1.0 / 25],
        [371.0 / 1360, -137.0 / 2720, 15.0 / 544],
        [25.0 / 24, -49.0 / 48, 125.0 / 16, -85.0 / 12],
    ];

    /// <summary>b - bhat: the weights of the error estimate (b is the last row of A, with gamma).</summary>
    private static readonly double[] E =
    [
        25.0 / 24 - 59.0 / 48,
        -49.0 / 48 + 17.0 / 96,
        125.0 / 16 - 225.0 / 32,
        0.0,
        1.0 / 4,
    ];

    private const int MaxNewtonIterations = 8;

    /// <summary>A stage that needs this many corrections asks for a fresh Jacobian next step.</summary>
    private const int SlowNewton = 3;

    /// <summary>Newton stops when the scaled correction is this fraction of the tolerance.</summary>
    private const double NewtonTolerance = 0.005;

    public double? FixedStep { get; init; }
    public double InitialStep { get; init; } = 1e-3;
    public double MinimumRelativeStep { get; init; } = 1e-14;
    public long JacobianEvaluations { get; private set; }
    public long NewtonFailures { get; private set; }

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
        var k = new double[5][];
        for (var i = 0; i < 5; i++)
        {
            k[i] = new double[m];
        }
        double[] f0 = new double[m],
            f1 = new double[m],
            z = new double[m],
            stage = new double[m],
            delta = new double[m],
            y1 = new double[m],
            scale = new double[m],
            dense = new double[m];
        var stats = new IntegrationStatistics();
        var t = t0;
        var h = FixedStep ?? Math.Min(InitialStep, t1 - t0);
        output(t, y);
        var clock = new OutputClock(t0, outputEvery, t1, output);
        s.Derivative(t, y, f0);
        var factoredFor = double.NaN;
        // The Jacobian is kept across steps while Newton converges fast (simplified Newton needs
        // only an approximate one); it is recomputed after a failure or slow convergence.
        var freshJacobian = true;
        while (!OutputClock.Reached(t, t1) && !cancel.IsCancellationRequested)
        {
            h = Math.Min(h, t1 - t);
            var proposed = h;
            if (FixedStep is null)
            {
                h = s.LimitStep(t, h);
            }
            if (freshJacobian)
            {
                s.Jacobian(t, y, jacobian);
                JacobianEvaluations++;
                freshJacobian = false;
                factoredFor = double.NaN;
            }
            if (factoredFor != h)
            {
                for (var i = 0; i < m * m; i++)
                {
                    matrix[i] = -h * Gamma * jacobian[i];
                }
                for (var i = 0; i < m; i++)
                {
                    matrix[i * m + i] += 1.0;
                }
                if (!DenseLu.Factor(matrix, m, pivots))
                {
                    throw new IntegrationFailure(t, stats.Accepted, "SDIRK matrix", "I - h gamma J is singular");
                }
                factoredFor = h;
            }
            for (var i = 0; i < m; i++)
            {
                scale[i] = absoluteTolerance + relativeTolerance * Math.Abs(y[i]);
            }

            // Stages: k_i = f(t + c_i h, z_i + h gamma k_i), z_i = y + h sum_{j<i} a_ij k_j.
            var converged = true;
            for (var st = 0; st < 5 && converged; st++)
            {
                for (var i = 0; i < m; i++)
                {
                    var sum = 0.0;
                    for (var j = 0; j < st; j++)
                    {
                        sum += A[st][j] * k[j][i];
                    }
                    z[i] = y[i] + h * sum;
                    k[st][i] = st == 0 ? f0[i] : k[st - 1][i];
                }
                converged = false;
                var previousNorm = double.PositiveInfinity;
                for (var iteration = 0; iteration < MaxNewtonIterations; iteration++)
                {
                    for (var i = 0; i < m; i++)
                    {
                        stage[i] = z[i] + h * Gamma * k[st][i];
                    }
                    s.Derivative(t + C[st] * h, stage, delta);
                    for (var i = 0; i < m; i++)
                    {
                        delta[i] -= k[st][i];
                    }
                    DenseLu.Solve(matrix, m, pivots, delta);
                    var norm = 0.0;
                    for (var i = 0; i < m; i++)
                    {
                        k[st][i] += delta[i];
                        var d = h * Gamma * delta[i] / scale[i];
                        norm += d * d;
                    }
                    norm = Math.Sqrt(norm / m);
                    if (!double.IsFinite(norm) || norm > 2 * previousNorm)
                    {
                        break;
                    }
                    if (norm < NewtonTolerance)
                    {
                        converged = true;
                        freshJacobian |= iteration >= SlowNewton;
                        break;
                    }
                    previousNorm = norm;
                }
            }
            if (!converged)
            {
                NewtonFailures++;
                stats.Rejected++;
                if (FixedStep is not null)
                {
                    throw new IntegrationFailure(t, stats.Accepted, "Newton", "the stage equations did not converge");
                }
                h *= 0.5;
                // A fresh Jacobian too: the old one may be why Newton failed.
                freshJacobian = true;
                StepControl.CheckCollapse(h, t, stats.Accepted, MinimumRelativeStep, "Newton fails");
                continue;
            }

            // y1 is the last stage (stiffly accurate); the estimate is filtered by W^-1.
            for (var i = 0; i < m; i++)
            {
                var sum = 0.0;
                var e = 0.0;
                for (var j = 0; j < 4; j++)
                {
                    sum += A[4][j] * k[j][i];
                    e += E[j] * k[j][i];
                }
                y1[i] = y[i] + h * (sum + Gamma * k[4][i]);
                delta[i] = h * (e + E[4] * k[4][i]);
            }
            DenseLu.Solve(matrix, m, pivots, delta);
            var error = StepControl.ScaledError(
                delta,
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
                h = StepControl.AfterReject(h, error, 0.25);
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
