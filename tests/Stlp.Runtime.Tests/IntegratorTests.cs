using Stlp.Runtime.Integration;
using Stlp.Runtime.Kernels;
using Xunit;

namespace Stlp.Runtime.Tests;

/// <summary>q'' = -q (two uncoupled oscillators, no constraint): exact solution known.</summary>
internal sealed class Oscillator : IKernel
{
    public int CoordinateCount => 2;
    public int ConstraintCount => 0;
    public int ParameterCount => 0;
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
        qddot[0] = -q[0];
        qddot[1] = -4 * q[1];
        varpi = 1;
    }
}

/// <summary>q' = q^2 as q'' = 2 q q': blows up at t = 1 from q(0) = 1, q'(0) = 1.</summary>
internal sealed class BlowUp : IKernel
{
    public int CoordinateCount => 1;
    public int ConstraintCount => 0;
    public int ParameterCount => 0;
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
        qddot[0] = 2 * q[0] * qdot[0];
        varpi = 1;
    }
}

public class IntegratorTests
{
    private static double[] Exact(double t) => [Math.Cos(t), Math.Sin(2 * t) / 2, -Math.Sin(t), Math.Cos(2 * t)];

    private static double FinalError(Func<KernelSystem, double[], IntegrationStatistics> run)
    {
        var y = new double[] { 1, 0, 0, 1 };
        run(new KernelSystem(new Oscillator(), []), y);
        return y.Zip(Exact(2.0), (a, b) => Math.Abs(a - b)).Max();
    }

    [Fact]
    public void Rk4ReachesOrderFour()
    {
        var errors = new[] { 0.1, 0.05, 0.025 }
            .Select(h => FinalError((s, y) => Rk4.Integrate(s, 0, y, 2.0, h, 1.0, (_, _) => { })))
            .ToArray();
        var order1 = Math.Log2(errors[0] / errors[1]);
        var order2 = Math.Log2(errors[1] / errors[2]);
        Assert.InRange(order1, 3.8, 4.2);
        Assert.InRange(order2, 3.8, 4.2);
    }

    [Fact]
    public void DormandPrinceReachesOrderFive()
    {
        var errors = new[] { 0.2, 0.1, 0.05 }
            .Select(h =>
                FinalError(
                    (s, y) => new DormandPrince(1, 1) { FixedStep = h }.Integrate(s, 0, y, 2.0, 1.0, (_, _) => { })
                )
            )
            .ToArray();
        Assert.InRange(Math.Log2(errors[0] / errors[1]), 4.7, 5.3);
        Assert.InRange(Math.Log2(errors[1] / errors[2]), 4.7, 5.3);
    }

    [Fact]
    public void DenseOutputIsAccurateAtTheRequestedTimes()
    {
        var y = new double[] { 1, 0, 0, 1 };
        var worst = 0.0;
        var times = new List<double>();
        var stats = new DormandPrince(1e-10, 1e-12).Integrate(
            new KernelSystem(new Oscillator(), []),
            0,
            y,
            10,
            0.1,
            (t, state) =>
            {
                times.Add(t);
                var exact = Exact(t);
                for (var i = 0; i < 4; i++)
                {
                    worst = Math.Max(worst, Math.Abs(state[i] - exact[i]));
                }
            }
        );
        Assert.Equal(101, times.Count);
        Assert.Equal(10.0, times[^1], 12);
        Assert.True(worst < 1e-8, $"dense output error {worst}");
        Assert.True(stats.Accepted < 2000, $"{stats.Accepted} steps");
    }

    [Fact]
    public void ABlowUpEndsWithAFailureNamingTheTime()
    {
        var y = new double[] { 1, 1 };
        var e = Assert.Throws<IntegrationFailure>(() =>
            new DormandPrince(1e-8, 1e-10).Integrate(new KernelSystem(new BlowUp(), []), 0, y, 2, 0.1, (_, _) => { })
        );
        Assert.InRange(e.Time, 0.99, 1.0);
        Assert.True(e.Quantity is "step size" || e.Quantity.StartsWith("q"), e.Message);
    }
}
