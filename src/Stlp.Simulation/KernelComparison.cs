using Stlp.Codegen;
using Stlp.Ir;
using Stlp.Model;
using Stlp.Runtime.Kernels;

namespace Stlp.Simulation;

/// <summary>The largest differences of one output between a kernel and the reference.</summary>
public sealed record Difference(string Kernel, string Output, double MaxAbsolute, double MaxRelative, double MaxScaled);

/// <summary>
/// A model's kernel, and optionally a hand-written one, against the interpreter of its IR at
/// random states (half projected onto G = 0, Gdot = 0 when the model has no data-set signals, half
/// arbitrary): the largest differences per output. A structured kernel is held to its interpreted
/// form loops.
/// </summary>
public static class KernelComparison
{
    /// <param name="model">The kernel and its reference, from <see cref="Simulator.Kernel"/>.</param>
    /// <param name="handPath">A C# file with a public class implementing <see cref="IKernel"/>, or null.</param>
    /// <exception cref="HandKernelException">The hand kernel does not compile, cannot be created, has the wrong sizes or fails when called.</exception>
    public static IReadOnlyList<Difference> Run(ModelKernel model, string? handPath, int states, int seed)
    {
        if (states < 1)
        {
            throw new InputError($"the number of states must be at least 1, got {states}");
        }
        if (handPath is not null && !File.Exists(handPath))
        {
            throw new InputError($"{handPath}: no such file");
        }
        var shape = model.Shape;
        var (n, r) = (shape.N, shape.R);
        var kernels = new List<(string, IKernel)> { ("generated", model.Kernel) };
        if (handPath is not null)
        {
            var hand = HandKernels.Compile(
                File.ReadAllText(handPath),
                Path.GetFileNameWithoutExtension(handPath),
                n,
                r,
                handPath
            );
            var (parameters, signals) = (shape.ParameterNames.Length, shape.SignalInputs.Length);
            if (
                hand.CoordinateCount != n
                || hand.ConstraintCount != r
                || hand.ParameterCount != parameters
                || hand.SignalCount != signals
            )
            {
                throw new HandKernelException(
                    $"{handPath}: the hand kernel has {hand.CoordinateCount} coordinates, {hand.ConstraintCount} constraints, "
                        + $"{hand.ParameterCount} parameters and {hand.SignalCount} signals; the model has {n}, {r}, {parameters} and {signals}"
                );
            }
            kernels.Add(("hand", new Guarded(hand, handPath)));
        }
        return Check(model.Derivation, shape, model.Reference, kernels, states, seed);
    }

    /// <summary>A user's kernel whose failures (other than numerical ones) are reported as its own, with its file.</summary>
    private sealed class Guarded(IKernel inner, string path) : IKernel
    {
        public int CoordinateCount => inner.CoordinateCount;
        public int ConstraintCount => inner.ConstraintCount;
        public int ParameterCount => inner.ParameterCount;
        public int SignalCount => inner.SignalCount;

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
            try
            {
                inner.Evaluate(t, q, qdot, parameters, signals, qddot, lambdaNormalized, g, gdot, out varpi);
            }
            catch (Exception e) when (e is not NumericalFailure and not OutOfMemoryException)
            {
                throw new HandKernelException(
                    $"{path}: {inner.GetType().Name}.Evaluate failed at t = {t:R}: {e.Message}"
                );
            }
        }
    }

    /// <summary>
    /// Evaluates kernels against <paramref name="reference"/> at random states, consistent ones
    /// (projected onto G = 0, Gdot = 0) and arbitrary ones, and reports the largest differences per output.
    /// </summary>
    public static List<Difference> Check(
        Derivation derivation,
        IKernelShape program,
        IKernel reference,
        IReadOnlyList<(string Name, IKernel Kernel)> kernels,
        int count,
        int seed
    )
    {
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
        IKernelShape p,
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
