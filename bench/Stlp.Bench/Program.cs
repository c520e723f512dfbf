using BenchmarkDotNet.Running;
using Stlp.Bench;

// `dotnet run -c Release --project bench/Stlp.Bench -- sizes` prints DAG node counts;
// anything else goes to BenchmarkDotNet (e.g. `-- --filter '*'`).
if (args is ["sizes"])
{
    Sizes.Print(Console.Out);
    return 0;
}
BenchmarkSwitcher.FromAssembly(typeof(DerivationBenchmarks).Assembly).Run(args);
return 0;
