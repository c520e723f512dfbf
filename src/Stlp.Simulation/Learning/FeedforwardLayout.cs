using Stlp.Model;
using Stlp.Runtime.Baselines;

namespace Stlp.Simulation.Learning;

/// <summary>
/// A layered network as indices into the state: for each layer l >= 1 and neuron j, the
/// coordinate index of each weight and of the bias, read from the layout the network builder
/// recorded (no names rebuilt from strings). What the hand-written backprop baseline needs.
/// </summary>
public sealed class FeedforwardLayout
{
    private FeedforwardLayout(int[] sizes, int[][][] weights, int[][]? biases, string[] activations, string loss)
    {
        Sizes = sizes;
        Weights = weights;
        Biases = biases;
        Activations = activations;
        Loss = loss;
    }

    /// <summary>Neurons per layer, inputs first.</summary>
    public int[] Sizes { get; }

    /// <summary>Weights[l][j][k]: the coordinate index of layer l+1's neuron j's weight on input k.</summary>
    public int[][][] Weights { get; }

    /// <summary>Biases[l][j]: the coordinate index of layer l+1's neuron j's bias, or null without biases.</summary>
    public int[][]? Biases { get; }

    /// <summary>The activation of each layer after the inputs.</summary>
    public string[] Activations { get; }
    public string Loss { get; }

    /// <summary>
    /// The layout of a feedforward network; <see cref="NotSupportedException"/> saying why for a
    /// digraph or a neuron that is not fed by the whole previous layer, or that has slacks.
    /// </summary>
    public static FeedforwardLayout Of(NetworkInfo network, IReadOnlyList<string> coordinateNames)
    {
        var layers = network.Layers.Select(l => l.ToArray()).ToArray();
        if (layers.Length < 2)
        {
            throw new NotSupportedException("only layered feedforward networks have a hand-written backprop");
        }
        var index = new Dictionary<string, int>();
        for (var i = 0; i < coordinateNames.Count; i++)
        {
            index[coordinateNames[i]] = i;
        }
        var neurons = network.Neurons.ToDictionary(n => n.Name);
        var sizes = layers.Select(l => l.Length).ToArray();
        var weights = new int[sizes.Length - 1][][];
        var biased = neurons[layers[1][0]].Bias.Length > 0;
        var biases = biased ? new int[sizes.Length - 1][] : null;
        for (var l = 1; l < sizes.Length; l++)
        {
            weights[l - 1] = new int[sizes[l]][];
            if (biases is not null)
            {
                biases[l - 1] = new int[sizes[l]];
            }
            for (var j = 0; j < sizes[l]; j++)
            {
                var neuron = neurons[layers[l][j]];
                if (!neuron.Sources.SequenceEqual(layers[l - 1]))
                {
                    throw new NotSupportedException($"neuron '{neuron.Name}' is not fed by the whole previous layer");
                }
                if (neuron.OtherScalars.Length > 0 || (neuron.Bias.Length > 0) != biased)
                {
                    throw new NotSupportedException("the network's neuron form is not sigma(sum w x + b)");
                }
                weights[l - 1][j] = [.. neuron.Weights.Select(w => index[w])];
                if (biases is not null)
                {
                    biases[l - 1][j] = index[neuron.Bias];
                }
            }
        }
        return new FeedforwardLayout(sizes, weights, biases, network.LayerActivations, network.LossKind);
    }

    /// <summary>The hand-written network with the weights (and biases) read from the coordinates q.</summary>
    public BackpropMlp Backprop(ReadOnlySpan<double> q)
    {
        var weights = new double[Weights.Length][][];
        var biases = Biases is null ? null : new double[Biases.Length][];
        for (var l = 0; l < Weights.Length; l++)
        {
            weights[l] = new double[Weights[l].Length][];
            for (var j = 0; j < Weights[l].Length; j++)
            {
                weights[l][j] = new double[Weights[l][j].Length];
                for (var k = 0; k < Weights[l][j].Length; k++)
                {
                    weights[l][j][k] = q[Weights[l][j][k]];
                }
            }
            if (biases is not null)
            {
                biases[l] = new double[Biases![l].Length];
                for (var j = 0; j < biases[l].Length; j++)
                {
                    biases[l][j] = q[Biases[l][j]];
                }
            }
        }
        return new BackpropMlp(Sizes, Activations, Loss, weights, biases);
    }
}
