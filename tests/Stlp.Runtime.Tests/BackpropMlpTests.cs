using Stlp.Runtime.Baselines;
using Xunit;

namespace Stlp.Runtime.Tests;

public sealed class BackpropMlpTests
{
    /// <summary>A 3-4-2 net with biases and seeded weights in (-0.5, 0.5).</summary>
    internal static BackpropMlp Net(string activation, string loss)
    {
        var random = new Random(4);
        double R() => random.NextDouble() - 0.5;
        var weights = new[]
        {
            Enumerable.Range(0, 4).Select(_ => new[] { R(), R(), R() }).ToArray(),
            Enumerable.Range(0, 2).Select(_ => new[] { R(), R(), R(), R() }).ToArray(),
        };
        var biases = new[] { new[] { R(), R(), R(), R() }, new[] { R(), R() } };
        return new BackpropMlp([3, 4, 2], activation, loss, weights, biases);
    }

    [Theory]
    [InlineData("tanh", "quadratic")]
    [InlineData("sigmoid", "quadratic")]
    [InlineData("sigmoid", "crossentropy")]
    [InlineData("softplus", "quadratic")]
    public void TheGradientMatchesCentralDifferencesOfTheLoss(string activation, string loss)
    {
        var net = Net(activation, loss);
        double[] input = [0.3, -0.7, 0.5];
        double[] target = [1, 0];
        var (gw, gb, _) = net.Gradient(input, target);
        for (var l = 0; l < 2; l++)
        {
            for (var j = 0; j < gw[l].Length; j++)
            {
                for (var k = 0; k < gw[l][j].Length; k++)
                {
                    var saved = net.Weights[l][j][k];
                    net.Weights[l][j][k] = saved + 1e-6;
                    var plus = net.Loss(input, target);
                    net.Weights[l][j][k] = saved - 1e-6;
                    var minus = net.Loss(input, target);
                    net.Weights[l][j][k] = saved;
                    Assert.Equal((plus - minus) / 2e-6, gw[l][j][k], 7);
                }
                var bias = net.Biases![l][j];
                net.Biases[l][j] = bias + 1e-6;
                var bPlus = net.Loss(input, target);
                net.Biases[l][j] = bias - 1e-6;
                var bMinus = net.Loss(input, target);
                net.Biases[l][j] = bias;
                Assert.Equal((bPlus - bMinus) / 2e-6, gb[l][j], 7);
            }
        }
    }

    [Fact]
    public void AStepLowersTheLoss()
    {
        var net = Net("tanh", "quadratic");
        double[] input = [0.3, -0.7, 0.5];
        double[] target = [0.5, -0.5];
        var before = net.Loss(input, target);
        net.Step(input, target, 0.1);
        Assert.True(net.Loss(input, target) < before);
    }
}
