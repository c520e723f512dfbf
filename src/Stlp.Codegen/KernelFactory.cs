using System.Diagnostics;
using Stlp.Codegen.Structured;
using Stlp.Ir;
using Stlp.Runtime.Kernels;
using Stlp.Runtime.Kernels.Structured;

namespace Stlp.Codegen;

/// <summary>A compiled kernel and how it was obtained.</summary>
/// <param name="Kernel">The kernel.</param>
/// <param name="Shape">Its program: an <see cref="IrProgram"/> (straight-line) or a <see cref="LoopProgram"/> (structured).</param>
/// <param name="Source">The generated C# it was compiled from.</param>
/// <param name="CacheHit">Whether the compiled bytes came from the cache.</param>
/// <param name="GenerateTime">The time to emit the source.</param>
/// <param name="CompileTime">The time to compile (or fetch) and load it.</param>
public sealed record CompiledKernel(
    IKernel Kernel,
    IKernelShape Shape,
    string Source,
    bool CacheHit,
    TimeSpan GenerateTime,
    TimeSpan CompileTime
)
{
    /// <summary>The straight-line program; a structured kernel has none.</summary>
    public IrProgram Program =>
        Shape as IrProgram ?? throw new InvalidOperationException("a structured kernel has no straight-line program");

    /// <summary>The loop IR of a structured kernel; null for a straight-line one.</summary>
    public LoopProgram? Loops => Shape as LoopProgram;

    /// <summary>Whether this is a structured (loop) kernel.</summary>
    public bool IsStructured => Shape is LoopProgram;
}

/// <summary>From an IR program to a running kernel: emit, compile or fetch from the cache, load.</summary>
public static class KernelFactory
{
    /// <summary>The caller lowers (<c>Lower.lower</c>): codegen sees only the IR.</summary>
    public static CompiledKernel Create(IrProgram program, KernelCache? cache)
    {
        var watch = Stopwatch.StartNew();
        var source = KernelEmitter.Emit(program);
        var generate = watch.Elapsed;
        watch.Restart();
        var key = KernelCache.Key(source);
        var bytes = cache?.TryGet(key);
        IKernel? kernel = null;
        if (bytes is not null)
        {
            // A cached entry is only a hint: one that does not load as this program's kernel
            // (forged with a matching checksum, or from another build) is dropped and rebuilt.
            try
            {
                kernel = KernelCompiler.Load(bytes, key[..16]);
                if (kernel.CoordinateCount != program.N || kernel.ConstraintCount != program.R)
                {
                    throw new KernelCompilationException("its sizes differ from the model's");
                }
            }
            catch (Exception e) when (e is not OutOfMemoryException)
            {
                cache!.Reject(key, e is KernelCompilationException ? "it holds no kernel of this model" : e.Message);
                kernel = null;
            }
        }
        var hit = kernel is not null;
        if (kernel is null)
        {
            bytes = KernelCompiler.Compile(source, $"StlpKernel_{key[..16]}");
            cache?.Put(key, bytes);
            kernel = KernelCompiler.Load(bytes, key[..16]);
        }
        return new CompiledKernel(kernel, program, source, hit, generate, watch.Elapsed);
    }

    /// <summary>
    /// The structured kernel of a network model (<c>Loops.lower</c>): the form loops emitted and
    /// compiled, or fetched from the cache by their source, which depends on the structure only;
    /// with <paramref name="interpreted"/>, the loop IR run directly instead (the reference).
    /// </summary>
    public static CompiledKernel CreateStructured(
        LoopProgram program,
        KernelCache? cache,
        MultiplierSolver solver = MultiplierSolver.Auto,
        bool interpreted = false
    )
    {
        var watch = Stopwatch.StartNew();
        if (interpreted)
        {
            var reference = new StructuredKernel(program, new LoopInterpreter(program), solver);
            return new CompiledKernel(reference, program, "", false, watch.Elapsed, TimeSpan.Zero);
        }
        var source = LoopEmitter.Emit(program);
        var generate = watch.Elapsed;
        watch.Restart();
        var key = KernelCache.Key(source);
        var bytes = cache?.TryGet(key);
        IFormLoops? loops = null;
        if (bytes is not null)
        {
            try
            {
                loops = KernelCompiler.LoadFormLoops(bytes, key[..16]);
            }
            catch (Exception e) when (e is not OutOfMemoryException)
            {
                cache!.Reject(key, e is KernelCompilationException ? "it holds no form loops" : e.Message);
                loops = null;
            }
        }
        var hit = loops is not null;
        if (loops is null)
        {
            bytes = KernelCompiler.Compile(source, $"StlpLoops_{key[..16]}");
            cache?.Put(key, bytes);
            loops = KernelCompiler.LoadFormLoops(bytes, key[..16]);
        }
        var kernel = new StructuredKernel(program, loops, solver);
        return new CompiledKernel(kernel, program, source, hit, generate, watch.Elapsed);
    }
}
