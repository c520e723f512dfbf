using System.CommandLine;
using Stlp.Model;
using Stlp.Simulation;

namespace Stlp.Cli;

/// <summary>
/// <c>stlp derive FILE</c>: derive the constrained Euler–Lagrange system (docs/equations.md §2–6) and print
/// every object by name, with the sparsity and the completed initial conditions. A network model
/// that takes the structured kernel prints its forms, derived once, in place of the symbolic
/// multiplier equation (which grows as the square of a layer); <c>--kernel straight-line</c> prints that.
/// </summary>
public static class DeriveCommand
{
    public static Command Create(TextWriter output, TextWriter error)
    {
        var file = new Argument<string>("file") { Description = "The .stlp model file." };
        var format = new Option<string>("--format", "-f")
        {
            Description = "Output format: text (one equation a line), latex or json.",
            DefaultValueFactory = _ => "text",
        };
        format.AcceptOnlyFromAmong("text", "latex", "json");
        var stabilize = new Option<string?>("--stabilize")
        {
            Description = "Override the model's stabilization: none, 'penalty C', 'baumgarte ALPHA BETA', projection.",
        };
        var set = CommonOptions.Set();
        var kernels = new KernelOptionSet();

        var command = new Command(
            "derive",
            "Derive H, f, G_q, gamma, the multiplier equation and the accelerations, normalized by the dissipation."
        )
        {
            file,
            format,
            stabilize,
            set,
        };
        kernels.AddTo(command, withSolver: false);
        command.SetAction(parse =>
        {
            var path = parse.GetValue(file)!;
            return ModelCommand.WithModel(
                path,
                parse.GetValue(set) ?? [],
                error,
                model =>
                {
                    var stab = parse.GetValue(stabilize) is { } s
                        ? Derivations.ParseStabilization(s)
                        : model.Simulation.Stabilize;
                    var (derivation, structured, _) = Simulator.Derivation(model, stab, kernels.Path(parse));
                    var forms = structured
                        ? Loops.equations(derivation)
                        : Microsoft.FSharp.Collections.FSharpList<Tuple<string, Expr>>.Empty;
                    var initial = Derivations.Start(derivation, Simulator.Signals(model).Signals);
                    output.Write(
                        parse.GetValue(format) switch
                        {
                            "latex" => DerivePrint.latexWith(derivation, forms),
                            "json" => DerivePrint.jsonWith(derivation, initial, forms) + "\n",
                            _ => DerivePrint.textWith(derivation, initial, forms),
                        }
                    );
                    return ExitCodes.Ok;
                }
            );
        });
        return command;
    }
}
