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
        var compiled = KernelFactory.Create(Lower.lower(derivation), cache);
        var (n, r) = (compiled.Program.N, compiled.Program.R);
        var kernels = new List<(string, IKernel)> { ("generated", compiled.Kernel) };
        if (handPath is not null)
        {
            if (!File.Exists(handPath))
            {
                throw new InputError($"{handPath}: no such file");
            }
            var hand = KernelChecker.CompileHand(
                File.ReadAllText(handPath),
                Path.GetFileNameWithoutExtension(handPath),
                n,
                r
            );
            if (hand.CoordinateCount != n || hand.ConstraintCount != r)
            {
                throw new InputError(
                    $"{handPath}: the hand kernel has {hand.CoordinateCount} coordinates and {hand.ConstraintCount} constraints; the model has {n} and {r}"
                );
            }
            kernels.Add(("hand", hand));
        }
        return KernelChecker.Check(derivation, compiled.Program, kernels, states, seed);
    }
}
