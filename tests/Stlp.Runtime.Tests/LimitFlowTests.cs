using Stlp.Runtime.Baselines;
using Stlp.Runtime.Signals;
using Xunit;

namespace Stlp.Runtime.Tests;

public sealed class LimitFlowTests
{
    private static BackpropMlp Net() => BackpropMlpTests.Net("tanh", "quadratic");

    /// <summary>Four rows of three features, two classes, presented for tau = 1 with eps = 0.3.</summary>
    private static DataSetSignals Data() =>
        new(
            new DataSetSpec("d", true, 1.0, 0.3, 2, 1.0, 1, false, Shuffle: false),
            [
                [0.3, -0.7, 0.5],
                [-0.2, 0.4, 0.9],
                [0.8, 0.1, -0.6],
                [-0.5, -0.5, 0.2],
            ],
            ["a", "b", "a", "b"]
        );

    private static double[] Flatten(BackpropMlp net) =>
        [.. net.Weights.SelectMany(l => l.SelectMany(r => r)), .. net.Biases!.SelectMany(b => b)];

    private static void Unflatten(BackpropMlp net, ReadOnlySpan<double> values)
    {
        var i = 0;
        foreach (var row in net.Weights.SelectMany(l => l))
        {
            for (var k = 0; k < row.Length; k++)
            {
                row[k] = values[i++];
            }
        }
        foreach (var b in net.Biases!)
        {
            for (var k = 0; k < b.Length; k++)
            {
                b[k] = values[i++];
            }
        }
    }

    /// <summary>(W, V)' = (V, -theta V - g(W, t)/m_W), by classic RK4 with a fine step: the reference.</summary>
    private static double[] Reference(double massW, double gamma, double t1, double h)
    {
        var net = Net();
        var data = Data();
        var theta = gamma / massW;
        var n = Flatten(net).Length;
        var y = new double[2 * n];
        Flatten(net).CopyTo(y, 0);
        var features = new double[3];
        var targets = new double[2];
        double[] Slope(double t, double[] state)
        {
            Unflatten(net, state.AsSpan(0, n));
            data.ValuesAt(t, features, targets);
            var (gw, gb, _) = net.Gradient(features, targets);
            double[] g = [.. gw.SelectMany(l => l.SelectMany(r => r)), .. gb.SelectMany(b => b)];
            var slope = new double[2 * n];
            for (var i = 0; i < n; i++)
            {
                slope[i] = state[n + i];
                slope[n + i] = -theta * state[n + i] - g[i] / massW;
            }
            return slope;
        }
        double[] Plus(double[] a, double[] b, double c) => [.. a.Select((x, i) => x + c * b[i])];
        var steps = (int)Math.Round(t1 / h);
        for (var s = 0; s < steps; s++)
        {
            var t = s * h;
            var k1 = Slope(t, y);
            var k2 = Slope(t + h / 2, Plus(y, k1, h / 2));
            var k3 = Slope(t + h / 2, Plus(y, k2, h / 2));
            var k4 = Slope(t + h, Plus(y, k3, h));
            y = [.. y.Select((x, i) => x + h / 6 * (k1[i] + 2 * k2[i] + 2 * k3[i] + k4[i]))];
        }
        return y[..n];
    }

    [Theory]
    [InlineData(1.0, 0.5)]
    [InlineData(0.05, 2.0)]
    public void TheFlowMatchesAFineReferenceIntegrationOfItsEquation(double massW, double gamma)
    {
        var flow = new LimitFlow(Net(), massW, gamma);
        flow.Advance(Data(), 0, 4, 1e-3);
        var expected = Reference(massW, gamma, 4, 2.5e-4);
        var actual = Flatten(flow.Network);
        for (var i = 0; i < actual.Length; i++)
        {
            // Midpoint gradients: second order in the step, 1e-3 here.
            Assert.True(Math.Abs(actual[i] - expected[i]) < 1e-6, $"{i}: {actual[i]:R} against {expected[i]:R}");
        }
    }

    [Fact]
    public void WithShortRelaxationAndSharpSwitchesAPresentationIsAGradientStep()
    {
        // theta tau = 400: over one presentation time (two presentations of the same example,
        // so no switch inside) W moves by about -tau/gamma g, one gradient step.
        var data = new DataSetSignals(
            new DataSetSpec("d", true, 1.0, 0.01, 1, 1.0, 1, false, Shuffle: false),
            [
                [0.3, -0.7, 0.5],
                [0.3, -0.7, 0.5],
                [-0.2, 0.4, 0.9],
            ],
            ["a", "a", "b"]
        );
        var (massW, gamma) = (0.0025, 1000.0);
        var flow = new LimitFlow(Net(), massW, gamma);
        flow.Advance(data, 0.5, 1.5, 1e-3);
        var sgd = Net();
        sgd.Step([0.3, -0.7, 0.5], [1, 0], 1.0 / gamma);
        var actual = Flatten(flow.Network);
        var expected = Flatten(sgd);
        var start = Flatten(Net());
        for (var i = 0; i < actual.Length; i++)
        {
            var step = expected[i] - start[i];
            Assert.True(
                Math.Abs(actual[i] - expected[i]) <= 0.02 * Math.Abs(step) + 1e-9,
                $"{i}: moved {actual[i] - start[i]:R}, SGD {step:R}"
            );
        }
    }
}
