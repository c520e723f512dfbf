using System.Diagnostics;
using Stlp.Ir;
using Stlp.Runtime.Kernels;

namespace Stlp.Codegen;

/// <summary>A compiled kernel and how it was obtained.</summary>
public sealed record CompiledKernel(
    IKernel Kernel,
    IrProgram Program,
    string Source,
    bool CacheHit,
    TimeSpan GenerateTime,
    TimeSpan CompileTime
);

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
}
