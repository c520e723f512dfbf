namespace Stlp.Runtime.Integration;

/// <summary>What an integrator reports at each requested output time.</summary>
public delegate void OutputHandler(double t, ReadOnlySpan<double> y);

/// <summary>Counts and the smallest step, for the run summary.</summary>
public sealed class IntegrationStatistics
{
    public long Accepted { get; set; }
    public long Rejected { get; set; }
    public double SmallestStep { get; set; } = double.PositiveInfinity;
}

/// <summary>A numerical failure during integration: the time, the step and the quantity.</summary>
public sealed class IntegrationFailure(double time, long step, string quantity, string message)
    : Exception($"at t = {time:R} (step {step}): {quantity}: {message}")
{
    public double Time { get; } = time;
    public long Step { get; } = step;
    public string Quantity { get; } = quantity;
}

internal static class StateChecks
{
    /// <summary>Throws an <see cref="IntegrationFailure"/> naming the first non-finite entry of the state (by name when the system has them).</summary>
    public static void Finite(double t, long step, ReadOnlySpan<double> y, KernelSystem s)
    {
        var n = s.N;
        for (var i = 0; i < y.Length; i++)
        {
            if (!double.IsFinite(y[i]))
            {
                var what = i < n ? $"q[{i}]" : $"qdot[{i - n}]";
                if (s.CoordinateNames is { } names && names.Count == n)
                {
                    what = i < n ? $"coordinate '{names[i]}'" : $"velocity of '{names[i - n]}'";
                }
                throw new IntegrationFailure(t, step, what, $"became {y[i]}");
            }
        }
    }
}

/// <summary>Classic fourth-order Runge–Kutta with a fixed step; outputs at multiples of the output interval.</summary>
public static class Rk4
{
    public static void Step(
        KernelSystem s,
        double t,
        double[] y,
        double h,
        double[] k1,
        double[] k2,
        double[] k3,
        double[] k4,
        double[] tmp
    )
    {
        var m = y.Length;
        s.Derivative(t, y, k1);
        for (var i = 0; i < m; i++)
            tmp[i] = y[i] + 0.5 * h * k1[i];
        s.Derivative(t + 0.5 * h, tmp, k2);
        for (var i = 0; i < m; i++)
            tmp[i] = y[i] + 0.5 * h * k2[i];
        s.Derivative(t + 0.5 * h, tmp, k3);
        for (var i = 0; i < m; i++)
            tmp[i] = y[i] + h * k3[i];
        s.Derivative(t + h, tmp, k4);
        for (var i = 0; i < m; i++)
            y[i] += h / 6.0 * (k1[i] + 2 * k2[i] + 2 * k3[i] + k4[i]);
    }

    /// <summary>Integrates from t0 to t1 with step h (the last step shortened to land on t1).</summary>
    public static IntegrationStatistics Integrate(
        KernelSystem s,
        double t0,
        double[] y,
        double t1,
        double h,
        double outputEvery,
        OutputHandler output,
        Action<double, double[]>? afterStep = null,
        CancellationToken cancel = default
    )
    {
        var m = y.Length;
        double[] k1 = new double[m],
            k2 = new double[m],
            k3 = new double[m],
            k4 = new double[m],
            tmp = new double[m];
        var stats = new IntegrationStatistics();
        var t = t0;
        output(t, y);
        long outputIndex = 1;
        var slack = 1e-9 * outputEvery;
        var lastOutput = t0;
        while (t < t1 - 1e-12 * Math.Max(1, Math.Abs(t1)) && !cancel.IsCancellationRequested)
        {
            // Times as t0 + k h, not accumulated sums; the last step lands on t1 exactly.
            var next = Math.Min(t0 + (stats.Accepted + 1) * h, t1);
            if (t1 - next < 1e-9 * h)
            {
                next = t1;
            }
            var step = next - t;
            Rk4.Step(s, t, y, step, k1, k2, k3, k4, tmp);
            t = next;
            stats.Accepted++;
            stats.SmallestStep = Math.Min(stats.SmallestStep, step);
            StateChecks.Finite(t, stats.Accepted, y, s);
            afterStep?.Invoke(t, y);
            // Fixed steps: output at the first step end at or past each output time.
            var due = t >= t0 + outputIndex * outputEvery - slack;
            var atEnd = t >= t1 - 1e-12 * Math.Max(1, Math.Abs(t1));
            if (due || (atEnd && t - lastOutput > slack))
            {
                output(t, y);
                lastOutput = t;
                while (t0 + outputIndex * outputEvery <= t + slack)
                {
                    outputIndex++;
                }
            }
        }
        return stats;
    }
}
