using Stlp.Codegen;
using Stlp.Codegen.Structured;
using Stlp.Model;

namespace Stlp.Simulation;

/// <summary>
/// How to run a model. Every value left null comes from the model's <c>simulate</c> line, so
/// <c>new SimulationOptions()</c> runs the model as written.
/// </summary>
public sealed record SimulationOptions
{
    /// <summary>Constraint stabilization (default: the model's).</summary>
    public Stabilization? Stabilization { get; init; }

    /// <summary>End time (default: the model's).</summary>
    public double? T1 { get; init; }

    /// <summary>Integration method, a name of <see cref="Stlp.Runtime.Integration.Integrators"/> (default: the model's).</summary>
    public string? Method { get; init; }

    /// <summary>Fixed step of rk4 (default: the model's, else (t1 - t0)/2000).</summary>
    public double? Step { get; init; }

    /// <summary>Relative tolerance of the adaptive methods (default: the model's).</summary>
    public double? RelativeTolerance { get; init; }

    /// <summary>Absolute tolerance of the adaptive methods (default: the model's).</summary>
    public double? AbsoluteTolerance { get; init; }

    /// <summary>Output interval (default: the model's, else (t1 - t0)/500).</summary>
    public double? OutputEvery { get; init; }

    /// <summary>Where compiled kernels are kept between runs; null compiles in memory every time.</summary>
    public KernelCache? Cache { get; init; } = KernelCache.Default();

    /// <summary>The model's file, recorded (path and SHA-256) in the result for reproducibility; null for a model built in code.</summary>
    public string? ModelFile { get; init; }

    /// <summary>The parameters whose values were set from outside the model (<c>--set</c>, a sweep), marked in the record.</summary>
    public IReadOnlyCollection<string> OverriddenParameters { get; init; } = [];

    /// <summary>Time every kernel call, so the result splits kernel time from the integrator's own (a profile).</summary>
    public bool TimeKernelCalls { get; init; }

    /// <summary>Told the phase, the time reached and the fraction done as the run goes.</summary>
    public IProgress<RunProgress>? Progress { get; init; }

    /// <summary>Which kernel: structured for network models that qualify (the default), or forced either way.</summary>
    public KernelPath Kernel { get; init; } = KernelPath.Auto;

    /// <summary>The structured kernel's multiplier solve (default: block elimination for layered networks).</summary>
    public MultiplierSolver Solver { get; init; } = MultiplierSolver.Auto;

    /// <summary>Run the structured kernel's loop IR through the interpreter instead of compiling it (the reference; slow).</summary>
    public bool InterpretLoops { get; init; }
}

/// <summary>Which kernel a run uses.</summary>
public enum KernelPath
{
    /// <summary>Structured (loops over the network's rows) when every constraint is a network neuron whose form derives once, else straight-line.</summary>
    Auto,

    /// <summary>One straight-line kernel for the whole model (every entry of A written out).</summary>
    StraightLine,

    /// <summary>The structured kernel; a model that does not qualify is refused with the reason.</summary>
    Structured,
}

/// <summary>The phases of a run, in order.</summary>
public enum RunPhase
{
    Derive,
    Start,
    Compile,
    Integrate,
    Evaluate,
}

/// <summary>A progress report: the phase, and within integration the time reached and the fraction done.</summary>
public readonly record struct RunProgress(RunPhase Phase, double Time, double Fraction);
