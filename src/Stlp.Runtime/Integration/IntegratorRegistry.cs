namespace Stlp.Runtime.Integration;

/// <summary>What every integration method is configured with; each method reads what it needs.</summary>
/// <param name="RelativeTolerance">rtol of the adaptive methods.</param>
/// <param name="AbsoluteTolerance">atol of the adaptive methods.</param>
/// <param name="Step">The fixed step of rk4 (required for it; ignored by the adaptive methods).</param>
public sealed record IntegratorSettings(double RelativeTolerance, double AbsoluteTolerance, double? Step = null);

/// <summary>One integration method: its name in model files and on the command line, and how to make it.</summary>
public sealed record IntegratorInfo(
    string Name,
    string Description,
    bool Adaptive,
    bool Implicit,
    Func<IntegratorSettings, IIntegrator> Create
);

/// <summary>
/// The one registry of integration methods: the model language's check, the CLI's choices, the
/// bench and the tests all read it, so a method name is spelled once.
/// </summary>
public static class Integrators
{
    /// <summary>Every method, in the order help texts list them.</summary>
    public static IReadOnlyList<IntegratorInfo> All { get; } =
    [
        new(
            "rk4",
            "classic fourth-order Runge–Kutta with a fixed step",
            Adaptive: false,
            Implicit: false,
            s => new FixedStepRk4(s.Step ?? throw new ArgumentException("rk4 needs a step"))
        ),
        new(
            "dopri5",
            "Dormand–Prince 5(4), adaptive, explicit",
            Adaptive: true,
            Implicit: false,
            s => new DormandPrince(s.RelativeTolerance, s.AbsoluteTolerance)
        ),
        new(
            "sdirk",
            "SDIRK4, L-stable and stiffly accurate, for stiff runs (small masses)",
            Adaptive: true,
            Implicit: true,
            s => new Sdirk(s.RelativeTolerance, s.AbsoluteTolerance)
        ),
        new(
            "rosenbrock",
            "Shampine's order-4 Rosenbrock method, for stiff runs",
            Adaptive: true,
            Implicit: true,
            s => new Rosenbrock(s.RelativeTolerance, s.AbsoluteTolerance)
        ),
    ];

    /// <summary>The method names, in order.</summary>
    public static IReadOnlyList<string> Names { get; } = [.. All.Select(m => m.Name)];

    /// <summary>"rk4, dopri5, sdirk or rosenbrock", for messages.</summary>
    public static string NamesText => string.Join(", ", Names.Take(Names.Count - 1)) + " or " + Names[^1];

    /// <summary>The default method of a model without a <c>method</c> option.</summary>
    public const string Default = "dopri5";

    public static bool IsKnown(string name) => All.Any(m => m.Name == name);

    /// <summary>The method of that name; an <see cref="ArgumentException"/> names the known ones otherwise.</summary>
    public static IntegratorInfo Find(string name) =>
        All.FirstOrDefault(m => m.Name == name)
        ?? throw new ArgumentException($"unknown method '{name}' ({NamesText})");

    /// <summary>A configured integrator of the named method.</summary>
    public static IIntegrator Create(string name, IntegratorSettings settings) => Find(name).Create(settings);
}

/// <summary><see cref="Rk4"/> behind the common contract: a fixed step, outputs at the first step end past each output time.</summary>
public sealed class FixedStepRk4(double step) : IIntegrator
{
    public double Step { get; } =
        step > 0 && double.IsFinite(step)
            ? step
            : throw new ArgumentException($"rk4 needs a positive step, got {step}");

    public IntegrationStatistics Integrate(
        KernelSystem s,
        double t0,
        double[] y,
        double t1,
        double outputEvery,
        OutputHandler output,
        Action<double, double[]>? afterStep = null,
        CancellationToken cancel = default
    ) => Rk4.Integrate(s, t0, y, t1, Step, outputEvery, output, afterStep, cancel);
}
