using System.Diagnostics;
using Stlp.Codegen;
using Stlp.Model;

namespace Stlp.Bench;

/// <summary>
/// Where a large kernel's time goes: the cost of one generated Evaluate call for a model file
/// (after warm-up, so tiered JIT has finished), with its size; wall clock, median of batches.
/// </summary>
public static class KernelProfile
{
    public static void Print(string file, TextWriter output)
    {
        var model = ModelFile.Load(file, new Dictionary<string, double>());
        var derivation = Repository.Derive(model);
        var compiled = KernelFactory.Create(Lower.lower(derivation), KernelCache.Default());
        var kernel = compiled.Kernel;
        var n = kernel.CoordinateCount;
        var r = kernel.ConstraintCount;
        var random = new Random(1);
        var q = Enumerable.Range(0, n).Select(_ => random.NextDouble() - 0.5).ToArray();
        var qdot = Enumerable.Range(0, n).Select(_ => 0.1 * (random.NextDouble() - 0.5)).ToArray();
        var p = compiled.Program.ParameterDefaults;
        var s = new double[kernel.SignalCount];
        var qddot = new double[n];
        double[] lambda = new double[r],
            g = new double[r],
            gdot = new double[r];
        void Call() => kernel.Evaluate(0.3, q, qdot, p, s, qddot, lambda, g, gdot, out _);
        for (var k = 0; k < 300; k++)
        {
            Call();
        }
        Thread.Sleep(500);
        var batches = new List<double>();
        for (var b = 0; b < 7; b++)
        {
            var watch = Stopwatch.StartNew();
            for (var k = 0; k < 50; k++)
            {
                Call();
            }
            batches.Add(watch.Elapsed.TotalMicroseconds / 50);
        }
        output.WriteLine("model,coordinates,constraints,temporaries,us_per_evaluate");
        output.WriteLine(
            $"{model.Name},{n},{r},{compiled.Program.Instructions.Length},{batches.Order().ElementAt(3):F1}"
        );
    }
}
