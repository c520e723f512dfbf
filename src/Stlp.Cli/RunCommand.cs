using System.CommandLine;
using Stlp.Model;
using Stlp.Runtime.Integration;
using Stlp.Simulation;

namespace Stlp.Cli;

/// <summary>
/// <c>stlp run FILE</c>: one call to <see cref="Simulator.RunToDirectory"/>, which derives,
/// compiles, starts consistently, integrates and writes trajectory.csv, summary.json and plots.
/// </summary>
public static class RunCommand
{
    public static Command Create(TextWriter output, TextWriter error)
    {
        var file = new Argument<string>("file") { Description = "The .stlp model file." };
        var outDir = new Option<string?>("--out", "-o") { Description = "Output directory (default out/<model>)." };
        var runOptions = new RunOptionSet();
        var set = CommonOptions.Set();
        var command = new Command("run", "Integrate a model and write its trajectory, summary and plots.")
        {
            file,
            outDir,
            set,
        };
        runOptions.AddTo(command);
        command.SetAction(parse =>
        {
            var path = parse.GetValue(file)!;
            return ModelCommand.WithModel(
                path,
                parse.GetValue(set) ?? [],
                error,
                model =>
                {
                    var directory = parse.GetValue(outDir) ?? Path.Combine("out", model.Name);
                    var overridden = ModelLoader.ParseOverrides(parse.GetValue(set) ?? []).Keys;
                    var options = runOptions.Read(parse, path, overridden, error) with
                    {
                        Progress = ProgressBar.For(error),
                    };
                    using var cancel = new CancellationTokenSource();
                    using var interrupts = Interrupts.CancelOn(cancel);
                    var result = Simulator.RunToDirectory(model, directory, options, cancel.Token);
                    return Report(path, directory, result, output, error);
                }
            );
        });
        return command;
    }

    private static int Report(string path, string directory, RunResult result, TextWriter output, TextWriter error)
    {
        foreach (var note in result.Notes)
        {
            error.WriteLine(Text.Escape($"{path}: note: {note}"));
        }
        if (result.Status != RunStatus.Completed)
        {
            var failed = result.Status == RunStatus.Failed;
            error.WriteLine(Text.Escape($"{path}: {(failed ? "numerical failure " : "")}{result.Message}"));
            error.WriteLine(Text.Escape($"partial results in {directory}"));
            return failed ? ExitCodes.NumericalFailure : ExitCodes.Interrupted;
        }
        output.WriteLine(
            $"{result.Model}: t = {result.T0} .. {result.TReached}, {result.StepsAccepted} steps ({result.StepsRejected} rejected), "
                + $"max |G| = {result.MaxAbsG:E2}, max |Gdot| = {result.MaxAbsGdot:E2}, {result.Timings.Wall.TotalSeconds:F1} s -> {directory}"
        );
        output.WriteLine($"{result.Model}: kernel {result.Configuration.Kernel}");
        foreach (var line in result.Learning.SelectMany(learning => learning.Lines()))
        {
            output.WriteLine($"{result.Model}: {line}");
        }
        return ExitCodes.Ok;
    }
}
