using BenchmarkDotNet.Attributes;
using Stlp.Model;

namespace Stlp.Bench;

/// <summary>
/// Time per derivation. The intern table is warm after the first iteration, so this measures
/// the differentiator's walk and the canonical constructors' lookups, not first allocation.
/// </summary>
[MemoryDiagnoser]
public class DerivationBenchmarks
{
    private Expr deep = null!;
    private Expr loss = null!;
    private Symbol[] weights = null!;

    [Params(50, 100, 200)]
    public int Depth { get; set; }

    [GlobalSetup]
    public void Setup()
    {
        deep = Workloads.DeepTanh(Depth);
        (loss, weights) = Workloads.MlpLoss([5, 5, 5]);
    }

    [Benchmark(Description = "d/dx of a Depth-deep tanh composition")]
    public Expr DeepTanhDerivative() => Calculus.diff(Workloads.X, deep);

    [Benchmark(Description = "gradient of a 50-weight MLP loss")]
    public Expr[] MlpGradient() => Sym.Gradient(loss, weights);
}
