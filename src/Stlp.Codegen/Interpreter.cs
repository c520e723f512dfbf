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
        StraightLine.Run(program.Instructions, temps, t, q, qdot, parameters, signals);
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
        StraightLine.Run(program.Instructions, temps, t, q, qdot, parameters, signals);
        return [.. temps];
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
