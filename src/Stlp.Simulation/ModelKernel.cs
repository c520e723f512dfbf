using Stlp.Ir;
using Stlp.Model;
using Stlp.Runtime.Kernels;

namespace Stlp.Simulation;

/// <summary>
/// A model's kernel without a run (<see cref="Simulator.Kernel"/>): its derivation, the shape of
/// its IR (names and sizes), the kernel a run would use, the interpreter of the same IR (the
/// reference: the IR interpreter for a straight-line kernel, the interpreted form loops for a
/// structured one), the choice in words, and the compiled kernel with its source and timings
/// (null when only the reference was asked for).
/// </summary>
public sealed record ModelKernel(
    Derivation Derivation,
    IKernelShape Shape,
    IKernel Kernel,
    IKernel Reference,
    string Choice,
    Codegen.CompiledKernel? Compiled
);
