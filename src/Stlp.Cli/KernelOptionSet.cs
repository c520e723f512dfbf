using System.CommandLine;
using Stlp.Codegen.Structured;
using Stlp.Simulation;

namespace Stlp.Cli;

/// <summary>Which kernel and multiplier solver a command uses: shared by <c>run</c>, <c>sweep</c>, <c>eval</c>, <c>check</c> and <c>derive</c>.</summary>
internal sealed class KernelOptionSet
{
    private readonly Option<string> kernel = new("--kernel")
    {
        Description =
            "auto: loops over a network's rows when every constraint is a network neuron (structured), else one straight-line kernel; "
            + "structured or straight-line forces one (default: auto).",
        DefaultValueFactory = _ => "auto",
    };
    private readonly Option<string> solver = new("--solver")
    {
        Description =
            "The structured kernel's multiplier solve: block (layer-wise elimination, feedforward), dense (Cholesky), "
            + "cg (conjugate gradients on the neighbour-only product) or auto (block where it applies, else dense up to "
            + $"{StructuredKernel.DenseLimit} rows, else cg; default).",
        DefaultValueFactory = _ => "auto",
    };

    public KernelOptionSet()
    {
        kernel.AcceptOnlyFromAmong("auto", "structured", "straight-line");
        solver.AcceptOnlyFromAmong("auto", "block", "dense", "cg");
    }

    /// <param name="withSolver">Whether the command also takes <c>--solver</c> (it does not where nothing is solved).</param>
    public void AddTo(Command command, bool withSolver = true)
    {
        command.Add(kernel);
        if (withSolver)
        {
            command.Add(solver);
        }
    }

    public KernelPath Path(ParseResult parse) =>
        parse.GetValue(kernel) switch
        {
            "structured" => KernelPath.Structured,
            "straight-line" => KernelPath.StraightLine,
            _ => KernelPath.Auto,
        };

    public MultiplierSolver Solver(ParseResult parse) =>
        parse.GetValue(solver) switch
        {
            "block" => MultiplierSolver.Block,
            "dense" => MultiplierSolver.Dense,
            "cg" => MultiplierSolver.ConjugateGradient,
            _ => MultiplierSolver.Auto,
        };
}
