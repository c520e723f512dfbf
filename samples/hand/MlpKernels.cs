// Feedforward tanh networks without biases, by hand, from docs/equations.md §2 and §6, for
// samples/mlp.stlp (2-2-1) and samples/mlp4882.stlp (4-8-8-2). Inputs u_k(t) = sin(k t),
// targets y_k(t) = cos(k t) / 2, loss V = sum (y_k - x_out_k)^2 / 2, varpi = exp(theta t).
//   inputs  G_k = x0_k - u_k(t):               G_q row = e_k, gamma_k = -u_k'';
//   neurons G_j = x_j - tanh(a_j), a_j = sum_k w_jk x_k, s_j = 1 - tanh(a_j)^2:
//           dG_j/dx_j = 1, dG_j/dx_k = -s_j w_jk, dG_j/dw_jk = -s_j x_k,
//           gamma_j = 2 tanh(a_j) s_j adot_j^2 - s_j sum_k 2 wdot_jk xdot_k.
//   (G_q M^-1 G_q') lambda~ = -theta G_q qdot - G_q M^-1 V_q + gamma, A assembled from the rows;
//   qddot = -theta qdot - M^-1 (V_q + G_q' lambda~).
// Coordinate layout as the network builder makes it: the inputs, then for every neuron layer by
// layer the neuron followed by its incoming weights.
using System;
using Stlp.Runtime.Kernels;

public abstract class LayeredMlpKernel : IKernel
{
    private readonly int n;
    private readonly int r;
    private readonly int inputs;
    private readonly double massNeuron;
    private readonly double massWeight;
    private readonly int[] neuron; // coordinate of each non-input neuron
    private readonly int[][] sources; // coordinates feeding it
    private readonly int[][] weights; // its weight coordinates
    private readonly int[] outputs; // coordinates of the output neurons
    private readonly bool[] isWeight;
    private readonly int[][] columns; // sparse rows of G_q
    private readonly double[][] values;
    private readonly double[] gamma;
    private readonly double[] vq;
    private readonly double[] a;
    private readonly double[] b;

    protected LayeredMlpKernel(int[] sizes, double massNeuron, double massWeight)
    {
        this.massNeuron = massNeuron;
        this.massWeight = massWeight;
        inputs = sizes[0];
        var neurons = new System.Collections.Generic.List<int>();
        var src = new System.Collections.Generic.List<int[]>();
        var ws = new System.Collections.Generic.List<int[]>();
        var layer = new int[inputs];
        for (var k = 0; k < inputs; k++)
        {
            layer[k] = k;
        }
        var next = inputs;
        for (var l = 1; l < sizes.Length; l++)
        {
            var current = new int[sizes[l]];
            for (var j = 0; j < sizes[l]; j++)
            {
                current[j] = next;
                neurons.Add(next++);
                src.Add(layer);
                var w = new int[layer.Length];
                for (var k = 0; k < layer.Length; k++)
                {
                    w[k] = next++;
                }
                ws.Add(w);
            }
            layer = current;
        }
        n = next;
        r = inputs + neurons.Count;
        neuron = neurons.ToArray();
        sources = src.ToArray();
        weights = ws.ToArray();
        outputs = layer;
        isWeight = new bool[n];
        foreach (var w in weights)
        {
            foreach (var i in w)
            {
                isWeight[i] = true;
            }
        }
        columns = new int[r][];
        values = new double[r][];
        for (var j = 0; j < r; j++)
        {
            var size = j < inputs ? 1 : 1 + 2 * sources[j - inputs].Length;
            columns[j] = new int[size];
            values[j] = new double[size];
        }
        gamma = new double[r];
        vq = new double[n];
        a = new double[r * r];
        b = new double[r];
    }

    public int CoordinateCount => n;
    public int ConstraintCount => r;
    public int ParameterCount => 1;
    public int SignalCount => 0;

