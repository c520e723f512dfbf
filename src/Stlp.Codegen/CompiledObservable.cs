using System.Linq.Expressions;
using System.Reflection;
using Microsoft.FSharp.Core;
using Stlp.Ir;
using Stlp.Model;

namespace Stlp.Codegen;

/// <summary>
/// An <see cref="ObservableProgram"/> compiled to a delegate with System.Linq.Expressions: the
/// operations of <see cref="StraightLine.Run"/>, in the same order (so the same values, bit for
/// bit), without a dispatch per instruction. No Roslyn: compiling takes milliseconds and needs no
/// cache. For the structured kernel's potential, which it evaluates at every right-hand side.
/// Not thread-safe (it gathers its inputs into a buffer); <see cref="Fresh"/> gives another.
/// </summary>
public sealed class CompiledObservable
{
    private readonly Action<double, double[], double[]> run;

    // Input slot k reads source[k] of kind[k] (coordinate, velocity, parameter or signal).
    private readonly InputKind[] kind;
    private readonly int[] source;
    private readonly double[] inputs;

    public CompiledObservable(ObservableProgram program)
    {
        Program = program ?? throw new ArgumentNullException(nameof(program));
        var slots = new Dictionary<(InputKind, int), int>();
        var time = Expression.Parameter(typeof(double), "t");
        var input = Expression.Parameter(typeof(double[]), "inputs");
        var output = Expression.Parameter(typeof(double[]), "outputs");
        var temps = new ParameterExpression[program.Instructions.Length];
        var body = new List<Expression>();
        for (var i = 0; i < temps.Length; i++)
        {
            temps[i] = Expression.Variable(typeof(double), $"t{i}");
            body.Add(Expression.Assign(temps[i], Operation(program.Instructions[i], temps, time, input, slots)));
        }
        for (var k = 0; k < program.Outputs.Length; k++)
        {
            body.Add(
                Expression.Assign(Expression.ArrayAccess(output, Expression.Constant(k)), temps[program.Outputs[k]])
            );
        }
        body.Add(Expression.Empty());
        run = Expression
            .Lambda<Action<double, double[], double[]>>(Expression.Block(temps, body), time, input, output)
            .Compile();
        kind = new InputKind[slots.Count];
        source = new int[slots.Count];
        foreach (var ((k, index), slot) in slots)
        {
            kind[slot] = k;
            source[slot] = index;
        }
        inputs = new double[slots.Count];
    }

    private CompiledObservable(CompiledObservable other)
    {
        Program = other.Program;
        run = other.run;
        kind = other.kind;
        source = other.source;
        inputs = new double[other.inputs.Length];
    }

    public ObservableProgram Program { get; }

    /// <summary>Another instance on the same compiled code, with its own buffer (for parallel use).</summary>
    public CompiledObservable Fresh() => new(this);

    /// <summary>Every output at (t, q, qdot) into <paramref name="outputs"/> (as long as the outputs).</summary>
    public void Evaluate(
        double t,
        ReadOnlySpan<double> q,
        ReadOnlySpan<double> qdot,
        ReadOnlySpan<double> parameters,
        ReadOnlySpan<double> signals,
        double[] outputs
    )
    {
        for (var k = 0; k < inputs.Length; k++)
        {
            inputs[k] = kind[k] switch
            {
                InputKind.Coordinate => q[source[k]],
                InputKind.Velocity => qdot[source[k]],
                InputKind.Parameter => parameters[source[k]],
                _ => signals[source[k]],
            };
        }
        run(t, inputs, outputs);
    }

    private static readonly MethodInfo Sqrt = typeof(Math).GetMethod(nameof(Math.Sqrt), [typeof(double)])!;
    private static readonly MethodInfo Pow = typeof(Math).GetMethod(
        nameof(Math.Pow),
        [typeof(double), typeof(double)]
    )!;
    private static readonly MethodInfo PowInt = typeof(Interpreter).GetMethod(
        nameof(Interpreter.PowInt),
        [typeof(double), typeof(int)]
    )!;
    private static readonly MethodInfo InvokePrimitive = typeof(FSharpFunc<double[], double>).GetMethod(
        nameof(FSharpFunc<double[], double>.Invoke)
    )!;

    private static Expression Operation(
        Instruction ins,
        ParameterExpression[] temps,
        ParameterExpression time,
        ParameterExpression input,
        Dictionary<(InputKind, int), int> slots
    )
    {
        var a = ins.Args;
        Expression Fold(Func<Expression, Expression, BinaryExpression> op) =>
            a.Skip(1).Aggregate((Expression)temps[a[0]], (s, x) => op(s, temps[x]));
        Expression Input()
        {
            if (ins.InputKind == InputKind.Time)
            {
                return time;
            }
            var key = (ins.InputKind, ins.InputIndex);
            if (!slots.TryGetValue(key, out var slot))
            {
                slot = slots.Count;
                slots.Add(key, slot);
            }
            return Expression.ArrayIndex(input, Expression.Constant(slot));
        }
        return ins.Op switch
        {
            OpCode.Constant => Expression.Constant(ins.Value),
            OpCode.Input => Input(),
            OpCode.Add => Fold(Expression.Add),
            OpCode.Mul => Fold(Expression.Multiply),
            OpCode.Subtract => Fold(Expression.Subtract),
            OpCode.Negate => Expression.Negate(temps[a[0]]),
            OpCode.Divide => Expression.Divide(temps[a[0]], temps[a[1]]),
            OpCode.Square => Expression.Multiply(temps[a[0]], temps[a[0]]),
            OpCode.Reciprocal => Expression.Divide(Expression.Constant(1.0), temps[a[0]]),
            OpCode.Sqrt => Expression.Call(Sqrt, temps[a[0]]),
            OpCode.PowInt => Expression.Call(PowInt, temps[a[0]], Expression.Constant((int)ins.Value)),
            OpCode.Pow => Expression.Call(Pow, temps[a[0]], temps[a[1]]),
            // The primitive's evaluator found once, here, rather than by name on every call.
            OpCode.Call => Expression.Call(
                Expression.Constant(Functions.find(ins.Name).Eval),
                InvokePrimitive,
                Expression.NewArrayInit(typeof(double), a.Select(x => (Expression)temps[x]))
            ),
            _ => throw new InvalidOperationException($"unknown operation {ins.Op}"),
        };
    }
}
