using Stlp.Runtime.Kernels;

namespace Stlp.Runtime.Integration;

/// <summary>
/// Drift control by projection (docs/equations.md §5): after each accepted step, q is moved onto G = 0 by
/// Newton steps of least M-norm, then qdot onto Gdot = 0 (linear in qdot). G_q comes from central
/// differences of the kernel's G, which is enough for Newton on a residual that is already small.
/// </summary>
public sealed class Projection
{
    private readonly IKernel kernel;
    private readonly double[] parameters;
    private readonly double[] masses;
    private readonly int n;
    private readonly int r;
    private readonly double[] signals;
    private readonly double[] qddot,
        lambda,
        g,
        gdot,
        gPlus,
        gMinus,
        jacobian,
        gram,
        multiplier;

    private readonly Action<double, double[]>? fillSignals;

    /// <param name="fillSignals">Writes the kernel's signal inputs at time t, as for <see cref="KernelSystem"/>.</param>
    public Projection(
        IKernel kernel,
        double[] parameters,
        double[] masses,
        Action<double, double[]>? fillSignals = null,
        double tolerance = 1e-13
    )
    {
        this.fillSignals = fillSignals;
        this.kernel = kernel;
        this.parameters = parameters;
        this.masses = masses;
        Tolerance = tolerance;
        n = kernel.CoordinateCount;
        r = kernel.ConstraintCount;
        signals = new double[kernel.SignalCount];
        qddot = new double[n];
        (lambda, g, gdot, gPlus, gMinus) = (new double[r], new double[r], new double[r], new double[r], new double[r]);
        jacobian = new double[r * n];
        gram = new double[r * r];
        multiplier = new double[r];
    }

    public double Tolerance { get; }

    private void Residuals(double t, ReadOnlySpan<double> q, ReadOnlySpan<double> qdot, double[] gOut) =>
        kernel.Evaluate(t, q, qdot, parameters, signals, qddot, lambda, gOut, gdot, out _);

    /// <summary>Projects y = (q, qdot) in place at time t.</summary>
    public void Apply(double t, double[] y)
    {
        if (r == 0)
        {
            return;
        }
        fillSignals?.Invoke(t, signals);
        var q = y.AsSpan(0, n);
        var qdot = y.AsSpan(n, n);
        for (var iteration = 0; iteration < 4; iteration++)
        {
            Residuals(t, q, qdot, g);
            if (g.Max(Math.Abs) <= Tolerance)
            {
                break;
            }
            Jacobian(t, y);
            Correct(q, g);
        }
        // Gdot is linear in qdot: one correction puts it on Gdot = 0.
        Jacobian(t, y);
        Residuals(t, q, qdot, g);
        Correct(qdot, (double[])gdot.Clone());
    }

    private void Jacobian(double t, double[] y)
    {
        for (var i = 0; i < n; i++)
        {
            var saved = y[i];
            var h = 1e-7 * (1 + Math.Abs(saved));
            y[i] = saved + h;
            Residuals(t, y.AsSpan(0, n), y.AsSpan(n, n), gPlus);
            y[i] = saved - h;
            Residuals(t, y.AsSpan(0, n), y.AsSpan(n, n), gMinus);
            y[i] = saved;
            for (var j = 0; j < r; j++)
            {
                jacobian[j * n + i] = (gPlus[j] - gMinus[j]) / (2 * h);
            }
        }
    }

    /// <summary>x -= M^-1 J' (J M^-1 J')^-1 residual.</summary>
    private void Correct(Span<double> x, double[] residual)
    {
        for (var j = 0; j < r; j++)
        {
            for (var k = 0; k <= j; k++)
            {
                var s = 0.0;
                for (var i = 0; i < n; i++)
                {
                    s += jacobian[j * n + i] * jacobian[k * n + i] / masses[i];
                }
                gram[j * r + k] = s;
            }
            multiplier[j] = residual[j];
        }
        if (DenseCholesky.Factor(gram, r) >= 0)
        {
            throw new NumericalFailure(0, "projection", "G_q M^-1 G_q' is singular");
        }
        DenseCholesky.Solve(gram, r, multiplier);
        for (var i = 0; i < n; i++)
        {
            var s = 0.0;
            for (var j = 0; j < r; j++)
            {
                s += jacobian[j * n + i] * multiplier[j];
            }
            x[i] -= s / masses[i];
        }
    }
}
