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

    /// <summary>
    /// Which temporaries depend on the state (q or qdot). The others have zero tangents: they get
    /// no tangent code, and terms with their tangents are left out (an exact zero added or
    /// multiplied changes no finite result).
    /// </summary>
    public static bool[] StateDependent(IrProgram p)
    {
        var code = p.Instructions;
        var dependent = new bool[code.Length];
        for (var i = 0; i < code.Length; i++)
        {
            var ins = code[i];
            dependent[i] =
                ins.Op == OpCode.Input
                    ? ins.InputKind is InputKind.Coordinate or InputKind.Velocity
                    : ins.Args.Any(a => dependent[a]);
        }
        return dependent;
    }

    /// <summary>dw[i] for every instruction, along direction k.</summary>
    public static void Pass(IrProgram p, bool[] dependent, int k, double[] w, double[] dw)
    {
        var code = p.Instructions;
        var n = p.N;
        for (var i = 0; i < code.Length; i++)
        {
            var ins = code[i];
            var a = ins.Args;
            if (!dependent[i])
            {
                dw[i] = 0.0;
                continue;
            }
            switch (ins.Op)
            {
                case OpCode.Input when ins.InputKind == InputKind.Coordinate:
                    dw[i] = k == ins.InputIndex ? 1.0 : 0.0;
                    break;
                case OpCode.Input when ins.InputKind == InputKind.Velocity:
                    dw[i] = k == n + ins.InputIndex ? 1.0 : 0.0;
                    break;
                case OpCode.Add:
                    double? sum = null;
                    foreach (var x in a.Where(x => dependent[x]))
                    {
                        sum = sum is { } s ? s + dw[x] : dw[x];
                    }
                    dw[i] = sum!.Value;
                    break;
                case OpCode.Subtract:
                    double? difference = dependent[a[0]] ? dw[a[0]] : null;
                    foreach (var x in a.Skip(1).Where(x => dependent[x]))
                    {
                        difference = difference is { } s ? s - dw[x] : -dw[x];
                    }
                    dw[i] = difference!.Value;
                    break;
                case OpCode.Negate:
                    dw[i] = -dw[a[0]];
                    break;
                case OpCode.Mul:
                    double? total = null;
                    for (var j = 0; j < a.Length; j++)
                    {
                        if (!dependent[a[j]])
                        {
                            continue;
                        }
                        var term = dw[a[j]];
                        for (var l = 0; l < a.Length; l++)
                        {
                            if (l != j)
                            {
                                term *= w[a[l]];
                            }
                        }
                        total = total is { } s ? s + term : term;
                    }
                    dw[i] = total!.Value;
                    break;
                case OpCode.Divide:
                    dw[i] = (dependent[a[0]], dependent[a[1]]) switch
                    {
                        (true, true) => (dw[a[0]] - w[i] * dw[a[1]]) / w[a[1]],
                        (true, false) => dw[a[0]] / w[a[1]],
                        _ => -(w[i] * dw[a[1]]) / w[a[1]],
                    };
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
                case OpCode.PowInt:
                    var m = (int)ins.Value;
                    dw[i] = m * Interpreter.PowInt(w[a[0]], m - 1) * dw[a[0]];
                    break;
                case OpCode.Pow:
                    dw[i] = (dependent[a[0]], dependent[a[1]]) switch
                    {
                        (true, true) => w[i] * (dw[a[1]] * Math.Log(w[a[0]]) + w[a[1]] * dw[a[0]] / w[a[0]]),
                        (true, false) => w[i] * (w[a[1]] * dw[a[0]] / w[a[0]]),
                        _ => w[i] * (dw[a[1]] * Math.Log(w[a[0]])),
                    };
                    break;
                case OpCode.Call when ins.Partials.Length == a.Length:
                    double? d = null;
                    for (var j = 0; j < a.Length; j++)
                    {
                        if (dependent[a[j]])
                        {
                            var term = w[ins.Partials[j]] * dw[a[j]];
                            d = d is { } s ? s + term : term;
                        }
                    }
                    dw[i] = d!.Value;
                    break;
                default:
                    // Calls only partials use.
                    dw[i] = 0.0;
                    break;
            }
        }
    }
}
