using System.CommandLine;
using System.Text.Json;
using Stlp.Codegen;
using Stlp.Model;
using Stlp.Simulation;

namespace Stlp.Cli;

/// <summary>
/// <c>stlp eval FILE --state STATE.json</c>: the model's kernel as a run chooses it (or the
/// interpreter of its IR) at given states, through <see cref="Simulator.Kernel"/> and
/// <see cref="StateEvaluation.EvaluateFile"/>.
/// </summary>
public static class EvalCommand
{
    public static Command Create(TextWriter output, TextWriter error)
    {
        var file = new Argument<string>("file") { Description = "The .stlp model file." };
        var state = new Option<string>("--state")
        {
            Description = "A JSON file with one state {\"t\", \"q\": {...}, \"qdot\": {...}} or an array of them.",
            Required = true,
        };
        var interpreted = new Option<bool>("--interpreted")
        {
            Description =
                "Use the interpreter of the kernel's IR (the IR interpreter, or the interpreted form loops of a structured kernel) instead of the generated code.",
        };
        var noCache = new Option<bool>("--no-cache") { Description = "Do not use the compiled-kernel cache." };
        var stabilize = new Option<string?>("--stabilize")
        {
            Description =
                "The system to evaluate: none, 'penalty C', 'baumgarte ALPHA BETA' or projection (default: the model's).",
        };
        var set = CommonOptions.Set();
        var kernels = new KernelOptionSet();
        var command = new Command("eval", "Evaluate accelerations, multipliers and residuals at given states.")
        {
            file,
            state,
            interpreted,
            noCache,
            stabilize,
            set,
        };
        kernels.AddTo(command);
        command.SetAction(parse =>
            ModelCommand.WithModel(
                parse.GetValue(file)!,
                parse.GetValue(set) ?? [],
                error,
                model =>
                {
                    var stabilization = parse.GetValue(stabilize) is { } s
                        ? Derivations.ParseStabilization(s)
                        : model.Simulation.Stabilize;
                    var options = new SimulationOptions
                    {
                        Cache = parse.GetValue(noCache) ? null : KernelCache.Default(CacheWarnings.To(error)),
                        Kernel = kernels.Path(parse),
                        Solver = kernels.Solver(parse),
                    };
                    var kernel = Simulator.Kernel(model, stabilization, options, parse.GetValue(interpreted));
                    var result = StateEvaluation.EvaluateFile(
                        kernel,
                        parse.GetValue(state)!,
                        parse.GetValue(interpreted)
                    );
                    output.WriteLine(result.ToJsonString(new JsonSerializerOptions { WriteIndented = true }));
                    return ExitCodes.Ok;
                }
            )
        );
        return command;
    }
}
