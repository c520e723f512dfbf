using System.CommandLine;
using System.Globalization;
using Stlp.Codegen;
using Stlp.Simulation;

namespace Stlp.Cli;

/// <summary>
/// <c>stlp check FILE [--hand HAND.cs] [--n 1000]</c>: <see cref="KernelComparison.Run"/> on the kernel
/// a run chooses (<see cref="Simulator.Kernel"/>), printed as a table of the largest differences from
/// the interpreter of its IR per output; exits 5 above the tolerance.
/// </summary>
public static class CheckCommand
{
    public static Command Create(TextWriter output, TextWriter error)
    {
        var file = new Argument<string>("file") { Description = "The .stlp model file." };
        var hand = new Option<string?>("--hand")
        {
            Description = "A C# file with a hand-written class implementing Stlp.Runtime.Kernels.IKernel.",
        };
        var n = new Option<int>("--n") { Description = "Number of random states.", DefaultValueFactory = _ => 1000 };
        var tolerance = new Option<double>("--tolerance")
        {
            Description = "Largest allowed |a - b| / (1 + |b|).",
            DefaultValueFactory = _ => 1e-10,
        };
        var seed = new Option<int>("--seed") { Description = "Random seed.", DefaultValueFactory = _ => 1 };
        var set = CommonOptions.Set();
        var kernels = new KernelOptionSet();
        var command = new Command("check", "Compare generated, interpreted and hand-written kernels at random states.")
        {
            file,
            hand,
            n,
            tolerance,
            seed,
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
                    var count = parse.GetValue(n);
                    var limit = parse.GetValue(tolerance);
                    if (!(limit >= 0))
                    {
                        throw new InputError($"--tolerance must be a non-negative number, got {limit}");
                    }
                    var kernel = Simulator.Kernel(
                        model,
                        model.Simulation.Stabilize,
                        new SimulationOptions
                        {
                            Cache = KernelCache.Default(CacheWarnings.To(error)),
                            Kernel = kernels.Path(parse),
                            Solver = kernels.Solver(parse),
                        }
                    );
                    var report = KernelComparison.Run(kernel, parse.GetValue(hand), count, parse.GetValue(seed));
                    output.WriteLine($"kernel: {kernel.Choice}");
                    output.WriteLine(
                        $"{count} states (half consistent, half arbitrary); differences from the interpreter of its IR:"
                    );
                    output.WriteLine(
                        $"{"kernel", -10} {"output", -8} {"max |a-b|", 12} {"max rel", 12} {"max |a-b|/(1+|b|)", 18}"
                    );
                    var ok = true;
                    foreach (var d in report)
                    {
                        var flag = d.MaxScaled <= limit ? "" : "  ABOVE TOLERANCE";
                        ok &= d.MaxScaled <= limit;
                        output.WriteLine(
                            string.Create(
                                CultureInfo.InvariantCulture,
                                $"{d.Kernel, -10} {d.Output, -8} {d.MaxAbsolute, 12:E2} {d.MaxRelative, 12:E2} {d.MaxScaled, 18:E2}{flag}"
                            )
                        );
                    }
                    return ok ? ExitCodes.Ok : ExitCodes.CheckFailed;
                }
            )
        );
        return command;
    }
}
