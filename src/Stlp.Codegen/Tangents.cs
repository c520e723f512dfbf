using Stlp.Ir;
using Stlp.Runtime.Kernels;

namespace Stlp.Codegen;

/// <summary>
/// Forward-mode tangents over the IR, the rules the interpreter applies and the emitter writes
/// out in the same order: the derivative of every temporary along one state direction k
/// (k &lt; n: coordinate k; k ≥ n: velocity k - n).
/// </summary>
public static class Tangents
{
    /// <summary>The tables <see cref="DiagonalJacobian"/> reads, from the IR's outputs.</summary>
    public static DiagonalJacobian Assembly(IrProgram p)
    {
        var hSlot = new int[p.N];
        foreach (var e in p.HNorm)
        {
            hSlot[e.Row] = e.Slot;
        }
        return new DiagonalJacobian(
            p.N,
            p.R,
            hSlot,
            p.FNorm,
            [.. p.Gq.Select(e => e.Row)],
            [.. p.Gq.Select(e => e.Column)],
            [.. p.Gq.Select(e => e.Slot)],
            [.. p.A.Select(e => e.Row)],
            [.. p.A.Select(e => e.Column)],
            [.. p.A.Select(e => e.Slot)],
            p.B
        );
    }

    /// <summary>dw[i] for every instruction, along direction k.</summary>
    public static void Pass(IrProgram p, int k, double[] w, double[] dw)
    {
        var code = p.Instructions;
        var n = p.N;
        for (var i = 0; i < code.Length; i++)
        {
            var ins = code[i];
            var a = ins.Args;
            switch (ins.Op)
            {
                case OpCode.Input when ins.InputKind == InputKind.Coordinate:
                    dw[i] = k == ins.InputIndex ? 1.0 : 0.0;
                    break;
                case OpCode.Input when ins.InputKind == InputKind.Velocity:
                    dw[i] = k == n + ins.InputIndex ? 1.0 : 0.0;
                    break;
                case OpCode.Add:
                    var sum = dw[a[0]];
                    for (var j = 1; j < a.Length; j++)
                    {
                        sum += dw[a[j]];
                    }
                    dw[i] = sum;
                    break;
                case OpCode.Subtract:
                    var difference = dw[a[0]];
                    for (var j = 1; j < a.Length; j++)
                    {
                        difference -= dw[a[j]];
                    }
                    dw[i] = difference;
                    break;
                case OpCode.Negate:
                    dw[i] = -dw[a[0]];
                    break;
                case OpCode.Divide:
                    dw[i] = (dw[a[0]] - w[i] * dw[a[1]]) / w[a[1]];
                    break;
                case OpCode.Square:
                    dw[i] = 2.0 * w[a[0]] * dw[a[0]];
                    break;
                case OpCode.Reciprocal:
                    dw[i] = -(w[i] * w[i]) * dw[a[0]];
                    break;
                case OpCode.Sqrt:
                    dw[i] = 0.5 * dw[a[0]] / w[i];
                    break;
                case OpCode.Mul:
                    var total = 0.0;
                    for (var j = 0; j < a.Length; j++)
                    {
                        var term = dw[a[j]];
                        for (var l = 0; l < a.Length; l++)
                        {
                            if (l != j)
                            {
                                term *= w[a[l]];
                            }
                        }
                        total = j == 0 ? term : total + term;
                    }
                    dw[i] = total;
                    break;
                case OpCode.PowInt:
                    var m = (int)ins.Value;
                    dw[i] = m * Interpreter.PowInt(w[a[0]], m - 1) * dw[a[0]];
                    break;
                case OpCode.Pow:
                    dw[i] = w[i] * (dw[a[1]] * Math.Log(w[a[0]]) + w[a[1]] * dw[a[0]] / w[a[0]]);
                    break;
                case OpCode.Call when ins.Partials.Length == a.Length:
                    var d = w[ins.Partials[0]] * dw[a[0]];
                    for (var j = 1; j < a.Length; j++)
                    {
                        d += w[ins.Partials[j]] * dw[a[j]];
                    }
                    dw[i] = d;
                    break;
                default:
                    // Constants, time, parameters, signals; and calls only partials use.
                    dw[i] = 0.0;
                    break;
            }
        }
    }
}
