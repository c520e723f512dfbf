using Stlp.Model;
using Stlp.Runtime.Integration;
using Stlp.Simulation;
using Stlp.Simulation.Recording;

namespace Stlp.Bench;

/// <summary>
/// Dormand–Prince against the implicit integrators (SDIRK, Rosenbrock) on samples/backprop_limit.stlp as the masses
/// shrink (the system gets stiff: relaxation time m/gamma): accepted steps, right-hand sides,
/// Jacobians, wall time, and the error of the final state against a tight Dormand–Prince
/// reference, side by side in one run.
/// </summary>
public static class StiffComparison
{
    public static void Print(TextWriter output)
    {
        output.WriteLine("m,t1,rtol,method,steps,rejected,rhs,jacobians,wall_ms,final_error");
        const double end = 10;
        foreach (var m in new[] { 1e-2, 1e-3, 1e-4 })
        {
            var model = ModelFile.Load(
                Path.Combine(Repository.Root, "samples", "backprop_limit.stlp"),
                new Dictionary<string, double> { ["m"] = m }
            );
            double[] FinalState(string method, double rtol, double atol, out RunResult result)
            {
                var options = new SimulationOptions
                {
                    Method = method,
                    RelativeTolerance = rtol,
                    AbsoluteTolerance = atol,
                    T1 = end,
                    OutputEvery = end,
                    Cache = null,
                };
                var trajectory = new MemoryRecorder();
                result = Simulator.Run(model, options, [trajectory]);
                return trajectory.States[^1];
            }
            var reference = FinalState("dopri5", 1e-12, 1e-14, out _);
            foreach (var (rtol, atol) in new[] { (1e-5, 1e-7), (1e-6, 1e-8), (1e-7, 1e-9), (1e-8, 1e-10) })
            {
                foreach (var method in Integrators.All.Where(i => i.Adaptive).Select(i => i.Name))
                {
                    var runs = Enumerable
                        .Range(0, 3)
                        .Select(_ => (Final: FinalState(method, rtol, atol, out var r), Result: r))
                        .ToList();
                    var best = runs.MinBy(r => r.Result.Timings.Integrate);
                    var error = best.Final.Zip(reference, (a, b) => Math.Abs(a - b)).Max();
                    var stats = best.Result;
                    output.WriteLine(
                        $"{m:G},{end},{rtol:G},{method},{stats.StepsAccepted},{stats.StepsRejected},{stats.RhsEvaluations},"
                            + $"{stats.JacobianEvaluations},{stats.Timings.Integrate.TotalMilliseconds:F1},{error:E2}"
                    );
                }
            }
        }
    }
}
