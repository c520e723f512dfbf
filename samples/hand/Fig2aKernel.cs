// Fig. 2(a) by hand, from the paper's eqs. (14)-(16) with M = I, varpi = exp(theta t):
//   G = x - w e(t), e(t) = 3 (1 - exp(-t)),  V = (x - 3)^2 / 2.
//   G_q = (1, -e), gamma = -w e'' - 2 e' wdot,
//   (G_q G_q') lambda~ = -theta G_q qdot - G_q V_q + gamma,
//   qddot = -theta qdot - V_q - G_q' lambda~.
// Coordinates (x, w); parameters (theta).
using System;
using Stlp.Runtime.Kernels;

public sealed class Fig2aKernel : IKernel
{
    public int CoordinateCount => 2;
    public int ConstraintCount => 1;
    public int ParameterCount => 1;
    public int SignalCount => 0;

    public void Evaluate(
        double t,
        ReadOnlySpan<double> q,
        ReadOnlySpan<double> qdot,
        ReadOnlySpan<double> parameters,
        ReadOnlySpan<double> signals,
        Span<double> qddot,
        Span<double> lambdaNormalized,
        Span<double> g,
        Span<double> gdot,
        out double varpi
    )
    {
        var theta = parameters[0];
        double x = q[0],
            w = q[1],
            xd = qdot[0],
            wd = qdot[1];
        var decay = Math.Exp(-t);
        var e = 3 * (1 - decay);
        var e1 = 3 * decay;
        var e2 = -3 * decay;
        var gamma = -w * e2 - 2 * e1 * wd;
        var a = 1 + e * e;
        var b = -theta * (xd - e * wd) - (x - 3) + gamma;
        var lambda = b / a;
        qddot[0] = -theta * xd - (x - 3) - lambda;
        qddot[1] = -theta * wd + e * lambda;
        lambdaNormalized[0] = lambda;
        g[0] = x - w * e;
        gdot[0] = xd - wd * e - w * e1;
        varpi = Math.Exp(theta * t);
    }
}
