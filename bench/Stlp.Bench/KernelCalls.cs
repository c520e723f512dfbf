using System.Diagnostics;
using System.Runtime.InteropServices;
using Stlp.Codegen;
using Stlp.Model;
using Stlp.Runtime.Kernels;

namespace Stlp.Bench;

/// <summary>
/// Time per call of the generated kernels of fig3b, mlp4882 (4-8-8-2) and digits (64-32-10), for
/// before/after comparisons of the emitter: Evaluate and, where the kernel has one, the Jacobian.
/// After a warm-up long enough for tiered JIT to finish, 31 short batches: the median and the
/// fastest by wall clock, and the median by the calling thread's CPU time (on Linux), which a
/// machine shared with other work disturbs least.
/// </summary>
public static class KernelCalls
{
    [StructLayout(LayoutKind.Sequential)]
    private struct TimeSpec
    {
        public long Seconds;
        public long Nanoseconds;
    }

    [DllImport("libc", EntryPoint = "clock_gettime")]
    private static extern int ClockGetTime(int clock, out TimeSpec time);

    /// <summary>The calling thread's CPU time in microseconds (CLOCK_THREAD_CPUTIME_ID), or NaN off Linux.</summary>
    private static double ThreadMicroseconds()
    {
        if (!OperatingSystem.IsLinux() || ClockGetTime(3, out var time) != 0)
        {
            return double.NaN;
        }
        return time.Seconds * 1e6 + time.Nanoseconds / 1e3;
    }

    public static void Print(TextWriter output, IReadOnlyList<string> samples)
    {
        output.WriteLine(
            "model,coordinates,constraints,temporaries,compile_ms,us_per_evaluate,us_per_evaluate_min,us_per_evaluate_cpu,us_per_jacobian,us_per_jacobian_min,us_per_jacobian_cpu"
        );
        foreach (var sample in samples.Count > 0 ? samples : ["fig3b.stlp", "mlp4882.stlp", "digits.stlp"])
        {
            var model = Repository.Sample(sample);
            var watch = Stopwatch.StartNew();
            var compiled = KernelFactory.Create(Lower.lower(Repository.Derive(model)), null);
            var compile = watch.Elapsed.TotalMilliseconds;
            var kernel = compiled.Kernel;
            var n = kernel.CoordinateCount;
            var r = kernel.ConstraintCount;
            var random = new Random(1);
            var q = Enumerable.Range(0, n).Select(_ => random.NextDouble() - 0.5).ToArray();
            var qdot = Enumerable.Range(0, n).Select(_ => 0.1 * (random.NextDouble() - 0.5)).ToArray();
            var p = compiled.Program.ParameterDefaults;
            var s = Enumerable.Range(0, kernel.SignalCount).Select(_ => random.NextDouble()).ToArray();
            var qddot = new double[n];
            double[] lambda = new double[r],
                g = new double[r],
                gdot = new double[r];
            var evaluate = PerCall(() => kernel.Evaluate(0.3, q, qdot, p, s, qddot, lambda, g, gdot, out _));
            var jacobian = (Median: double.NaN, Min: double.NaN, Cpu: double.NaN);
            if (kernel is IJacobianKernel jk && n <= 400)
            {
                var j = new double[4 * n * n];
                jacobian = PerCall(() => jk.Jacobian(0.3, q, qdot, p, s, j));
            }
            output.WriteLine(
                $"{model.Name},{n},{r},{compiled.Program.Instructions.Length},{compile:F0},"
                    + $"{evaluate.Median:F2},{evaluate.Min:F2},{evaluate.Cpu:F2},"
                    + $"{jacobian.Median:F2},{jacobian.Min:F2},{jacobian.Cpu:F2}"
            );
        }
    }

    /// <summary>Microseconds per call: warm-up for about a second, then 31 short batches.</summary>
    internal static (double Median, double Min, double Cpu) PerCall(Action call)
    {
        var watch = Stopwatch.StartNew();
        var calls = 0;
        while (watch.Elapsed.TotalMilliseconds < 1000 || calls < 200)
        {
            call();
            calls++;
        }
        // Tier-1 compiles in the background: give it time, then call again.
        Thread.Sleep(300);
        for (var k = 0; k < 50; k++)
        {
            call();
        }
        var perBatch = Math.Max(1, (int)(calls * 0.03));
        var batches = new List<double>();
        var cpu = new List<double>();
        for (var b = 0; b < 31; b++)
        {
            var cpuStart = ThreadMicroseconds();
            watch.Restart();
            for (var k = 0; k < perBatch; k++)
            {
                call();
            }
            batches.Add(watch.Elapsed.TotalMicroseconds / perBatch);
            cpu.Add((ThreadMicroseconds() - cpuStart) / perBatch);
        }
        return (batches.Order().ElementAt(15), batches.Min(), cpu.Order().ElementAt(15));
    }

    /// <summary>
    /// Two calls timed side by side: a common warm-up, then 41 rounds of one batch of each, by
    /// the calling thread's CPU time. Returns each one's median microseconds per call and the
    /// median of the per-round ratios b/a: a machine whose speed drifts moves both batches of a
    /// round together, so the ratio holds still where two separate timings would not.
    /// </summary>
    internal static (double A, double B, double Ratio) Paired(Action a, Action b)
    {
        var watch = Stopwatch.StartNew();
        var calls = 0;
        while (watch.Elapsed.TotalMilliseconds < 1000 || calls < 200)
        {
            a();
            b();
            calls++;
        }
        Thread.Sleep(300);
        var perBatch = Math.Max(1, (int)(calls * 0.02));
        List<double> timesA = [],
            timesB = [],
            ratios = [];
        for (var round = 0; round < 41; round++)
        {
            var start = ThreadMicroseconds();
            for (var k = 0; k < perBatch; k++)
            {
                a();
            }
            var middle = ThreadMicroseconds();
            for (var k = 0; k < perBatch; k++)
            {
                b();
            }
            var end = ThreadMicroseconds();
            timesA.Add((middle - start) / perBatch);
            timesB.Add((end - middle) / perBatch);
            ratios.Add((end - middle) / (middle - start));
        }
        return (timesA.Order().ElementAt(20), timesB.Order().ElementAt(20), ratios.Order().ElementAt(20));
    }
}
