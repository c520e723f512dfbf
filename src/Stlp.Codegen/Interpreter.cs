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
            Tangents.Pass(program, k, temps, tangents);
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
        Run(t, q, qdot, parameters, signals);
        algebra.Finish(t, temps, qddot, lambdaNormalized, g, gdot, out varpi);
    }

    /// <summary>Every temporary of the program at a state (a copy): what a failure's diagnosis reads.</summary>
    public double[] Temporaries(
        double t,
        ReadOnlySpan<double> q,
        ReadOnlySpan<double> qdot,
        ReadOnlySpan<double> parameters,
        ReadOnlySpan<double> signals
    )
    {
        Run(t, q, qdot, parameters, signals);
        return [.. temps];
    }

    private void Run(
        double t,
        ReadOnlySpan<double> q,
        ReadOnlySpan<double> qdot,
        ReadOnlySpan<double> parameters,
        ReadOnlySpan<double> signals
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
                OpCode.PowInt => PowInt(temps[ins.Args[0]], (int)ins.Value),
                OpCode.Pow => Math.Pow(temps[ins.Args[0]], temps[ins.Args[1]]),
                _ => Primitives.Call(ins.Name, ins.Args.Select(a => temps[a]).ToArray()),
            };
        }
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

    private double Product(int[] args)
    {
        var s = temps[args[0]];
        for (var k = 1; k < args.Length; k++)
        {
            s *= temps[args[k]];
        }
        return s;
    }

    /// <summary>The same formulas the emitter writes for small integer powers.</summary>
    public static double PowInt(double x, int k) =>
        k switch
        {
            2 => x * x,
            3 => x * x * x,
            -1 => 1.0 / x,
            -2 => 1.0 / (x * x),
            _ => Math.Pow(x, k),
        };
}
