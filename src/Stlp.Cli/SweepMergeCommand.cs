using System.CommandLine;
using Stlp.Simulation;
using Stlp.Simulation.Sweeps;

namespace Stlp.Cli;

/// <summary><c>stlp sweep-merge A/sweep.csv B/sweep.csv -o sweep.csv</c>: <see cref="Sweep.Merge"/>.</summary>
public static class SweepMergeCommand
{
    public static Command Create(TextWriter output, TextWriter error)
    {
        var inputs = new Argument<string[]>("files") { Description = "The shards' sweep.csv files." };
        var outFile = new Option<string>("--out", "-o")
        {
            Description = "The merged sweep.csv.",
            DefaultValueFactory = _ => "sweep.csv",
        };
        var command = new Command("sweep-merge", "Join the sweep.csv files of a sharded sweep into one.")
        {
            inputs,
            outFile,
        };
        command.SetAction(parse =>
        {
            try
            {
                var count = Sweep.Merge(parse.GetValue(inputs) ?? [], parse.GetValue(outFile)!);
                output.WriteLine($"{count} runs -> {parse.GetValue(outFile)}");
                return ExitCodes.Ok;
            }
            catch (InputError e)
            {
                error.WriteLine(Text.Escape($"error: {e.Message}"));
                return ExitCodes.Usage;
            }
        });
        return command;
    }
}
