// samples/mlp.stlp by hand: a 2-2-1 tanh network, from MATH.md §2 and §6. Constraints:
//   inputs  G_k = x0_k - u_k(t)               (u1 = sin t, u2 = cos t),
//   neurons G_j = x_j - tanh(a_j), a_j = sum_k w_jk x_k.
// G_q rows are sparse: dG_j/dx_j = 1, dG_j/dx_k = -s_j w_jk, dG_j/dw_jk = -s_j x_k (s = 1 - tanh^2).
// gamma_j = 2 tanh(a_j) s_j adot_j^2 - s_j sum_k 2 wdot_jk xdot_k, gamma_k = -u_k''.
// V = (y - x_out)^2 / 2, y = sin(2t)/2; M = diag(m), varpi = exp(theta t):
//   (G_q M^-1 G_q') lambda~ = -theta G_q qdot - G_q M^-1 V_q + gamma, A assembled from the rows;
//   qddot = -theta qdot - M^-1 (V_q + G_q' lambda~).
// Coordinate layout as the network builder makes it:
//   0 x0_1, 1 x0_2, 2 x1_1, 3 w1_1_1, 4 w1_1_2, 5 x1_2, 6 w1_2_1, 7 w1_2_2, 8 x2_1, 9 w2_1_1, 10 w2_1_2.
using System;
using Stlp.Runtime.Kernels;

public sealed class MlpKernel : IKernel
{
    private const int N = 11;
    private const int R = 5;
    private const double MassNeuron = 0.5;
    private const double MassWeight = 1.0;

    // Per neuron: its coordinate, its sources, its weights.
    private static readonly int[] Neuron = [2, 5, 8];
    private static readonly int[][] Sources =
    [
        [0, 1],
        [0, 1],
        [2, 5],
    ];
    private static readonly int[][] Weights =
    [
        [3, 4],
        [6, 7],
        [9, 10],
    ];
    private static readonly bool[] IsWeight = [false, false, false, true, true, false, true, true, false, true, true];

    // Sparse rows of G_q: column indices and values, at most 5 entries a row.
    private readonly int[][] columns = [new int[5], new int[5], new int[5], new int[5], new int[5]];
    private readonly double[][] values = [new double[5], new double[5], new double[5], new double[5], new double[5]];
    private readonly int[] count = new int[R];
    private readonly double[] gamma = new double[R];
    private readonly double[] vq = new double[N];
    private readonly double[] a = new double[R * R];
    private readonly double[] b = new double[R];

    public int CoordinateCount => N;
    public int ConstraintCount => R;
    public int ParameterCount => 1;
    public int SignalCount => 0;

    private static double Mass(int i) => IsWeight[i] ? MassWeight : MassNeuron;

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
        // Inputs: x0_1 = sin t, x0_2 = cos t.
        Span<double> u = [Math.Sin(t), Math.Cos(t)];
        Span<double> u1 = [Math.Cos(t), -Math.Sin(t)];
        Span<double> u2 = [-Math.Sin(t), -Math.Cos(t)];
        for (var k = 0; k < 2; k++)
        {
            columns[k][0] = k;
            values[k][0] = 1;
            count[k] = 1;
            gamma[k] = -u2[k];
            g[k] = q[k] - u[k];
            gdot[k] = qdot[k] - u1[k];
        }
        for (var j = 0; j < 3; j++)
        {
            var row = j + 2;
            var src = Sources[j];
            var ws = Weights[j];
            double act = 0,
                adot = 0,
                wx = 0;
            for (var k = 0; k < 2; k++)
            {
                act += q[ws[k]] * q[src[k]];
                adot += qdot[ws[k]] * q[src[k]] + q[ws[k]] * qdot[src[k]];
                wx += 2 * qdot[ws[k]] * qdot[src[k]];
            }
            var th = Math.Tanh(act);
            var s = 1 - th * th;
            var n = 0;
            columns[row][n] = Neuron[j];
            values[row][n++] = 1;
            for (var k = 0; k < 2; k++)
            {
                columns[row][n] = src[k];
                values[row][n++] = -s * q[ws[k]];
                columns[row][n] = ws[k];
                values[row][n++] = -s * q[src[k]];
            }
            count[row] = n;
            gamma[row] = 2 * th * s * adot * adot - s * wx;
            g[row] = q[Neuron[j]] - th;
            gdot[row] = qdot[Neuron[j]] - s * adot;
        }
        Array.Clear(vq);
        vq[8] = -(Math.Sin(2 * t) / 2 - q[8]);

        // A = G_q M^-1 G_q' and b from the sparse rows.
        for (var j = 0; j < R; j++)
        {
            var bj = gamma[j];
            for (var e = 0; e < count[j]; e++)
            {
                var i = columns[j][e];
                bj -= values[j][e] * (theta * qdot[i] + vq[i] / Mass(i));
            }
            b[j] = bj;
            for (var k = 0; k <= j; k++)
            {
                double s = 0;
                for (var e = 0; e < count[j]; e++)
                {
                    for (var f = 0; f < count[k]; f++)
                    {
                        if (columns[j][e] == columns[k][f])
                        {
                            s += values[j][e] * values[k][f] / Mass(columns[j][e]);
                        }
                    }
                }
                a[j * R + k] = s;
            }
        }
        if (DenseCholesky.Factor(a, R) >= 0)
        {
            throw new NumericalFailure(t, "A", "not positive definite");
        }
        DenseCholesky.Solve(a, R, b);

        for (var i = 0; i < N; i++)
        {
            qddot[i] = vq[i];
        }
        for (var j = 0; j < R; j++)
        {
            for (var e = 0; e < count[j]; e++)
            {
                qddot[columns[j][e]] += values[j][e] * b[j];
            }
        }
        for (var i = 0; i < N; i++)
        {
            qddot[i] = -theta * qdot[i] - qddot[i] / Mass(i);
        }
        b.CopyTo(lambdaNormalized);
        varpi = Math.Exp(theta * t);
    }
}
