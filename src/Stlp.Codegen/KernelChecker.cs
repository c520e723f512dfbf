using Stlp.Ir;
using Stlp.Model;
using Stlp.Runtime.Kernels;

namespace Stlp.Codegen;

/// <summary>The largest differences of one output between a kernel and the reference.</summary>
public sealed record Difference(string Kernel, string Output, double MaxAbsolute, double MaxRelative, double MaxScaled);

/// <summary>
/// Evaluates kernels against the IR interpreter at random states, consistent ones (projected
/// onto G = 0, Gdot = 0) and arbitrary ones, and reports the largest differences per output.
/// </summary>
public static class KernelChecker
{
    /// <summary>
    /// Compiles a hand-written kernel: a public class implementing IKernel; of several, the one
    /// with the given numbers of coordinates and constraints.
    /// </summary>
    public static IKernel CompileHand(
        string source,
        string name,
        int coordinates = -1,
        int constraints = -1,
        string? file = null
    )
    {
        var bytes = KernelCompiler.Compile(source, name, generated: false, file);
        return KernelCompiler.LoadAny(
            bytes,
            name,
            k => k.CoordinateCount == coordinates && k.ConstraintCount == constraints
        );
    }

    public static List<Difference> Check(
        Derivation derivation,
        IrProgram program,
        IReadOnlyList<(string Name, IKernel Kernel)> kernels,
        int count,
        int seed
    )
    {
        var reference = new Interpreter(program);
        var rng = new Random(seed);
        double U() => 2 * rng.NextDouble() - 1;
        var formulaOnly = program.SignalInputs.Length == 0;
        var signals = new FormulaSignals(derivation.Model);
        var parameters = derivation.Model.ParameterValues;
        var worst = new Dictionary<(string, string), (double Abs, double Rel, double Scaled)>();
        foreach (var (name, kernel) in kernels)
        {
            foreach (var output in new[] { "qddot", "lambda~", "G", "Gdot" })
            {
                worst[(name, output)] = (0, 0, 0);
            }
        }
        for (var k = 0; k < count; k++)
        {
            var t = 3 * rng.NextDouble();
            var q = Enumerable.Range(0, program.N).Select(_ => U()).ToArray();
            var qdot = Enumerable.Range(0, program.N).Select(_ => U()).ToArray();
            var s = Enumerable.Range(0, program.SignalInputs.Length).Select(_ => U()).ToArray();
            if (formulaOnly && k % 2 == 0)
            {
                var projected = Derivations.Project(derivation, signals, new State(t, q, qdot));
                (q, qdot) = (projected.Q, projected.Qdot);
            }
            var expected = Outputs(reference, program, t, q, qdot, s);
            foreach (var (name, kernel) in kernels)
            {
                var actual = Outputs(kernel, program, t, q, qdot, s);
                foreach (var (output, values) in actual)
                {
                    var exp = expected[output];
                    var (wa, wr, ws) = worst[(name, output)];
                    for (var i = 0; i < values.Length; i++)
                    {
                        var diff = Math.Abs(values[i] - exp[i]);
                        var size = Math.Max(Math.Abs(values[i]), Math.Abs(exp[i]));
                        wa = Math.Max(wa, diff);
                        wr = Math.Max(wr, size > 0 ? diff / size : 0);
                        ws = Math.Max(ws, diff / (1 + Math.Abs(exp[i])));
                    }
                    worst[(name, output)] = (wa, wr, ws);
                }
            }
        }
        return
        [
            .. worst.Select(kv => new Difference(
                kv.Key.Item1,
                kv.Key.Item2,
                kv.Value.Abs,
                kv.Value.Rel,
                kv.Value.Scaled
            )),
        ];
    }

    private static Dictionary<string, double[]> Outputs(
        IKernel kernel,
        IrProgram p,
        double t,
        double[] q,
        double[] qdot,
        double[] s
    )
    {
        var qddot = new double[p.N];
        var lambda = new double[p.R];
        var g = new double[p.R];
        var gdot = new double[p.R];
        kernel.Evaluate(t, q, qdot, p.ParameterDefaults, s, qddot, lambda, g, gdot, out _);
        return new()
        {
            ["qddot"] = qddot,
            ["lambda~"] = lambda,
            ["G"] = g,
            ["Gdot"] = gdot,
        };
    }
}
