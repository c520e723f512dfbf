using Stlp.Ir;
using Stlp.Runtime.Kernels;

namespace Stlp.Codegen;

/// <summary>
/// The multiplier solve when H~ is not diagonal (F depends on velocities): dense Cholesky of H~,
/// X = H~^-1 [G_q' | f~], A = G_q X_G, b = G_q X_f + gamma, then qddot = X_f - X_G lambda~.
/// For the interpreter; generated kernels fill the same arrays and call <see cref="DenseMultipliers"/>.
/// </summary>
public static class GeneralSolver
{
    public static void Solve(
        double t,
        IrProgram p,
        double[] temps,
        double[] h,
        Span<double> qddot,
        Span<double> lambdaNormalized
    )
    {
        var n = p.N;
        var r = p.R;
        var gq = new double[r * n];
        foreach (var e in p.Gq)
        {
            gq[e.Row * n + e.Column] = temps[e.Slot];
        }
        var f = new double[n];
        for (var i = 0; i < n; i++)
        {
            f[i] = temps[p.FNorm[i]];
        }
        var gamma = new double[r];
        for (var j = 0; j < r; j++)
        {
            gamma[j] = temps[p.Gamma[j]];
        }
        Array.Clear(h);
        foreach (var e in p.HNorm)
        {
            h[e.Row * n + e.Column] = temps[e.Slot];
        }
        DenseMultipliers.Solve(t, n, r, h, gq, f, gamma, qddot, lambdaNormalized);
    }
}
