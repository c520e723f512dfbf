using System.CommandLine;
using Stlp.Model;
using Stlp.Runtime.Integration;
using Stlp.Simulation;

namespace Stlp.Cli;

/// <summary>The options of a run, shared by <c>run</c> and <c>sweep</c>: each overrides the model's simulate line.</summary>
internal sealed class RunOptionSet
{
    private readonly Option<double?> t1 = new("--t1")
    {
        Description = "End time (default: the model's simulate line).",
    };
    private readonly Option<string?> method = new("--method")
    {
        Description =
            string.Join("; ", Integrators.All.Select(m => $"{m.Name}: {m.Description}")) + " (default: the model's).",
    };
    private readonly Option<double?> step = new("--step")
    {
        Description = "Step for rk4 (default: the model's, else (t1-t0)/2000).",
    };
    private readonly Option<double?> rtol = new("--rtol")
    {
        Description = "Relative tolerance of the adaptive methods (default: the model's).",
    };
    private readonly Option<double?> atol = new("--atol")
    {
        Description = "Absolute tolerance of the adaptive methods (default: the model's).",
    };
    private readonly Option<string?> stabilize = new("--stabilize")
    {
        Description = "none, 'penalty C', 'baumgarte ALPHA BETA' or projection (default: the model's).",
    };
    private readonly Option<bool> noCache = new("--no-cache") { Description = "Do not use the compiled-kernel cache." };
    private readonly Option<string> kernel = new("--kernel")
    {
        Description =
            "auto: loops over a network's rows when every constraint is a network neuron (structured), else one straight-line kernel; "
            + "structured or straight-line forces one (default: auto).",
        DefaultValueFactory = _ => "auto",
    };
    private readonly Option<string> solver = new("--solver")
    {
        Description =
            "The structured kernel's multiplier solve: block (layer-wise elimination, feedforward), dense (Cholesky), "
            + "cg (conjugate gradients on the neighbour-only product) or auto (block where it applies, else dense up to "
            + $"{Codegen.Structured.StructuredKernel.DenseLimit} rows, else cg; default).",
        DefaultValueFactory = _ => "auto",
    };

    public RunOptionSet()
    {
        method.AcceptOnlyFromAmong([.. Integrators.Names]);
        kernel.AcceptOnlyFromAmong("auto", "structured", "straight-line");
        solver.AcceptOnlyFromAmong("auto", "block", "dense", "cg");
    }

    public void AddTo(Command command)
    {
        foreach (var option in new Option[] { t1, method, step, rtol, atol, stabilize, noCache, kernel, solver })
        {
            command.Add(option);
        }
    }

    /// <summary>The simulation options given on the command line; a bad stabilization throws <see cref="ArgumentException"/>.</summary>
    public SimulationOptions Read(
        ParseResult parse,
        string modelFile,
        IEnumerable<string> overridden,
        TextWriter error
    ) =>
        new()
        {
            Stabilization = parse.GetValue(stabilize) is { } s ? Derivations.ParseStabilization(s) : null,
            T1 = parse.GetValue(t1),
            Method = parse.GetValue(method),
            Step = parse.GetValue(step),
            RelativeTolerance = parse.GetValue(rtol),
            AbsoluteTolerance = parse.GetValue(atol),
            Cache = parse.GetValue(noCache) ? null : Codegen.KernelCache.Default(CacheWarnings.To(error)),
            ModelFile = modelFile,
            OverriddenParameters = [.. overridden],
            Kernel = parse.GetValue(kernel) switch
            {
                "structured" => KernelPath.Structured,
                "straight-line" => KernelPath.StraightLine,
                _ => KernelPath.Auto,
            },
            Solver = parse.GetValue(solver) switch
            {
                "block" => Codegen.Structured.MultiplierSolver.Block,
                "dense" => Codegen.Structured.MultiplierSolver.Dense,
                "cg" => Codegen.Structured.MultiplierSolver.ConjugateGradient,
                _ => Codegen.Structured.MultiplierSolver.Auto,
            },
        };
}
