using System.Collections.Concurrent;
using Stlp.Codegen;
using Stlp.Ir;
using Stlp.Model;
using Stlp.Runtime.Kernels;
using Xunit;

namespace Stlp.Codegen.Tests;

/// <summary>Models, kernels and random states for the differential tests.</summary>
public static class Harness
{
    public static string Samples
    {
        get
        {
            var dir = new DirectoryInfo(AppContext.BaseDirectory);
            while (!File.Exists(Path.Combine(dir.FullName, "StlpSymbolic.sln")))
            {
                dir = dir.Parent!;
            }
            return Path.Combine(dir.FullName, "samples");
        }
    }

    /// <summary>
    /// Every sample small enough for a straight-line kernel: at most 3,000 coordinates (the
    /// 784-100-10 Fashion-MNIST sample, 80,294 coordinates, runs only with the structured kernel,
    /// which tests/Stlp.Simulation.Tests/StructuredKernelTests.cs holds to the straight-line one).
    /// </summary>
    public static TheoryData<string> StraightLineSamples() =>
        [
            .. Directory
                .GetFiles(Samples, "*.stlp")
                .Select(f => Path.GetFileName(f))
                .Order()
                .Where(f => Load(f).Coordinates.Length <= 3000),
        ];

    public static ModelDefinition Load(string name) =>
        ModelFile.Load(Path.Combine(Samples, name), new Dictionary<string, double>());

    public static ModelDefinition FromText(string text) => ModelFile.FromText(text);

    public static Derivation Derive(ModelDefinition model) => Derivations.Derive(model, model.Simulation.Stabilize);

    /// <summary>A kernel compiled without the disk cache.</summary>
    public static CompiledKernel Compile(ModelDefinition model) =>
        KernelFactory.Create(Lower.lower(Derive(model)), null);

    /// <summary>A sample's compiled kernel with its assembly bytes, for the tests that read its IL.</summary>
    public sealed record SampleKernel(CompiledKernel Compiled, byte[] Assembly);

    private static readonly ConcurrentDictionary<string, Lazy<SampleKernel>> SampleKernels = new();

    /// <summary>
    /// A sample model's kernel, compiled once per test run (the large samples take tens of
    /// seconds) and shared by the tests that need it.
    /// </summary>
    public static SampleKernel CompileSample(string file) =>
        SampleKernels
            .GetOrAdd(
                file,
                f => new Lazy<SampleKernel>(() =>
                {
                    var program = Lower.lower(Derive(Load(f)));
                    var source = KernelEmitter.Emit(program);
                    var key = KernelCache.Key(source)[..16];
                    var bytes = KernelCompiler.Compile(source, $"StlpKernel_{key}");
                    var kernel = KernelCompiler.Load(bytes, key);
                    return new SampleKernel(
                        new CompiledKernel(kernel, program, source, false, TimeSpan.Zero, TimeSpan.Zero),
                        bytes
                    );
                })
            )
            .Value;

    public sealed record Result(double[] Qddot, double[] Lambda, double[] G, double[] Gdot, double Varpi);

    public static Result Run(IKernel k, double t, double[] q, double[] qdot, double[] p, double[] s)
    {
        var r = new Result(
            new double[k.CoordinateCount],
            new double[k.ConstraintCount],
            new double[k.ConstraintCount],
            new double[k.ConstraintCount],
            0
        );
        k.Evaluate(t, q, qdot, p, s, r.Qddot, r.Lambda, r.G, r.Gdot, out var varpi);
        return r with { Varpi = varpi };
    }

    /// <summary>Random states (t in [0, 3], coordinates and velocities in [-1, 1]) and signal values.</summary>
    public static IEnumerable<(double T, double[] Q, double[] Qdot, double[] S)> States(
        IrProgram program,
        int count,
        int seed
    )
    {
        var rng = new Random(seed);
        double U(double a, double b) => a + (b - a) * rng.NextDouble();
        for (var k = 0; k < count; k++)
        {
            yield return (
                U(0, 3),
                Enumerable.Range(0, program.N).Select(_ => U(-1, 1)).ToArray(),
                Enumerable.Range(0, program.N).Select(_ => U(-1, 1)).ToArray(),
                Enumerable.Range(0, program.SignalInputs.Length).Select(_ => U(-1, 1)).ToArray()
            );
        }
    }

    public static void AssertClose(double[] expected, double[] actual, double tolerance, string what)
    {
        Assert.Equal(expected.Length, actual.Length);
        for (var i = 0; i < expected.Length; i++)
        {
            var scale = 1 + Math.Abs(expected[i]);
            Assert.True(
                Math.Abs(expected[i] - actual[i]) <= tolerance * scale,
                $"{what}[{i}]: expected {expected[i]:R}, got {actual[i]:R}"
            );
        }
    }
}
