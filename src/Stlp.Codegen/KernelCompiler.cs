using System.Reflection;
using System.Runtime.Loader;
using System.Text;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;
using Microsoft.CodeAnalysis.Emit;
using Microsoft.CodeAnalysis.Text;
using Stlp.Runtime.Kernels;

namespace Stlp.Codegen;

/// <summary>Generated code that does not compile: an internal error, with the source saved.</summary>
public sealed class KernelCompilationException(string message) : Exception(message);

/// <summary>
/// A user's hand-written kernel that does not compile, cannot be created or fails when called: a
/// user error, located (file, line and column) where the compiler says.
/// </summary>
public sealed class HandKernelException(string message) : Exception(message);

/// <summary>
/// Compiles kernel source with Roslyn (Release, warnings as errors, minimal references, the source
/// and a portable PDB embedded so stack traces point at real lines) and loads it into a
/// collectible AssemblyLoadContext. Knows nothing of models.
/// </summary>
public static class KernelCompiler
{
    public static string RoslynVersion { get; } =
        typeof(CSharpCompilation).Assembly.GetName().Version?.ToString() ?? "unknown";

    private static readonly Lazy<MetadataReference[]> References = new(() =>
    {
        var trusted = ((string?)AppContext.GetData("TRUSTED_PLATFORM_ASSEMBLIES") ?? "").Split(Path.PathSeparator);
        string Framework(string name) =>
            trusted.FirstOrDefault(p => Path.GetFileName(p) == name)
            ?? throw new InvalidOperationException($"framework assembly {name} not found");
        return
        [
            MetadataReference.CreateFromFile(typeof(object).Assembly.Location),
            MetadataReference.CreateFromFile(Framework("System.Runtime.dll")),
            MetadataReference.CreateFromFile(Framework("System.Memory.dll")),
            // Where Stlp.Runtime's signatures say Vector<T> is (VectorMath): a forward to CoreLib.
            MetadataReference.CreateFromFile(Framework("System.Numerics.Vectors.dll")),
            MetadataReference.CreateFromFile(typeof(IKernel).Assembly.Location),
        ];
    });

    /// <summary>
    /// Compiles to assembly bytes, or throws with the diagnostics: generated code that does not compile is
    /// a <see cref="KernelCompilationException"/> (a bug; the source is saved), a user's (not
    /// <paramref name="generated"/>) a <see cref="HandKernelException"/> whose lines name <paramref name="file"/>.
    /// </summary>
    public static byte[] Compile(string source, string name, bool generated = true, string? file = null)
    {
        var path = file ?? $"{name}.cs";
        var text = SourceText.From(source, Encoding.UTF8);
        var tree = CSharpSyntaxTree.ParseText(text, new CSharpParseOptions(LanguageVersion.Latest), path: path);
        var compilation = CSharpCompilation.Create(
            name,
            [tree],
            References.Value,
            new CSharpCompilationOptions(
                OutputKind.DynamicallyLinkedLibrary,
                optimizationLevel: OptimizationLevel.Release,
                nullableContextOptions: NullableContextOptions.Enable,
                generalDiagnosticOption: ReportDiagnostic.Error,
                deterministic: true,
                allowUnsafe: true
            )
        );
        using var assembly = new MemoryStream();
        var result = compilation.Emit(
            assembly,
            options: new EmitOptions(debugInformationFormat: DebugInformationFormat.Embedded),
            embeddedTexts: [EmbeddedText.FromSource(path, text)]
        );
        if (!result.Success && !generated)
        {
            var diagnostics = result
                .Diagnostics.Where(d => d.Severity == DiagnosticSeverity.Error)
                .Take(10)
                .Select(d => d.ToString());
            throw new HandKernelException($"{path} does not compile:\n{string.Join("\n", diagnostics)}");
        }
        if (!result.Success)
        {
            var saved = Path.Combine(Path.GetTempPath(), $"stlp-failed-{name}.cs");
            File.WriteAllText(saved, source);
            var errors = result
                .Diagnostics.Where(d => d.Severity == DiagnosticSeverity.Error)
                .Take(10)
                .Select(d => d.ToString());
            throw new KernelCompilationException(
                "internal error: the generated kernel"
                    + $" does not compile; source saved at {saved}\n"
                    + string.Join("\n", errors)
            );
        }
        return assembly.ToArray();
    }

    /// <summary>Loads compiled bytes into their own collectible context and creates the kernel.</summary>
    public static IKernel Load(byte[] assembly, string name)
    {
        var context = new AssemblyLoadContext($"stlp-kernel-{name}", isCollectible: true);
        var loaded = context.LoadFromStream(new MemoryStream(assembly));
        var type =
            loaded.GetType("Stlp.Generated.Kernel")
            ?? throw new KernelCompilationException("internal error: no Stlp.Generated.Kernel in the compiled kernel");
        return (IKernel)(
            Activator.CreateInstance(type)
            ?? throw new KernelCompilationException("internal error: the kernel could not be created")
        );
    }

    /// <summary>Loads compiled form loops (<c>Stlp.Generated.FormLoops</c>) into their own collectible context.</summary>
    public static Runtime.Kernels.Structured.IFormLoops LoadFormLoops(byte[] assembly, string name)
    {
        var context = new AssemblyLoadContext($"stlp-loops-{name}", isCollectible: true);
        var loaded = context.LoadFromStream(new MemoryStream(assembly));
        var type =
            loaded.GetType("Stlp.Generated.FormLoops")
            ?? throw new KernelCompilationException(
                "internal error: no Stlp.Generated.FormLoops in the compiled loops"
            );
        return (Runtime.Kernels.Structured.IFormLoops)(
            Activator.CreateInstance(type)
            ?? throw new KernelCompilationException("internal error: the form loops could not be created")
        );
    }

    /// <summary>
    /// Loads compiled bytes and creates the public IKernel classes in them; <paramref name="fits"/>
    /// picks one when a file holds several (say, the one of the model's size).
    /// </summary>
    public static IKernel LoadAny(byte[] assembly, string name, Func<IKernel, bool> fits)
    {
        var context = new AssemblyLoadContext($"stlp-hand-{name}", isCollectible: true);
        var loaded = context.LoadFromStream(new MemoryStream(assembly));
        var kernels = loaded
            .GetExportedTypes()
            .Where(t =>
                typeof(IKernel).IsAssignableFrom(t) && !t.IsAbstract && t.GetConstructor(Type.EmptyTypes) is not null
            )
            .Select(t => Create(t, name))
            .ToList();
        if (kernels.Count == 0)
        {
            throw new HandKernelException(
                $"{name}: no public class implements IKernel with a public parameterless constructor"
            );
        }
        return kernels.FirstOrDefault(fits) ?? kernels[0];
    }

    private static IKernel Create(Type type, string name)
    {
        try
        {
            return (IKernel)Activator.CreateInstance(type)!;
        }
        catch (TargetInvocationException e) when (e.InnerException is { } inner)
        {
            throw new HandKernelException($"{name}: the constructor of {type.Name} failed: {inner.Message}");
        }
    }

    /// <summary>The version of this runtime, part of the cache key.</summary>
    public static string RuntimeVersion { get; } =
        $"{Environment.Version}/{typeof(IKernel).Assembly.GetName().Version}/{Assembly.GetExecutingAssembly().GetName().Version}";
}
