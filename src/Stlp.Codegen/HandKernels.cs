using Stlp.Ir;
using Stlp.Runtime.Kernels;

namespace Stlp.Codegen;

/// <summary>Hand-written kernels: C# a user wrote against <see cref="IKernel"/>, compiled with Roslyn.</summary>
public static class HandKernels
{
    /// <summary>
    /// Compiles a hand-written kernel: a public class implementing IKernel; of several, the one
    /// with the given numbers of coordinates and constraints.
    /// </summary>
    public static IKernel Compile(
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
}
