using System.Diagnostics;
using Stlp.Runtime.Integration;

namespace Stlp.Bench;

/// <summary>
/// The seven vector passes of one dopri5 step (the six stage sums and the error estimate) at a
/// Fashion-MNIST state's size: <see cref="StageSums"/> against the plain scalar loops, side by
/// side in one run (milliseconds per step, the fastest of 20 batches after a warm-up).
/// </summary>
public static class StageSumsTiming
{
    public static void Print(TextWriter output, int m = 160_588)
    {
        var random = new Random(1);
        double[] Vector() => [.. Enumerable.Range(0, m).Select(_ => random.NextDouble())];
        double[] y = Vector(),
            r = new double[m];
        double[][] k = [Vector(), Vector(), Vector(), Vector(), Vector(), Vector(), Vector()];
        const double h = 0.01;
        void Vectorized()
        {
            StageSums.Combine(r, y, h, [0.2], [k[0]]);
            StageSums.Combine(r, y, h, [0.1, 0.2], [k[0], k[1]]);
            StageSums.Combine(r, y, h, [0.1, 0.2, 0.3], [k[0], k[1], k[2]]);
            StageSums.Combine(r, y, h, [0.1, 0.2, 0.3, 0.4], [k[0], k[1], k[2], k[3]]);
            StageSums.Combine(r, y, h, [0.1, 0.2, 0.3, 0.4, 0.5], [k[0], k[1], k[2], k[3], k[4]]);
            StageSums.Combine(r, y, h, [0.1, 0.2, 0.3, 0.4, 0.5], [k[0], k[2], k[3], k[4], k[5]]);
            StageSums.Combine(r, h, [0.1, 0.2, 0.3, 0.4, 0.5, 0.6], [k[0], k[2], k[3], k[4], k[5], k[6]]);
        }
        void Scalar()
        {
            double[] k1 = k[0],
                k2 = k[1],
                k3 = k[2],
                k4 = k[3],
                k5 = k[4],
                k6 = k[5],
                k7 = k[6];
            for (var i = 0; i < m; i++)
                r[i] = y[i] + h * 0.2 * k1[i];
            for (var i = 0; i < m; i++)
                r[i] = y[i] + h * (0.1 * k1[i] + 0.2 * k2[i]);
            for (var i = 0; i < m; i++)
                r[i] = y[i] + h * (0.1 * k1[i] + 0.2 * k2[i] + 0.3 * k3[i]);
            for (var i = 0; i < m; i++)
                r[i] = y[i] + h * (0.1 * k1[i] + 0.2 * k2[i] + 0.3 * k3[i] + 0.4 * k4[i]);
            for (var i = 0; i < m; i++)
                r[i] = y[i] + h * (0.1 * k1[i] + 0.2 * k2[i] + 0.3 * k3[i] + 0.4 * k4[i] + 0.5 * k5[i]);
            for (var i = 0; i < m; i++)
                r[i] = y[i] + h * (0.1 * k1[i] + 0.2 * k3[i] + 0.3 * k4[i] + 0.4 * k5[i] + 0.5 * k6[i]);
            for (var i = 0; i < m; i++)
                r[i] = h * (0.1 * k1[i] + 0.2 * k3[i] + 0.3 * k4[i] + 0.4 * k5[i] + 0.5 * k6[i] + 0.6 * k7[i]);
        }
        static double Milliseconds(Action step)
        {
            var warm = Stopwatch.StartNew();
            while (warm.ElapsedMilliseconds < 1500)
            {
                step();
            }
            Thread.Sleep(200);
            var best = double.MaxValue;
            for (var batch = 0; batch < 20; batch++)
            {
                var watch = Stopwatch.StartNew();
                for (var j = 0; j < 10; j++)
                {
                    step();
                }
                best = Math.Min(best, watch.Elapsed.TotalMilliseconds / 10);
            }
            return best;
        }
        var vectorized = Milliseconds(Vectorized);
        var scalar = Milliseconds(Scalar);
        output.WriteLine("entries,stage_sums_ms_per_step,scalar_loops_ms_per_step,ratio");
        output.WriteLine($"{m},{vectorized:F3},{scalar:F3},{scalar / vectorized:F2}");
    }
}
