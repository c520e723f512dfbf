using Stlp.Runtime.Integration;
using Stlp.Runtime.Kernels;
using Xunit;

namespace Stlp.Runtime.Tests;

/// <summary>
/// q'' = -c q' - q + sin(2t): with large c, the stiff shape of the small-mass STLP system (a fast
/// velocity relaxation, time constant 1/c, under a slow forcing that makes it non-autonomous).
/// </summary>
internal sealed class StiffForced(double damping) : IKernel
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
        qddot[0] = -damping * qdot[0] - q[0] + Math.Sin(2 * t);
        varpi = 1;
    }
}

/// <summary>The implicit integrators, each against the same checks.</summary>
public sealed class ImplicitIntegratorTests
{
    private static IAdaptiveIntegrator Make(string method, double rtol, double atol, double? fixedStep = null) =>
        method == "sdirk"
            ? new Sdirk(rtol, atol) { FixedStep = fixedStep }
            : new Rosenbrock(rtol, atol) { FixedStep = fixedStep };

    [Theory]
    [InlineData("sdirk")]
    [InlineData("rosenbrock")]
    public void ReachesOrderFourOnTheOscillator(string method)
    {
        double Error(double h)
        {
            var y = new double[] { 1, 0, 0, 1 };
            Make(method, 1, 1, h).Integrate(new KernelSystem(new Oscillator(), []), 0, y, 2.0, 1.0, (_, _) => { });
            // q0 = cos t, q1 = sin(2t)/2, and their velocities.
            double[] exact = [Math.Cos(2), Math.Sin(4) / 2, -Math.Sin(2), Math.Cos(4)];
            return y.Zip(exact, (a, b) => Math.Abs(a - b)).Max();
        }
        var errors = new[] { 0.1, 0.05, 0.025 }.Select(Error).ToArray();
        Assert.InRange(Math.Log2(errors[0] / errors[1]), 3.6, 4.4);
        Assert.InRange(Math.Log2(errors[1] / errors[2]), 3.6, 4.4);
    }

    [Theory]
    [InlineData("sdirk")]
    [InlineData("rosenbrock")]
    public void ReachesOrderFourWithTimeDependentForcing(string method)
    {
        // Non-autonomous: the time derivatives in the methods matter. Reference: Dormand–Prince, tight.
        var reference = new double[] { 0.5, 0.0 };
        new DormandPrince(1e-13, 1e-15).Integrate(
            new KernelSystem(new StiffForced(3), []),
            0,
            reference,
            2,
            2,
            (_, _) => { }
        );
        double Error(double h)
        {
            var y = new double[] { 0.5, 0.0 };
            Make(method, 1, 1, h).Integrate(new KernelSystem(new StiffForced(3), []), 0, y, 2, 2, (_, _) => { });
            return Math.Max(Math.Abs(y[0] - reference[0]), Math.Abs(y[1] - reference[1]));
        }
        var errors = new[] { 0.1, 0.05, 0.025 }.Select(Error).ToArray();
        Assert.InRange(Math.Log2(errors[0] / errors[1]), 3.5, 4.5);
        Assert.InRange(Math.Log2(errors[1] / errors[2]), 3.5, 4.5);
    }

    [Theory]
    [InlineData("sdirk", 10.0)]
    [InlineData("rosenbrock", 100.0)]
    public void TakesFarFewerStepsThanDormandPrinceOnAStiffSystem(string method, double errorFactor)
    {
        var reference = new double[] { 0.5, 0.0 };
        new DormandPrince(1e-12, 1e-14).Integrate(
            new KernelSystem(new StiffForced(1000), []),
            0,
            reference,
            5,
            5,
            (_, _) => { }
        );
        var explicitState = new double[] { 0.5, 0.0 };
        var explicitSteps = new DormandPrince(1e-6, 1e-6)
            .Integrate(new KernelSystem(new StiffForced(1000), []), 0, explicitState, 5, 5, (_, _) => { })
            .Accepted;
        var implicitState = new double[] { 0.5, 0.0 };
        var implicitSteps = Make(method, 1e-6, 1e-6)
            .Integrate(new KernelSystem(new StiffForced(1000), []), 0, implicitState, 5, 5, (_, _) => { })
            .Accepted;
        var explicitError = Math.Abs(explicitState[0] - reference[0]);
        var implicitError = Math.Abs(implicitState[0] - reference[0]);
        // Dormand–Prince is held to h < 3.3/c by stability; the implicit methods only by accuracy.
        Assert.True(implicitSteps * 10 < explicitSteps, $"{method} {implicitSteps} steps, DP5 {explicitSteps}");
        Assert.True(
            implicitError < errorFactor * Math.Max(explicitError, 1e-7),
            $"{method} error {implicitError}, DP5 {explicitError}"
        );
    }

