using Stlp.Ir;
using Stlp.Model;
using Stlp.Runtime.Kernels;

namespace Stlp.Codegen;

/// <summary>
/// Evaluates an IR program directly: slow and obviously right, the reference every generated
/// kernel is tested against. The arithmetic after the instruction list (the multiplier solve and
/// the accelerations) is <see cref="KernelAlgebra"/>, which the generated code follows step by step.
/// </summary>
public sealed class Interpreter : IJacobianKernel
{
    private readonly IrProgram program;
    private readonly double[] temps;
    private readonly KernelAlgebra algebra;
    private readonly double[] tangents;
    private readonly bool[] dependent;
    private readonly DiagonalJacobian? assembly;
    private readonly double[] qddotScratch,
        lambdaScratch,
        gScratch,
        gdotScratch;

    public Interpreter(IrProgram program)
    {
        this.program = program;
        temps = new double[program.Instructions.Length];
        tangents = new double[program.Instructions.Length];
        dependent = Tangents.StateDependent(program);
        algebra = new KernelAlgebra(program);
        assembly = program.IsHDiagonal ? Tangents.Assembly(program) : null;
        (qddotScratch, lambdaScratch) = (new double[program.N], new double[program.R]);
        (gScratch, gdotScratch) = (new double[program.R], new double[program.R]);
    }

    public void Jacobian(
        double t,
        ReadOnlySpan<double> q,
        ReadOnlySpan<double> qdot,
        ReadOnlySpan<double> parameters,
        ReadOnlySpan<double> signals,
        Span<double> jacobian
    )
    {
        if (assembly is null)
        {
            FiniteDifferenceJacobian.Compute(this, t, q, qdot, parameters, signals, jacobian);
            return;
        }
        Evaluate(t, q, qdot, parameters, signals, qddotScratch, lambdaScratch, gScratch, gdotScratch, out _);
        assembly.Prepare(t, temps, lambdaScratch);
        DiagonalJacobian.Identity(program.N, jacobian);
        for (var k = 0; k < 2 * program.N; k++)
        {
            Tangents.Pass(program, dependent, k, temps, tangents);
            assembly.Column(temps, tangents, k, jacobian);
        }
    }

    public int CoordinateCount => program.N;
    public int ConstraintCount => program.R;
    public int ParameterCount => program.ParameterNames.Length;
    public int SignalCount => program.SignalInputs.Length;

    public void Evaluate(
        double t,
        ReadOnlySpan<double> q,
        ReadOnlySpan<double> qdot,
        ReadOnlySpan<double> parameters,
        ReadOnlySpan<double> signals,
        Span<double> qddot,
        Span<double> lambdaNormalized,
        Span<double> g,
        Span<double> gdot,
        out double varpi
    )
    {
        var code = program.Instructions;
        for (var i = 0; i < code.Length; i++)
        {
            var ins = code[i];
            temps[i] = ins.Op switch
            {
                OpCode.Constant => ins.Value,
                OpCode.Input => ins.InputKind switch
                {
                    InputKind.Time => t,
                    InputKind.Coordinate => q[ins.InputIndex],
                    InputKind.Velocity => qdot[ins.InputIndex],
                    InputKind.Parameter => parameters[ins.InputIndex],
                    _ => signals[ins.InputIndex],
                },
                OpCode.Add => Sum(ins.Args),
                OpCode.Mul => Product(ins.Args),
                OpCode.Subtract => Difference(ins.Args),
                OpCode.Negate => -temps[ins.Args[0]],
                OpCode.Divide => temps[ins.Args[0]] / temps[ins.Args[1]],
                OpCode.Square => temps[ins.Args[0]] * temps[ins.Args[0]],
                OpCode.Reciprocal => 1.0 / temps[ins.Args[0]],
                OpCode.Sqrt => Math.Sqrt(temps[ins.Args[0]]),
                OpCode.PowInt => PowInt(temps[ins.Args[0]], (int)ins.Value),
                OpCode.Pow => Math.Pow(temps[ins.Args[0]], temps[ins.Args[1]]),
                OpCode.Call => Primitives.Call(ins.Name, ins.Args.Select(a => temps[a]).ToArray()),
                _ => throw new InvalidOperationException($"unknown operation {ins.Op}"),
            };
        }
        algebra.Finish(t, temps, qddot, lambdaNormalized, g, gdot, out varpi);
    }

    private double Sum(int[] args)
    {
        var s = temps[args[0]];
        for (var k = 1; k < args.Length; k++)
        {
            s += temps[args[k]];
        }
        return s;
    }

    private double Difference(int[] args)
    {
        var s = temps[args[0]];
        for (var k = 1; k < args.Length; k++)
        {
            s -= temps[args[k]];
        }
        return s;
    }

    private double Product(int[] args)
    {
        var s = temps[args[0]];
        for (var k = 1; k < args.Length; k++)
        {
            s *= temps[args[k]];
        }
        return s;
    }

    /// <summary>
    /// The same formulas the emitter writes, and lowering folds constants with, for integer
    /// powers (<see cref="OpCode.PowInt"/> has exponents of 3 and more).
    /// </summary>
    public static double PowInt(double x, int k) =>
        k switch
        {
            2 => x * x,
            3 => x * x * x,
            _ => Math.Pow(x, k),
        };
}
