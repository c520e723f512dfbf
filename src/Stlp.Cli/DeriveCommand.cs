using System.CommandLine;
using Stlp.Model;
using Stlp.Simulation;

namespace Stlp.Cli;

/// <summary>
/// <c>stlp derive FILE</c>: derive the constrained Euler–Lagrange system (docs/equations.md §2–6) and print
/// every object by name, with the sparsity and the completed initial conditions.
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
                    var derivation = Derivations.Derive(model, stab);
                    var initial = Derivations.Start(derivation, Simulator.Signals(model).Signals);
                    output.Write(
                        parse.GetValue(format) switch
                        {
                            "latex" => DerivePrint.latex(derivation),
                            "json" => DerivePrint.json(derivation, initial) + "\n",
                            _ => DerivePrint.text(derivation, initial),
                        }
                    );
                    return ExitCodes.Ok;
                }
            );
        });
        return command;
    }
}
