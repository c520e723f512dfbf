using BenchmarkDotNet.Attributes;
using Stlp.Model;

namespace Stlp.Bench;

/// <summary>Time to derive the whole constrained system of small nets (SymPy takes about 2 s for 4-8-2).</summary>
[MemoryDiagnoser]
public class DeriveBenchmarks
{
    private ModelDefinition model = null!;

    [Params("4-8-2", "4-8-8-2")]
    public string Shape { get; set; } = "";

    [GlobalSetup]
    public void Setup() => model = NetworkModels.Build([.. Shape.Split('-').Select(int.Parse)]);

    [Benchmark(Description = "derive H, f, G_q, gamma, A, b, qddot")]
    public Derivation DeriveSystem() => Derive.derive(null, model);
}