    private double Mass(int i) => isWeight[i] ? massWeight : massNeuron;

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
        for (var k = 0; k < inputs; k++)
        {
            var f = k + 1.0;
            columns[k][0] = k;
            values[k][0] = 1;
            gamma[k] = f * f * Math.Sin(f * t);
            g[k] = q[k] - Math.Sin(f * t);
            gdot[k] = qdot[k] - f * Math.Cos(f * t);
        }
        for (var j = 0; j < neuron.Length; j++)
        {
            var row = inputs + j;
            var src = sources[j];
            var ws = weights[j];
            double act = 0,
                adot = 0,
                wx = 0;
            for (var k = 0; k < src.Length; k++)
            {
                act += q[ws[k]] * q[src[k]];
                adot += qdot[ws[k]] * q[src[k]] + q[ws[k]] * qdot[src[k]];
                wx += 2 * qdot[ws[k]] * qdot[src[k]];
            }
            var th = Math.Tanh(act);
            var s = 1 - th * th;
            var e = 0;
            columns[row][e] = neuron[j];
            values[row][e++] = 1;
            for (var k = 0; k < src.Length; k++)
            {
                columns[row][e] = src[k];
                values[row][e++] = -s * q[ws[k]];
                columns[row][e] = ws[k];
                values[row][e++] = -s * q[src[k]];
            }
            gamma[row] = 2 * th * s * adot * adot - s * wx;
            g[row] = q[neuron[j]] - th;
            gdot[row] = qdot[neuron[j]] - s * adot;
        }
        Array.Clear(vq);
        for (var k = 0; k < outputs.Length; k++)
        {
            vq[outputs[k]] = -(Math.Cos((k + 1) * t) / 2 - q[outputs[k]]);
        }

        // A = G_q M^-1 G_q' and b from the sparse rows (rows share coordinates only through neurons).
        for (var j = 0; j < r; j++)
        {
            var bj = gamma[j];
            for (var e = 0; e < columns[j].Length; e++)
            {
                var i = columns[j][e];
                bj -= values[j][e] * (theta * qdot[i] + vq[i] / Mass(i));
            }
            b[j] = bj;
            for (var k = 0; k <= j; k++)
            {
                double s = 0;
                for (var e = 0; e < columns[j].Length; e++)
                {
                    var i = columns[j][e];
                    if (isWeight[i])
                    {
                        continue; // a weight belongs to one constraint only: no coupling
                    }
                    for (var f = 0; f < columns[k].Length; f++)
                    {
                        if (columns[k][f] == i)
                        {
                            s += values[j][e] * values[k][f] / massNeuron;
                        }
                    }
                }
                if (k == j)
                {
                    for (var e = 0; e < columns[j].Length; e++)
                    {
                        if (isWeight[columns[j][e]])
                        {
                            s += values[j][e] * values[j][e] / massWeight;
                        }
                    }
                }
                a[j * r + k] = s;
            }
        }
        if (DenseCholesky.Factor(a, r) >= 0)
        {
            throw new NumericalFailure(t, "A", "not positive definite");
        }
        DenseCholesky.Solve(a, r, b);

        for (var i = 0; i < n; i++)
        {
            qddot[i] = vq[i];
        }
        for (var j = 0; j < r; j++)
        {
            for (var e = 0; e < columns[j].Length; e++)
            {
                qddot[columns[j][e]] += values[j][e] * b[j];
            }
        }
        for (var i = 0; i < n; i++)
        {
            qddot[i] = -theta * qdot[i] - qddot[i] / Mass(i);
        }
        b.CopyTo(lambdaNormalized);
        varpi = Math.Exp(theta * t);
    }
}

/// <summary>samples/mlp.stlp.</summary>
public sealed class Mlp221Kernel() : LayeredMlpKernel([2, 2, 1], 0.5, 1.0);

/// <summary>samples/mlp4882.stlp.</summary>
public sealed class Mlp4882Kernel() : LayeredMlpKernel([4, 8, 8, 2], 0.1, 1.0);
