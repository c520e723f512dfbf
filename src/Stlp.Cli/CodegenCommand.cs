using System.CommandLine;
using Stlp.Codegen;
using Stlp.Model;
using Stlp.Simulation;

namespace Stlp.Cli;

/// <summary><c>stlp codegen FILE -o Kernel.cs</c>: write the generated kernel source.</summary>
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
        var command = new Command("codegen", "Generate the C# kernel of a model (readable, deterministic).")
        {
            file,
            outPath,
            compile,
            set,
        };
        command.SetAction(parse =>
        {
            var path = parse.GetValue(file)!;
            return ModelCommand.WithDerivation(
                path,
                parse.GetValue(set) ?? [],
                error,
                derivation =>
                {
                    var watch = System.Diagnostics.Stopwatch.StartNew();
                    var program = Lower.lower(derivation);
                    var source = KernelEmitter.Emit(program);
                    error.WriteLine(
                        $"generated {program.Instructions.Length} temporaries, {source.Length} characters in {watch.ElapsedMilliseconds} ms"
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
                        var compiled = KernelFactory.Create(program, KernelCache.Default(CacheWarnings.To(error)));
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
