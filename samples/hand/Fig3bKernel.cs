// Fig. 3(b) by hand: G1 = x1 - e(t), G2 = x2 - tanh(w x1), e(t) = 3 (1 - exp(-t)),
// V = (x2 - tanh 3)^2 / 2 + c (x2 - tanh(w x1))^2 / 2, M = I, varpi = exp(theta t).
// With a = w x1, s = 1 - tanh(a)^2:
//   G_q = [1 0 0; -s w, 1, -s x1],
//   gamma1 = -e'', gamma2 = 2 tanh(a) s adot^2 - 2 s wdot x1dot  (adot = wdot x1 + w x1dot),
//   (G_q G_q') lambda~ = -theta G_q qdot - G_q V_q + gamma  (2x2, Cramer's rule),
//   qddot = -theta qdot - V_q - G_q' lambda~.
// Coordinates (x1, x2, w); parameters (theta, c).
using System;
using Stlp.Runtime.Kernels;

public sealed class Fig3bKernel : IKernel
{
    public int CoordinateCount => 3;
    public int ConstraintCount => 2;
    public int ParameterCount => 2;
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
        double theta = parameters[0],
            c = parameters[1];
        double x1 = q[0],
            x2 = q[1],
            w = q[2];
        double x1d = qdot[0],
            x2d = qdot[1],
            wd = qdot[2];
        var decay = Math.Exp(-t);
        var e = 3 * (1 - decay);
        var e1 = 3 * decay;
        var e2 = -3 * decay;
        var th = Math.Tanh(w * x1);
        var s = 1 - th * th;
        var adot = wd * x1 + w * x1d;
        var r = x2 - th;
        // V_q.
        var v0 = -c * r * s * w;
        var v1 = (x2 - Math.Tanh(3)) + c * r;
        var v2 = -c * r * s * x1;
        // Rows of G_q.
        double g20 = -s * w,
            g22 = -s * x1;
        var gamma1 = -e2;
        var gamma2 = 2 * th * s * adot * adot - 2 * s * wd * x1d;
        var a11 = 1.0;
        var a12 = g20;
        var a22 = g20 * g20 + 1 + g22 * g22;
        var b1 = -theta * x1d - v0 + gamma1;
        var b2 = -theta * (g20 * x1d + x2d + g22 * wd) - (g20 * v0 + v1 + g22 * v2) + gamma2;
        var det = a11 * a22 - a12 * a12;
        var l1 = (b1 * a22 - a12 * b2) / det;
        var l2 = (a11 * b2 - a12 * b1) / det;
        qddot[0] = -theta * x1d - v0 - (l1 + g20 * l2);
        qddot[1] = -theta * x2d - v1 - l2;
        qddot[2] = -theta * wd - v2 - g22 * l2;
        lambdaNormalized[0] = l1;
        lambdaNormalized[1] = l2;
        g[0] = x1 - e;
        g[1] = r;
        gdot[0] = x1d - e1;
        gdot[1] = x2d - s * adot;
        varpi = Math.Exp(theta * t);
    }
}
