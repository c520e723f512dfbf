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
    private readonly KernelOptionSet kernels = new();

    public RunOptionSet()
    {
        method.AcceptOnlyFromAmong([.. Integrators.Names]);
    }

    public void AddTo(Command command)
    {
        foreach (var option in new Option[] { t1, method, step, rtol, atol, stabilize, noCache })
        {
            command.Add(option);
        }
        kernels.AddTo(command);
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
            Kernel = kernels.Path(parse),
            Solver = kernels.Solver(parse),
        };
}