    [Fact]
    public void LuSolvesAGeneralSystem()
    {
        double[] a = [0, 2, 1, 1, 1, 1, 3, -1, 2];
        double[] x = [1, -2, 3];
        var b = new double[3];
        for (var i = 0; i < 3; i++)
        {
            for (var j = 0; j < 3; j++)
            {
                b[i] += a[i * 3 + j] * x[j];
            }
        }
        var pivots = new int[3];
        Assert.True(DenseLu.Factor(a, 3, pivots));
        DenseLu.Solve(a, 3, pivots, b);
        for (var i = 0; i < 3; i++)
        {
            Assert.Equal(x[i], b[i], 12);
        }
    }
}

public sealed class TransitionWindowTests
{
    [Fact]
    public void StepsLandOnEachWindowAndStaySmallInside()
    {
        var windows = new TransitionWindows(0.5, 0.05, count: 3);
        // Before the first window: stop at its start.
        Assert.Equal(0.45, windows.Limit(0.0, 10), 12);
        // At its start and inside: a quarter of the window at most.
        Assert.Equal(0.025, windows.Limit(0.45, 10), 12);
        Assert.Equal(0.025, windows.Limit(0.5, 10), 12);
        Assert.Equal(0.01, windows.Limit(0.54, 10), 12);
        // After it: the next window's start.
        Assert.Equal(0.4, windows.Limit(0.55, 10), 12);
        // After the last switch: no limit.
        Assert.Equal(10, windows.Limit(1.6, 10));
        // A proposal already small enough is kept.
        Assert.Equal(0.1, windows.Limit(0.0, 0.1));
    }
}

/// <summary>q'' = -20 q' - 100 (q - e(t)): a coordinate tracking a presented signal, as a neuron tracks its input.</summary>
internal sealed class SignalTracker : IKernel
{
    public int CoordinateCount => 1;
    public int ConstraintCount => 0;
    public int ParameterCount => 0;
    public int SignalCount => 1;

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
        qddot[0] = -20 * qdot[0] - 100 * (q[0] - signals[0]);
        varpi = 1;
    }
}

public sealed class WindowStepMemoryTests
{
    [Fact]
    public void TheMemoryCapsAStepAtAndAfterTheOffsetWhereItLearnedIt()
    {
        var windows = new TransitionWindows(0.5, 0.05, count: 3);
        var memory = windows.NewMemory();
        // Nothing learned yet: the windows' own limits.
        Assert.Equal(0.025, memory.Limit(0.45, 10), 12);
        Assert.Equal(0.4, memory.Limit(0.55, 10), 12);
        // A step that started outside teaches nothing; one that started inside teaches its offset.
        memory.Accepted(0.3, 1e-6);
        Assert.Equal(0.025, memory.Limit(0.45, 10), 12);
        memory.Accepted(0.47, 0.002);
        // In the next window: before that offset no cap, at and after it the learned step.
        Assert.Equal(0.025, memory.Limit(0.95, 10), 12);
        Assert.Equal(0.002, memory.Limit(0.97, 10), 12);
        Assert.Equal(0.002, memory.Limit(0.99, 10), 12);
        // Never longer than the windows allow, and no cap outside a window.
        Assert.Equal(0.001, memory.Limit(0.999, 0.001), 12);
        Assert.Equal(0.4, memory.Limit(1.05, 10), 12);
        // A memory starts empty.
        Assert.Equal(0.025, windows.NewMemory().Limit(0.97, 10), 12);
    }

    [Fact]
    public void StepsLearnedInOneWindowCutTheRejectionsOfTheNextWithoutChangingTheSolution()
    {
        const int switches = 19;
        var signal = new Stlp.Runtime.Signals.PresentedSignal(
            [.. Enumerable.Range(0, 20).Select(k => Math.Sin(3.0 * k))],
            present: 0.5,
            mollify: 0.05,
            cycles: 1
        );
        IntegrationStatistics Run(double? fixedStep, double[] y)
        {
            var system = new KernelSystem(new SignalTracker(), [], (t, values) => values[0] = signal.At(t).Value)
            {
                Windows = new TransitionWindows(0.5, 0.05, switches),
            };
            return new DormandPrince(1e-8, 1e-10) { FixedStep = fixedStep }.Integrate(
                system,
                0,
                y,
                10,
                10,
                (_, _) => { }
            );
        }
        var adaptive = new double[] { Math.Sin(0), 0 };
        var stats = Run(null, adaptive);
        var reference = new double[] { Math.Sin(0), 0 };
        Run(1e-4, reference);
        Assert.Equal(reference[0], adaptive[0], 1e-7);
        Assert.Equal(reference[1], adaptive[1], 1e-6);
        // Without the memory 152 steps were rejected here, eight per window; with it 60.
        Assert.InRange(stats.Rejected, 0, 4 * switches);
    }
}
