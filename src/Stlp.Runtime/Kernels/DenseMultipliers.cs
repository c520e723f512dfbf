namespace Stlp.Runtime.Kernels;

/// <summary>
/// The multiplier solve when H~ is not diagonal (F depends on velocities): dense Cholesky of H~,
/// X = H~^-1 [G_q' | f~], A = G_q X_G, b = G_q X_f + gamma, then qddot = X_f - X_G lambda~.
/// </summary>
public static class DenseMultipliers
{
    /// <summary>
    /// Solves with <paramref name="h"/> (n x n, row-major, both triangles filled; overwritten by
    /// its factor) and <paramref name="gq"/> (r x n). Allocates: this is the rare, general case.
    /// </summary>
    public static void Solve(
        double t,
        int n,
        int r,
        double[] h,
        double[] gq,
        double[] f,
        double[] gamma,
        Span<double> qddot,
        Span<double> lambdaNormalized
    )
    {
        var pivot = DenseCholesky.Factor(h, n);
        if (pivot >= 0)
        {
            throw new NumericalFailure(t, $"H~[{pivot}]", "H = d2L/dqdot2 is not positive definite");
        }
        var xf = (double[])f.Clone();
        DenseCholesky.Solve(h, n, xf);
        var xg = new double[r * n];
        for (var j = 0; j < r; j++)
        {
            var column = xg.AsSpan(j * n, n);
            gq.AsSpan(j * n, n).CopyTo(column);
            DenseCholesky.Solve(h, n, column);
        }
        var a = new double[r * r];
        var b = new double[r];
        for (var j = 0; j < r; j++)
        {
            for (var k = 0; k < r; k++)
            {
                var s = 0.0;
                for (var i = 0; i < n; i++)
                {
                    s += gq[j * n + i] * xg[k * n + i];
                }
                a[j * r + k] = s;
            }
            var bj = gamma[j];
            for (var i = 0; i < n; i++)
            {
                bj += gq[j * n + i] * xf[i];
            }
            b[j] = bj;
        }
        var ap = DenseCholesky.Factor(a, r);
        if (ap >= 0)
        {
            throw new NumericalFailure(
                t,
                $"A[{ap},{ap}]",
                "non-positive pivot of the multiplier matrix G_q H^-1 G_q' (constraints dependent)"
            );
        }
        DenseCholesky.Solve(a, r, b);
        for (var i = 0; i < n; i++)
        {
            var v = xf[i];
            for (var j = 0; j < r; j++)
            {
                v -= xg[j * n + i] * b[j];
            }
            qddot[i] = v;
        }
        b.CopyTo(lambdaNormalized);
    }
}
