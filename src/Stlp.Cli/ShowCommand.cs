using System.CommandLine;
using Stlp.Model;

namespace Stlp.Cli;

/// <summary><c>stlp show FILE</c>: parse a model and print what it says (coordinates, constraints, L).</summary>
public static class ShowCommand
{
    public static Command Create(TextWriter output, TextWriter error)
    {
        var file = new Argument<string>("file") { Description = "The .stlp model file." };
        var format = new Option<string>("--format", "-f")
        {
            Description = "Output format: text, latex or json.",
            DefaultValueFactory = _ => "text",
        };
        format.AcceptOnlyFromAmong("text", "latex", "json");
        var set = CommonOptions.Set();

        var command = new Command(
            "show",
            "Parse a model file and print its coordinates, constraints, loss and Lagrangian."
        )
        {
            file,
            format,
            set,
        };
        command.SetAction(parse =>
        {
            var model = ModelLoader.TryLoad(parse.GetValue(file)!, parse.GetValue(set) ?? [], error);
            if (model is null)
            {
                return ExitCodes.ModelError;
            }
            output.Write(
                parse.GetValue(format) switch
                {
                    "latex" => Describe.latex(model),
                    "json" => Describe.json(model) + "\n",
                    _ => Describe.text(model),
                }
            );
            return ExitCodes.Ok;
        });
        return command;
    }
}
