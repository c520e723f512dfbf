using System.CommandLine;
using Stlp.Simulation;
using Stlp.Simulation.Sweeps;

namespace Stlp.Cli;

/// <summary>
/// <c>stlp sweep MODEL --grid theta=1,2,4 --grid c=0.5,1 [--jobs N] [--shard K/N]</c>:
/// <see cref="Sweep.Run"/>.
/// </summary>
public static class SweepCommand
{
    public static Command Create(TextWriter output, TextWriter error)
    {
        var file = new Argument<string>("file") { Description = "The .stlp model file." };
        var grid = new Option<string[]>("--grid", "-g")
        {
            Description =
                "A swept parameter: name=1,2,4, name=1..5 (integers) or name=0:0.5:2 (repeatable; all combinations).",
            Arity = ArgumentArity.OneOrMore,
            Required = true,
        };
        var jobs = new Option<int>("--jobs", "-j")
        {
            Description = "Runs at once (default: the number of cores).",
            DefaultValueFactory = _ => Environment.ProcessorCount,
        };
        var shard = new Option<string?>("--shard") { Description = "Run only the K-th of N disjoint slices: K/N." };
        var outDir = new Option<string?>("--out", "-o")
        {
            Description = "Output directory (default out/<model>-sweep).",
        };
        var set = CommonOptions.Set();
        var runOptions = new RunOptionSet();
        var command = new Command(
            "sweep",
            "Run a model over a grid of parameter values: one derivation and one kernel, runs in parallel, sweep.csv."
        )
        {
            file,
            grid,
            jobs,
            shard,
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
                    var fixedValues = ModelLoader.ParseOverrides(parse.GetValue(set) ?? []);
                    var points = Sweep.Grid([.. (parse.GetValue(grid) ?? []).Select(SweepAxis.Parse)]);
                    if (parse.GetValue(shard) is { } slice)
                    {
                        var (k, n) = Sweep.ParseShard(slice);
                        points = Sweep.Shard(points, k, n);
                    }
                    var directory = parse.GetValue(outDir) ?? Path.Combine("out", model.Name + "-sweep");
                    using var cancel = new CancellationTokenSource();
                    using var interrupts = Interrupts.CancelOn(cancel);
                    var outcome = Sweep.Run(
                        path,
                        fixedValues,
                        points,
                        directory,
                        runOptions.Read(parse, path, fixedValues.Keys, error),
                        parse.GetValue(jobs),
                        cancel.Token
                    );
                    var failed = outcome.Rows.Count(r => r.Status != RunStatus.Completed);
                    output.WriteLine(
                        $"{model.Name}: {outcome.Rows.Count} runs ({failed} not completed), {outcome.Derivations} derivation(s), "
                            + $"{outcome.Compilations} compilation(s) -> {outcome.CsvPath}"
                    );
                    return failed == 0 ? ExitCodes.Ok : ExitCodes.NumericalFailure;
                }
            );
        });
        return command;
    }
}
