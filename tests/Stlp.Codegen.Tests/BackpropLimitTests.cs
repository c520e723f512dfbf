using Stlp.Model;
using Stlp.Simulation;
using Stlp.Simulation.Recording;
using Xunit;
using Xunit.Abstractions;

namespace Stlp.Codegen.Tests;

/// <summary>
/// docs/equations.md §7 (paper eqs. 19–22), numerically: samples/backprop_limit.stlp integrated with the
/// generated kernel at shrinking masses (m_W = m, m_x = m^2, theta = gamma/m) until the start-up
/// transient (time constant m/gamma) is gone; then the weight velocity is compared with
/// -(1/gamma) dVbar/dW and the normalized multipliers with the backprop deltas (-dVbar/dx),
/// both computed by hand below for the same 2-3-2 tanh net at the weights the run reached.
/// </summary>
public sealed class BackpropLimitTests(ITestOutputHelper output)
{
    private const double Gamma = 1.0;
    private static readonly double[] Inputs = [0.7, -0.4];
    private static readonly double[] Targets = [0.5, -0.2];

    [Fact]
    public void WeightVelocityAndMultipliersApproachBackpropAsTheMassesShrink()
    {
        var velocityErrors = new List<double>();
        var multiplierErrors = new List<double>();
        foreach (var m in new[] { 1e-1, 1e-2, 1e-3 })
        {
            var (velocity, multiplier) = Errors(m);
            output.WriteLine(
                $"m = {m:G}: |Wdot + grad V/gamma| / |grad V/gamma| = {velocity:E2}, multipliers vs deltas {multiplier:E2}"
            );
            velocityErrors.Add(velocity);
            multiplierErrors.Add(multiplier);
        }
        for (var k = 1; k < velocityErrors.Count; k++)
        {
            Assert.True(
                velocityErrors[k] < velocityErrors[k - 1] / 3,
                $"Wdot error does not shrink: {string.Join(", ", velocityErrors)}"
            );
            Assert.True(
                multiplierErrors[k] < multiplierErrors[k - 1] / 3,
                $"multiplier error does not shrink: {string.Join(", ", multiplierErrors)}"
            );
        }
        Assert.True(velocityErrors[^1] < 1e-2, $"Wdot error at m = 1e-3: {velocityErrors[^1]}");
        Assert.True(multiplierErrors[^1] < 1e-2, $"multiplier error at m = 1e-3: {multiplierErrors[^1]}");
    }

    private static (double Velocity, double Multiplier) Errors(double m)
    {
        var model = ModelFile.Load(
            Path.Combine(Harness.Samples, "backprop_limit.stlp"),
            new Dictionary<string, double> { ["m"] = m, ["gamma"] = Gamma }
        );
        // Twenty time constants m/gamma at the largest mass: exp(-20) of the transient is left.
        const double end = 2.0;
        var options = new SimulationOptions
        {
            T1 = end,
            OutputEvery = end,
            RelativeTolerance = 1e-10,
            AbsoluteTolerance = 1e-12,
            Cache = null,
        };
        var trajectory = new MemoryRecorder();
        var result = Simulator.Run(model, options, [trajectory]);
        Assert.Equal(RunStatus.Completed, result.Status);
        var y = trajectory.States[^1];
        var lambda = trajectory.LambdaNormalized[^1];

        var names = trajectory.Layout.CoordinateNames;
        var n = names.Length;
        double Q(string name) => y[Array.IndexOf(names, name)];
        double Qdot(string name) => y[n + Array.IndexOf(names, name)];
        double Lambda(string name) => lambda[Array.IndexOf(trajectory.Layout.ConstraintNames, name)];

        // Backprop by hand for the 2-3-2 tanh net, quadratic loss, at the weights the run reached.
        var w1 = new double[3, 2];
        var w2 = new double[2, 3];
        for (var j = 0; j < 3; j++)
        {
            for (var k = 0; k < 2; k++)
            {
                w1[j, k] = Q($"w1_{j + 1}_{k + 1}");
                w2[k, j] = Q($"w2_{k + 1}_{j + 1}");
            }
        }
        var x1 = new double[3];
        for (var j = 0; j < 3; j++)
        {
            x1[j] = Math.Tanh(w1[j, 0] * Inputs[0] + w1[j, 1] * Inputs[1]);
        }
        var x2 = new double[2];
        var d2 = new double[2]; // dV/da at the outputs
        var g2 = new double[2]; // dV/dx at the outputs
        for (var i = 0; i < 2; i++)
        {
            x2[i] = Math.Tanh(w2[i, 0] * x1[0] + w2[i, 1] * x1[1] + w2[i, 2] * x1[2]);
            g2[i] = x2[i] - Targets[i];
            d2[i] = g2[i] * (1 - x2[i] * x2[i]);
        }
        var g1 = new double[3];
        var d1 = new double[3];
        for (var j = 0; j < 3; j++)
        {
            g1[j] = d2[0] * w2[0, j] + d2[1] * w2[1, j];
            d1[j] = g1[j] * (1 - x1[j] * x1[j]);
        }
        var g0 = new double[2];
        for (var k = 0; k < 2; k++)
        {
            g0[k] = d1[0] * w1[0, k] + d1[1] * w1[1, k] + d1[2] * w1[2, k];
        }

        var actualVelocity = new List<double>();
        var expectedVelocity = new List<double>();
        for (var j = 0; j < 3; j++)
        {
            for (var k = 0; k < 2; k++)
            {
                actualVelocity.Add(Qdot($"w1_{j + 1}_{k + 1}"));
                expectedVelocity.Add(-d1[j] * Inputs[k] / Gamma);
                actualVelocity.Add(Qdot($"w2_{k + 1}_{j + 1}"));
                expectedVelocity.Add(-d2[k] * x1[j] / Gamma);
            }
        }
        var actualMultipliers = new List<double>();
        var expectedMultipliers = new List<double>();
        void Delta(string neuron, double dVdx)
        {
            actualMultipliers.Add(Lambda(neuron));
            expectedMultipliers.Add(-dVdx);
        }
        for (var k = 0; k < 2; k++)
        {
            Delta($"x0_{k + 1}", g0[k]);
            Delta($"x2_{k + 1}", g2[k]);
        }
        for (var j = 0; j < 3; j++)
        {
            Delta($"x1_{j + 1}", g1[j]);
        }
        // The run's neurons sit on the feedforward map (G = 0), so the outputs agree too.
        Assert.Equal(x2[0], Q("x2_1"), 8);
        return (Relative(actualVelocity, expectedVelocity), Relative(actualMultipliers, expectedMultipliers));
    }

    private static double Relative(List<double> actual, List<double> expected)
    {
        var difference = Math.Sqrt(actual.Zip(expected).Sum(p => (p.First - p.Second) * (p.First - p.Second)));
        return difference / Math.Sqrt(expected.Sum(v => v * v));
    }
}
