namespace Stlp.Runtime.Kernels;

/// <summary>
/// The acceleration Jacobian by central differences of <see cref="IKernel.Evaluate"/>, for kernels
/// with a dense H~ (velocity-dependent F), where the tangent assembly is not generated. Accuracy
/// is that of the difference (about 1e-8 relative), not round-off.
/// </summary>
public static class FiniteDifferenceJacobian
{
    public static void Compute(
        IKernel kernel,
        double t,
        ReadOnlySpan<double> q,
        ReadOnlySpan<double> qdot,
        ReadOnlySpan<double> parameters,
        ReadOnlySpan<double> signals,
        Span<double> jacobian
    )
    {
        var n = kernel.CoordinateCount;
        var r = kernel.ConstraintCount;
        var y = new double[2 * n];
        q.CopyTo(y);
        qdot.CopyTo(y.AsSpan(n));
        var plus = new double[n];
        var minus = new double[n];
        var lambda = new double[r];
        var g = new double[r];
        var gdot = new double[r];
        DiagonalJacobian.Identity(n, jacobian);
        for (var k = 0; k < 2 * n; k++)
        {
            var h = 1e-6 * (1 + Math.Abs(y[k]));
            var saved = y[k];
            y[k] = saved + h;
            kernel.Evaluate(t, y.AsSpan(0, n), y.AsSpan(n), parameters, signals, plus, lambda, g, gdot, out _);
            y[k] = saved - h;
            kernel.Evaluate(t, y.AsSpan(0, n), y.AsSpan(n), parameters, signals, minus, lambda, g, gdot, out _);
            y[k] = saved;
            for (var i = 0; i < n; i++)
            {
                jacobian[(n + i) * 2 * n + k] = (plus[i] - minus[i]) / (2 * h);
            }
        }
    }
}
