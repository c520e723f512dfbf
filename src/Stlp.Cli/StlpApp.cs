using System.CommandLine;

namespace Stlp.Cli;

/// <summary>The <c>stlp</c> command line, runnable in-process (tests pass their own writers).</summary>
public static class StlpApp
{
    public static RootCommand Create(TextWriter output, TextWriter error) =>
        new(
            "stlp: learning as constrained Lagrangian mechanics (Spatiotemporal Local Propagation).\n"
                + "Write a Lagrangian and constraints in a .stlp model file; derive, compile, check and run them.\n"
                + "Exit codes: 0 ok, 1 usage, 2 model or derivation error, 3 numerical failure, 4 internal error,\n"
                + "5 check above tolerance, 130 interrupted."
        )
        {
            ShowCommand.Create(output, error),
            DeriveCommand.Create(output, error),
            CodegenCommand.Create(output, error),
            EvalCommand.Create(output, error),
            CheckCommand.Create(output, error),
            RunCommand.Create(output, error),
            SweepCommand.Create(output, error),
            SweepMergeCommand.Create(output, error),
        };

    public static int Run(string[] args, TextWriter output, TextWriter error)
    {
        var config = new InvocationConfiguration
        {
            Output = output,
            Error = error,
            EnableDefaultExceptionHandler = false,
        };
        try
        {
            return Create(output, error).Parse(args).Invoke(config);
        }
        catch (Exception e)
        {
            return Failures.Report(e, error);
        }
    }
}
