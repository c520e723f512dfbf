using Stlp.Codegen;
using Stlp.Ir;
using Stlp.Model;
using Stlp.Runtime.Kernels;

namespace Stlp.Simulation;

/// <summary>
/// The generated kernel, and optionally a hand-written one, against the IR interpreter at random
/// states (half projected onto G = 0, Gdot = 0, half arbitrary): the largest differences per output.
/// </summary>
public static class KernelComparison
{
    /// <param name="handPath">A C# file with a public class implementing <see cref="IKernel"/>, or null.</param>
    /// <exception cref="HandKernelException">The hand kernel does not compile, cannot be created, has the wrong sizes or fails when called.</exception>
    public static IReadOnlyList<Difference> Run(
        Derivation derivation,
        string? handPath,
        int states,
        int seed,
        KernelCache? cache
    )
    {
        if (states < 1)
        {
            throw new InputError($"the number of states must be at least 1, got {states}");
        }
        if (handPath is not null && !File.Exists(handPath))
        {
            throw new InputError($"{handPath}: no such file");
        }
        var compiled = KernelFactory.Create(Lower.lower(derivation), cache);
        var (n, r) = (compiled.Program.N, compiled.Program.R);
        var kernels = new List<(string, IKernel)> { ("generated", compiled.Kernel) };
        if (handPath is not null)
        {
            var hand = KernelChecker.CompileHand(
                File.ReadAllText(handPath),
                Path.GetFileNameWithoutExtension(handPath),
                n,
                r,
                handPath
            );
            var (parameters, signals) = (compiled.Program.ParameterNames.Length, compiled.Program.SignalInputs.Length);
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
        return KernelChecker.Check(derivation, compiled.Program, kernels, states, seed);
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
}
