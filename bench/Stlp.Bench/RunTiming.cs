using System.Diagnostics;
using Microsoft.FSharp.Core;
using Stlp.Codegen;
using Stlp.Model;
using Stlp.Runtime.Integration;
using Stlp.Runtime.Kernels;

namespace Stlp.Bench;

/// <summary>
/// Steps per second of whole integrations (Dormand–Prince at rtol 1e-8, outputs discarded), with the time
/// split into kernel calls and the rest (the integrator's own arithmetic). Wall clock over three
/// runs, the fastest kept.
/// </summary>
public static class RunTiming
{
    /// <summary>Times every kernel call.</summary>
    private sealed class TimedKernel(IKernel inner) : IKernel
    {
        public long Ticks;
        public int CoordinateCount => inner.CoordinateCount;
        public int ConstraintCount => inner.ConstraintCount;
        public int ParameterCount => inner.ParameterCount;
        public int SignalCount => inner.SignalCount;

        public void Evaluate(
            double t,
            ReadOnlySpan<double> q,
            ReadOnlySpan<double> qdot,
            ReadOnlySpan<double> parameters,
            ReadOnlySpan<double> signals,
            Span<double> qddot,
            Span<double> lambdaNormalized,
            Span<double> g,
            Span<double> gdot,
            out double varpi
        )
        {
            var start = Stopwatch.GetTimestamp();
            inner.Evaluate(t, q, qdot, parameters, signals, qddot, lambdaNormalized, g, gdot, out varpi);
            Ticks += Stopwatch.GetTimestamp() - start;
        }
    }

    public static void Print(TextWriter output)
    {
        output.WriteLine("model,t1,steps,rhs_calls,wall_ms,steps_per_s,kernel_share,us_per_rhs");
        foreach (
            var (name, file, t1) in new[] { ("fig3b", "fig3b.stlp", 200.0), ("mlp-4-8-8-2", "mlp4882.stlp", 10.0) }
        )
        {
            var model = Repository.Sample(file);
            var derivation = Repository.Derive(model);
            var compiled = KernelFactory.Create(Lower.lower(derivation), null);
            var initial = InitialConditionsModule.complete(
                derivation,
                new FormulaSignals(model),
                model.ParameterValues
            );
            (double Wall, double Kernel, long Steps, long Calls) best = (double.MaxValue, 0, 0, 0);
            for (var run = 0; run < 3; run++)
            {
                var timed = new TimedKernel(compiled.Kernel);
                var system = new KernelSystem(timed, compiled.Program.ParameterDefaults);
                var y = initial.State.Q.Concat(initial.State.Qdot).ToArray();
                var watch = Stopwatch.StartNew();
                var stats = new DormandPrince(1e-8, 1e-10).Integrate(system, 0, y, t1, t1, (_, _) => { });
                var wall = watch.Elapsed.TotalSeconds;
                if (wall < best.Wall)
                {
                    best = (wall, (double)timed.Ticks / Stopwatch.Frequency, stats.Accepted, system.Evaluations);
                }
            }
            output.WriteLine(
                $"{name},{t1},{best.Steps},{best.Calls},{best.Wall * 1e3:F1},{best.Steps / best.Wall:F0},"
                    + $"{best.Kernel / best.Wall:P0},{best.Kernel / best.Calls * 1e6:F2}"
            );
        }
    }
}
