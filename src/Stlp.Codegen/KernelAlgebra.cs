using Stlp.Ir;
using Stlp.Runtime.Kernels;

namespace Stlp.Codegen;

/// <summary>
/// The arithmetic after the instruction list, for the interpreter: H~^-1, the multiplier matrix
/// A and right-hand side b, the Cholesky solve of A lambda~ = b, and qddot = H~^-1 (f~ - G_q'
/// lambda~). Written plainly; the emitter writes the same operations in the same order.
/// </summary>
public sealed class KernelAlgebra(IrProgram p)
{
    private readonly double[] hInverse = new double[p.N];
    private readonly double[] a = new double[p.R * p.R];
    private readonly double[] lambda = new double[p.R];
    private readonly double[] acc = new double[p.N];
    private readonly double[] dense = p.IsHDiagonal ? [] : new double[p.N * p.N];

    public void Finish(
        double t,
        double[] temps,
        Span<double> qddot,
        Span<double> lambdaNormalized,
        Span<double> g,
        Span<double> gdot,
        out double varpi
    )
    {
        var n = p.N;
        var r = p.R;
        for (var j = 0; j < r; j++)
        {
            g[j] = temps[p.G[j]];
            gdot[j] = temps[p.Gdot[j]];
        }
        varpi = temps[p.Varpi];
        if (!p.IsHDiagonal)
        {
            GeneralSolver.Solve(t, p, temps, dense, qddot, lambdaNormalized);
            return;
        }
        foreach (var e in p.HNorm)
        {
            var h = temps[e.Slot];
            if (!(h > 0.0))
            {
                throw new NumericalFailure(t, $"H~[{e.Row}]", $"not positive ({h:R})");
            }
            hInverse[e.Row] = 1.0 / h;
        }
        Array.Clear(a);
        foreach (var e in p.A)
        {
            a[e.Column * r + e.Row] = temps[e.Slot];
        }
        for (var j = 0; j < r; j++)
        {
            lambda[j] = temps[p.B[j]];
        }
        var pivot = DenseCholesky.Factor(a, r);
        if (pivot >= 0)
        {
            throw new NumericalFailure(
                t,
                $"A[{pivot},{pivot}]",
                "non-positive pivot of the multiplier matrix G_q H^-1 G_q' (constraints dependent)"
            );
        }
        DenseCholesky.Solve(a, r, lambda);
        for (var i = 0; i < n; i++)
        {
            acc[i] = temps[p.FNorm[i]];
        }
        foreach (var e in p.Gq)
        {
            acc[e.Column] -= temps[e.Slot] * lambda[e.Row];
        }
        for (var i = 0; i < n; i++)
        {
            qddot[i] = acc[i] * hInverse[i];
        }
        lambda.CopyTo(lambdaNormalized);
    }
}
