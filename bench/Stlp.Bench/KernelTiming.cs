using System.Diagnostics;
using Stlp.Codegen;
using Stlp.Model;

namespace Stlp.Bench;

/// <summary>
/// Cold generation + compile (no cache) and warm load (cache hit) times, wall clock, five runs
/// each after one untimed run that warms Roslyn; the first, truly cold run is reported apart.
/// </summary>
public static class KernelTiming
{
    public static void Print(TextWriter output)
    {
        var cacheDir = Path.Combine(Path.GetTempPath(), $"stlp-bench-cache-{Guid.NewGuid():N}");
        var cache = new KernelCache(cacheDir);
        output.WriteLine("model,first_cold_ms,cold_median_ms,warm_median_ms,temporaries");
        try
        {
            foreach (
                var (name, model) in new[]
                {
                    ("fig3b", Repository.Sample("fig3b.stlp")),
                    ("mlp-4-8-8-2", NetworkModels.Build([4, 8, 8, 2])),
                }
            )
            {
                var derivation = Repository.Derive(model);
                var watch = Stopwatch.StartNew();
                var first = KernelFactory.Create(Lower.lower(derivation), null);
                var firstCold = watch.Elapsed.TotalMilliseconds;
                var cold = new List<double>();
                var warm = new List<double>();
                KernelFactory.Create(Lower.lower(derivation), cache);
                for (var k = 0; k < 5; k++)
                {
                    watch.Restart();
                    KernelFactory.Create(Lower.lower(derivation), null);
                    cold.Add(watch.Elapsed.TotalMilliseconds);
                    watch.Restart();
                    var hit = KernelFactory.Create(Lower.lower(derivation), cache);
                    warm.Add(watch.Elapsed.TotalMilliseconds);
                    if (!hit.CacheHit)
                    {
                        throw new InvalidOperationException("expected a cache hit");
                    }
                }
                output.WriteLine(
                    $"{name},{firstCold:F0},{cold.Order().ElementAt(2):F0},{warm.Order().ElementAt(2):F1},{first.Program.Instructions.Length}"
                );
            }
        }
        finally
        {
            Directory.Delete(cacheDir, recursive: true);
        }
    }
}
