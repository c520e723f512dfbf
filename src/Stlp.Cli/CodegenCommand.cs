using System.CommandLine;
using Stlp.Codegen;
using Stlp.Model;
using Stlp.Simulation;

namespace Stlp.Cli;

/// <summary>
/// <c>stlp codegen FILE -o Kernel.cs</c>: write the source of the kernel a run would compile (a
/// network model's form loops, else the straight-line kernel; <c>--kernel</c> forces either).
/// </summary>
public static class CodegenCommand
{
    public static Command Create(TextWriter output, TextWriter error)
    {
        var file = new Argument<string>("file") { Description = "The .stlp model file." };
        var outPath = new Option<string?>("--output", "-o")
        {
            Description = "Where to write the C# source (default: standard output).",
        };
        var compile = new Option<bool>("--compile")
        {
            Description = "Also compile it with Roslyn and report the time (uses the kernel cache).",
        };
        var set = CommonOptions.Set();
        var kernels = new KernelOptionSet();
        var command = new Command("codegen", "Generate the C# kernel of a model (readable, deterministic).")
        {
            file,
            outPath,
            compile,
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
                    var watch = System.Diagnostics.Stopwatch.StartNew();
                    var stabilization = model.Simulation.Stabilize;
                    var (source, what) = Simulator.KernelSource(model, stabilization, kernels.Path(parse));
                    error.WriteLine(
                        $"generated the {what}, {source.Length} characters in {watch.ElapsedMilliseconds} ms"
                    );
                    if (parse.GetValue(outPath) is { } target)
                    {
                        try
                        {
                            File.WriteAllText(target, source);
                        }
                        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
                        {
                            throw new InputError($"{target}: cannot write the kernel source: {e.Message}");
                        }
                    }
                    else
                    {
                        output.Write(source);
                    }
                    if (parse.GetValue(compile))
                    {
                        var compiled = Simulator
                            .Kernel(
                                model,
                                stabilization,
                                new SimulationOptions
                                {
                                    Cache = KernelCache.Default(CacheWarnings.To(error)),
                                    Kernel = kernels.Path(parse),
                                }
                            )
                            .Compiled!;
                        error.WriteLine(
                            $"compiled in {compiled.CompileTime.TotalMilliseconds:F0} ms (cache {(compiled.CacheHit ? "hit" : "miss")})"
                        );
                    }
                    return ExitCodes.Ok;
                }
            );
        });
        return command;
    }
}
