using Stlp.Ir;

namespace Stlp.Codegen;

/// <summary>
/// The IR's straight-line code run directly, one instruction after another: the reference the
/// generated code is tested against, shared by the kernel interpreter and the observables.
/// </summary>
public static class StraightLine
{
    /// <summary>Fills <paramref name="temps"/>[i] with the value of instruction i.</summary>
    public static void Run(
        Instruction[] code,
        double[] temps,
        double t,
        ReadOnlySpan<double> q,
        ReadOnlySpan<double> qdot,
        ReadOnlySpan<double> parameters,
        ReadOnlySpan<double> signals
    )
    {
        for (var i = 0; i < code.Length; i++)
        {
            var ins = code[i];
            var args = ins.Args;
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
                OpCode.Add => Fold(temps, args, static (a, b) => a + b),
                OpCode.Mul => Fold(temps, args, static (a, b) => a * b),
                OpCode.Subtract => Fold(temps, args, static (a, b) => a - b),
                OpCode.Negate => -temps[args[0]],
                OpCode.Divide => temps[args[0]] / temps[args[1]],
                OpCode.Square => temps[args[0]] * temps[args[0]],
                OpCode.Reciprocal => 1.0 / temps[args[0]],
                OpCode.Sqrt => Math.Sqrt(temps[args[0]]),
                OpCode.PowInt => Interpreter.PowInt(temps[args[0]], (int)ins.Value),
                OpCode.Pow => Math.Pow(temps[args[0]], temps[args[1]]),
                OpCode.Call => Primitives.Call(ins.Name, [.. args.Select(a => temps[a])]),
                _ => throw new InvalidOperationException($"unknown operation {ins.Op}"),
            };
        }
    }

    /// <summary>Left to right, as the emitter writes it: ((a0 op a1) op a2) ...</summary>
    private static double Fold(double[] temps, int[] args, Func<double, double, double> op)
    {
        var s = temps[args[0]];
        for (var k = 1; k < args.Length; k++)
        {
            s = op(s, temps[args[k]]);
        }
        return s;
    }
}

/// <summary>Evaluates an <see cref="ObservableProgram"/>: the loss, plot expressions, masses or a network's map.</summary>
public sealed class ObservableEvaluator(ObservableProgram program)
{
    private readonly double[] temps = new double[program.Instructions.Length];

    public ObservableProgram Program { get; } = program;

    /// <summary>Every output at (t, q, qdot) into <paramref name="outputs"/>.</summary>
    public void Evaluate(
        double t,
        ReadOnlySpan<double> q,
        ReadOnlySpan<double> qdot,
        ReadOnlySpan<double> parameters,
        ReadOnlySpan<double> signals,
        Span<double> outputs
    )
    {
        StraightLine.Run(Program.Instructions, temps, t, q, qdot, parameters, signals);
        for (var k = 0; k < Program.Outputs.Length; k++)
        {
            outputs[k] = temps[Program.Outputs[k]];
        }
    }
}
