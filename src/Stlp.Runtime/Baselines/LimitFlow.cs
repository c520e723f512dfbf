using Stlp.Runtime.Signals;

namespace Stlp.Runtime.Baselines;

/// <summary>
/// The STLP weights' dynamics in the limit of vanishing neuron masses (docs/equations.md §7), on
/// the presentation itself: m_W W'' + gamma W' = -dV/dW(W; e(t), y(t)), the neurons at their
/// feedforward values for the mollified signals e(t), y(t) of the examples being presented. It is
/// what a run of the same presentation would learn with m_x -> 0 and an exact integrator; beside a
/// run it separates what the presentation (tau, eps, theta) costs from what the finite neuron
/// masses and the integrator cost. Each substep holds the gradient at its midpoint and integrates
/// the linear part exactly: W' relaxes at theta = gamma/m_W however short the presentation.
/// </summary>
public sealed class LimitFlow
{
    private readonly double weightMass;
    private readonly double theta;
    private readonly double[][][] velocity;
    private readonly double[][]? biasVelocity;

    /// <param name="network">The network, with its current weights; they are updated in place.</param>
    /// <param name="weightMass">m_W.</param>
    /// <param name="gamma">gamma = m_W varpi'/varpi: 1/gamma is the backprop limit's rate per unit time.</param>
    public LimitFlow(BackpropMlp network, double weightMass, double gamma)
    {
        if (!(weightMass > 0 && gamma > 0))
        {
            throw new ArgumentOutOfRangeException(nameof(gamma), "the limit flow needs m_W > 0 and gamma > 0");
        }
        Network = network;
        this.weightMass = weightMass;
        theta = gamma / weightMass;
        velocity = [.. network.Weights.Select(layer => layer.Select(row => new double[row.Length]).ToArray())];
        biasVelocity = network.Biases is null ? null : [.. network.Biases.Select(b => new double[b.Length])];
    }

    public BackpropMlp Network { get; }

    /// <summary>Integrates from <paramref name="t0"/> to <paramref name="t1"/> in equal substeps of at most <paramref name="maxStep"/>.</summary>
    public void Advance(DataSetSignals data, double t0, double t1, double maxStep)
    {
        var steps = Math.Max(1, (int)Math.Ceiling((t1 - t0) / maxStep - 1e-9));
        var h = (t1 - t0) / steps;
        var decay = Math.Exp(-theta * h);
        var along = (1 - decay) / theta;
        var features = new double[data.Features[0].Length];
        var targets = new double[data.Targets[0].Length];
        for (var s = 0; s < steps; s++)
        {
            data.ValuesAt(t0 + (s + 0.5) * h, features, targets);
            Shift(0.5 * h);
            var (gw, gb, _) = Network.Gradient(features, targets);
            Shift(-0.5 * h);
            // Exact over h with the gradient g held: V(h) = V e^{-theta h} - (g/m_W)(1 - e^{-theta h})/theta,
            // W(h) = W + V (1 - e^{-theta h})/theta - (g/m_W)(h - (1 - e^{-theta h})/theta)/theta.
            Update(Network.Weights, velocity, gw, h, decay, along);
            if (Network.Biases is not null)
            {
                Update([Network.Biases], [biasVelocity!], [gb], h, decay, along);
            }
        }
    }

    private void Update(double[][][] w, double[][][] v, double[][][] g, double h, double decay, double along)
    {
        for (var l = 0; l < w.Length; l++)
        {
            for (var j = 0; j < w[l].Length; j++)
            {
                for (var k = 0; k < w[l][j].Length; k++)
                {
                    var force = g[l][j][k] / weightMass;
                    w[l][j][k] += v[l][j][k] * along - force / theta * (h - along);
                    v[l][j][k] = v[l][j][k] * decay - force * along;
                }
            }
        }
    }

    /// <summary>W += dt W' (to the substep's midpoint and back).</summary>
    private void Shift(double dt)
    {
        for (var l = 0; l < velocity.Length; l++)
        {
            for (var j = 0; j < velocity[l].Length; j++)
            {
                var w = Network.Weights[l][j];
                var v = velocity[l][j];
                for (var k = 0; k < w.Length; k++)
                {
                    w[k] += dt * v[k];
                }
                if (Network.Biases is not null)
                {
                    Network.Biases[l][j] += dt * biasVelocity![l][j];
                }
            }
        }
    }
}
