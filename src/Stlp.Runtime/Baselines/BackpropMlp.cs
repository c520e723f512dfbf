namespace Stlp.Runtime.Baselines;

/// <summary>
/// The comparison every learning run reports: the same layered network (same sizes, activation,
/// biases, loss and initial weights) trained by ordinary backpropagation, online gradient descent
/// over the same presentation order and epochs. Written by hand, independent of the symbolic
/// layer, so it also checks it: in the limit of docs/equations.md §7 the STLP weights follow this method's
/// gradient flow.
/// </summary>
public sealed class BackpropMlp
{
    private readonly int[] sizes;

    /// <summary>The activation of each layer after the inputs, and its derivative.</summary>
    private readonly Func<double, double>[] activation;
    private readonly Func<double, double>[] activationSlope;
    private readonly bool crossEntropy;

    /// <summary>weights[l][j][k]: layer l+1, neuron j, input k (0-based).</summary>
    public double[][][] Weights { get; }

    /// <summary>biases[l][j], or null for a network without biases.</summary>
    public double[][]? Biases { get; }

    public BackpropMlp(int[] sizes, string activation, string loss, double[][][] weights, double[][]? biases)
        : this(sizes, [.. Enumerable.Repeat(activation, sizes.Length - 1)], loss, weights, biases) { }

    /// <param name="activations">One activation per layer after the inputs.</param>
    public BackpropMlp(int[] sizes, string[] activations, string loss, double[][][] weights, double[][]? biases)
    {
        if (activations.Length != sizes.Length - 1)
        {
            throw new ArgumentException($"{activations.Length} activations for {sizes.Length - 1} layers");
        }
        this.sizes = sizes;
        var pairs = activations.Select(Activation).ToArray();
        activation = [.. pairs.Select(p => p.Item1)];
        activationSlope = [.. pairs.Select(p => p.Item2)];
        crossEntropy = loss switch
        {
            "quadratic" => false,
            "crossentropy" => true,
            _ => throw new NotSupportedException($"loss '{loss}' has no hand-written backprop"),
        };
        Weights = weights;
        Biases = biases;
    }

    /// <summary>The activations with a hand-written derivative; others are not supported here.</summary>
    public static (Func<double, double>, Func<double, double>) Activation(string name) =>
        name switch
        {
            "tanh" => (Math.Tanh, a => 1 - Math.Tanh(a) * Math.Tanh(a)),
            "sigmoid" => (Sigmoid, a => Sigmoid(a) * (1 - Sigmoid(a))),
            "softplus" => (a => Math.Log(1 + Math.Exp(a)), Sigmoid),
            _ => throw new NotSupportedException($"activation '{name}' has no hand-written backprop"),
        };

    private static double Sigmoid(double a) => 1 / (1 + Math.Exp(-a));

    /// <summary>Outputs of every layer for one input (index 0: the input itself).</summary>
    public double[][] Forward(ReadOnlySpan<double> input)
    {
        var x = new double[sizes.Length][];
        x[0] = input.ToArray();
        for (var l = 1; l < sizes.Length; l++)
        {
            x[l] = new double[sizes[l]];
            for (var j = 0; j < sizes[l]; j++)
            {
                var a = Biases?[l - 1][j] ?? 0.0;
                var w = Weights[l - 1][j];
                for (var k = 0; k < sizes[l - 1]; k++)
                {
                    a += w[k] * x[l - 1][k];
                }
                x[l][j] = activation[l - 1](a);
            }
        }
        return x;
    }

    public double[] Predict(ReadOnlySpan<double> input) => Forward(input)[^1];

    /// <summary>The loss of one example: 1/2 |y - x|^2, or the binary cross-entropy per output.</summary>
    public double Loss(ReadOnlySpan<double> input, ReadOnlySpan<double> target)
    {
        var x = Predict(input);
        var sum = 0.0;
        for (var i = 0; i < x.Length; i++)
        {
            sum += crossEntropy
                ? -(target[i] * Math.Log(x[i]) + (1 - target[i]) * Math.Log(1 - x[i]))
                : 0.5 * (target[i] - x[i]) * (target[i] - x[i]);
        }
        return sum;
    }

    /// <summary>
    /// dV/dW and dV/db for one example, by the backprop recursion: delta at the outputs from the
    /// loss, then delta_k = sum_j delta_j sigma'_j w_jk layer by layer down.
    /// Returns the per-neuron dV/dx (the deltas) as well, layer by layer.
    /// </summary>
    public (double[][][] Weights, double[][] Biases, double[][] Deltas) Gradient(
        ReadOnlySpan<double> input,
        ReadOnlySpan<double> target
    )
    {
        var x = Forward(input);
        var layers = sizes.Length;
        var deltas = new double[layers][];
        var gw = new double[layers - 1][][];
        var gb = new double[layers - 1][];
        deltas[^1] = new double[sizes[^1]];
        for (var i = 0; i < sizes[^1]; i++)
        {
            var o = x[^1][i];
            deltas[^1][i] = crossEntropy ? (o - target[i]) / (o * (1 - o)) : o - target[i];
        }
        for (var l = layers - 1; l >= 1; l--)
        {
            gw[l - 1] = new double[sizes[l]][];
            gb[l - 1] = new double[sizes[l]];
            deltas[l - 1] = new double[sizes[l - 1]];
            for (var j = 0; j < sizes[l]; j++)
            {
                var a = Biases?[l - 1][j] ?? 0.0;
                for (var k = 0; k < sizes[l - 1]; k++)
                {
                    a += Weights[l - 1][j][k] * x[l - 1][k];
                }
                // dV/da_j = dV/dx_j * sigma'(a_j)
                var da = deltas[l][j] * activationSlope[l - 1](a);
                gb[l - 1][j] = da;
                gw[l - 1][j] = new double[sizes[l - 1]];
                for (var k = 0; k < sizes[l - 1]; k++)
                {
                    gw[l - 1][j][k] = da * x[l - 1][k];
                    deltas[l - 1][k] += da * Weights[l - 1][j][k];
                }
            }
        }
        return (gw, gb, deltas);
    }

    /// <summary>One gradient-descent step on one example.</summary>
    public void Step(ReadOnlySpan<double> input, ReadOnlySpan<double> target, double rate)
    {
        var (gw, gb, _) = Gradient(input, target);
        for (var l = 0; l < gw.Length; l++)
        {
            for (var j = 0; j < gw[l].Length; j++)
            {
                for (var k = 0; k < gw[l][j].Length; k++)
                {
                    Weights[l][j][k] -= rate * gw[l][j][k];
                }
                if (Biases is not null)
                {
                    Biases[l][j] -= rate * gb[l][j];
                }
            }
        }
    }
}
