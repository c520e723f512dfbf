using Stlp.Simulation;

namespace Stlp.Bench;

/// <summary>
/// Steps per second of whole integrations (Dormand–Prince at rtol 1e-8, outputs discarded), with the time
/// split into kernel calls and the rest (the integrator's own arithmetic). Wall clock over three
/// runs, the fastest kept.
/// </summary>
public static class RunTiming
{
    public static void Print(TextWriter output)
    {
        output.WriteLine("model,t1,steps,rhs_calls,wall_ms,steps_per_s,kernel_share,us_per_rhs");
        foreach (
            var (name, file, t1) in new[] { ("fig3b", "fig3b.stlp", 200.0), ("mlp-4-8-8-2", "mlp4882.stlp", 10.0) }
        )
        {
            var prepared = Simulator.Prepare(
                Repository.Sample(file),
                new SimulationOptions
                {
                    Method = "dopri5",
                    RelativeTolerance = 1e-8,
                    AbsoluteTolerance = 1e-10,
                    T1 = t1,
                    OutputEvery = t1,
                    Cache = null,
                    TimeKernelCalls = true,
                }
            );
            var best = Enumerable.Range(0, 3).Select(_ => prepared.Run()).MinBy(r => r.Timings.Integrate)!;
            var wall = best.Timings.Integrate.TotalSeconds;
            var kernel = best.Timings.Kernel.TotalSeconds;
            output.WriteLine(
                $"{name},{t1},{best.StepsAccepted},{best.RhsEvaluations},{wall * 1e3:F1},{best.StepsAccepted / wall:F0},"
                    + $"{kernel / wall:P0},{kernel / best.RhsEvaluations * 1e6:F2}"
            );
        }
    }
}
