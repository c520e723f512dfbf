using BenchmarkDotNet.Attributes;
using Stlp.Codegen;
using Stlp.Model;
using Stlp.Runtime.Kernels;

namespace Stlp.Bench;

/// <summary>Where the repository's samples are, from wherever BenchmarkDotNet runs us.</summary>
public static class Repository
{
    public static string Root
    {
        get
        {
            var dir = new DirectoryInfo(AppContext.BaseDirectory);
            while (!File.Exists(Path.Combine(dir.FullName, "StlpSymbolic.sln")))
            {
                dir = dir.Parent ?? throw new InvalidOperationException("repository root not found");
            }
            return dir.FullName;
        }
    }

    public static ModelDefinition Sample(string name) =>
        ModelFile.Load(Path.Combine(Root, "samples", name), new Dictionary<string, double>());

    public static Derivation Derive(ModelDefinition model) => Derivations.Derive(model, model.Simulation.Stabilize);
}

/// <summary>
/// Per-call time of the generated kernel against the hand-written one and the IR interpreter,
/// side by side in one run. The baseline is the hand-written kernel.
/// </summary>
[MemoryDiagnoser]
public class KernelBenchmarks
{
    private IKernel generated = null!;
    private IKernel interpreted = null!;
    private IKernel hand = null!;
    private double[] q = null!,
        qdot = null!,
        p = null!,
        qddot = null!,
        lambda = null!,
        g = null!,
        gdot = null!;

    [Params("fig3b", "mlp-2-2-1", "mlp-4-8-8-2")]
    public string Model { get; set; } = "";

    [GlobalSetup]
    public void Setup()
    {
        var (model, handFile) = Model switch
        {
            "fig3b" => (Repository.Sample("fig3b.stlp"), "Fig3bKernel.cs"),
            "mlp-2-2-1" => (Repository.Sample("mlp.stlp"), "MlpKernels.cs"),
            _ => (Repository.Sample("mlp4882.stlp"), "MlpKernels.cs"),
        };
        var compiled = KernelFactory.Create(Lower.lower(Repository.Derive(model)), null);
        generated = compiled.Kernel;
        interpreted = new Interpreter(compiled.Program);
        hand = HandKernels.Compile(
            File.ReadAllText(Path.Combine(Repository.Root, "samples", "hand", handFile)),
            Path.GetFileNameWithoutExtension(handFile),
            compiled.Program.N,
            compiled.Program.R
        );
        var n = compiled.Program.N;
        var r = compiled.Program.R;
        var rng = new Random(1);
        q = [.. Enumerable.Range(0, n).Select(_ => rng.NextDouble() - 0.5)];
        qdot = [.. Enumerable.Range(0, n).Select(_ => rng.NextDouble() - 0.5)];
        p = compiled.Program.ParameterDefaults;
        qddot = new double[n];
        lambda = new double[r];
        g = new double[r];
        gdot = new double[r];
    }

    [Benchmark(Baseline = true, Description = "hand-written")]
    public double Hand()
    {
        hand.Evaluate(0.7, q, qdot, p, [], qddot, lambda, g, gdot, out var varpi);
        return varpi;
    }

    [Benchmark(Description = "generated")]
    public double Generated()
    {
        generated.Evaluate(0.7, q, qdot, p, [], qddot, lambda, g, gdot, out var varpi);
        return varpi;
    }

    [Benchmark(Description = "interpreted")]
    public double Interpreted()
    {
        interpreted.Evaluate(0.7, q, qdot, p, [], qddot, lambda, g, gdot, out var varpi);
        return varpi;
    }
}
