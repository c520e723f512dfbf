using Stlp.Runtime.Kernels;

namespace Stlp.Runtime.Integration;

/// <summary>
/// Turns a kernel's failure at (t, q, qdot, parameters, signals) into one that names its cause (a
/// non-finite input or intermediate quantity rather than the pivot that it broke).
/// </summary>
public delegate NumericalFailure FailureExplainer(
    NumericalFailure failure,
    double t,
    ReadOnlySpan<double> q,
    ReadOnlySpan<double> qdot,
    ReadOnlySpan<double> parameters,
    ReadOnlySpan<double> signals
);

/// <summary>
/// The first-order system y = (q, qdot), y' = (qdot, qddot(t, q, qdot)) over a kernel; keeps the
/// multipliers and residuals of the last evaluation for recording.
/// </summary>
public sealed class KernelSystem
{
    private readonly IKernel kernel;
    private readonly double[] parameters;
    private readonly double[] signals;

    private readonly Action<double, double[]>? fillSignals;

    /// <param name="fillSignals">Writes the kernel's signal inputs at time t (data-set signals).</param>
    public KernelSystem(IKernel kernel, double[] parameters, Action<double, double[]>? fillSignals = null)
    {
        this.fillSignals = fillSignals;
        this.kernel = kernel;
        this.parameters = parameters;
        signals = new double[kernel.SignalCount];
        N = kernel.CoordinateCount;
        LambdaNormalized = new double[kernel.ConstraintCount];
        G = new double[kernel.ConstraintCount];
        Gdot = new double[kernel.ConstraintCount];
    }

    /// <summary>The parameter values the kernel is called with, in its order.</summary>
    public ReadOnlySpan<double> Parameters => parameters;

    /// <summary>The kernel's signal inputs at <paramref name="t"/>, as a right-hand side fills them (a fresh array).</summary>
    public double[] SignalsAt(double t)
    {
        var values = new double[signals.Length];
        fillSignals?.Invoke(t, values);
        return values;
    }

    /// <summary>Number of coordinates; the state has 2N entries.</summary>
    public int N { get; }
    public double[] LambdaNormalized { get; }
    public double[] G { get; }
    public double[] Gdot { get; }
    public double Varpi { get; private set; }

    /// <summary>The coordinates' names, for failures (null: by index).</summary>
    public IReadOnlyList<string>? CoordinateNames { get; init; }

    /// <summary>Names the cause of a kernel's numerical failure (null: the kernel's own message).</summary>
    public FailureExplainer? Explain { get; init; }

    /// <summary>Where the signals switch, for integrators to step through carefully (null: nowhere).</summary>
    public TransitionWindows? Windows { get; init; }

    /// <summary>The step an adaptive integrator may take from t, given the one it proposes.</summary>
    public double LimitStep(double t, double h) => Windows?.Limit(t, h) ?? h;

    public long Evaluations { get; private set; }

    /// <summary>Jacobians d(qdot, qddot)/d(q, qdot) taken (by the implicit integrators).</summary>
    public long JacobianEvaluations { get; private set; }

    /// <summary>Time each kernel call (a clock read per call), for profiles that split kernel time from the rest.</summary>
    public bool TimeKernelCalls { get; init; }

    /// <summary>Ticks of <see cref="System.Diagnostics.Stopwatch"/> spent in kernel calls, when timed.</summary>
    public long KernelTicks { get; private set; }

    /// <summary>Zeroes the counters, before a new integration of the same system.</summary>
    public void ResetStatistics() => (Evaluations, JacobianEvaluations, KernelTicks) = (0, 0, 0);

    /// <summary>
    /// d(qdot, qddot)/d(q, qdot) at (t, y), 2N x 2N row-major: the kernel's own Jacobian when it
    /// has one (generated tangent code), else central differences of the kernel.
    /// </summary>
    public void Jacobian(double t, ReadOnlySpan<double> y, Span<double> jacobian)
    {
        fillSignals?.Invoke(t, signals);
        JacobianEvaluations++;
        try
        {
            if (kernel is IJacobianKernel withJacobian)
            {
                withJacobian.Jacobian(t, y[..N], y[N..], parameters, signals, jacobian);
            }
            else
            {
                FiniteDifferenceJacobian.Compute(kernel, t, y[..N], y[N..], parameters, signals, jacobian);
            }
        }
        catch (NumericalFailure e) when (Explain is not null)
        {
            throw Explain(e, t, y[..N], y[N..], parameters, signals);
        }
    }

    public void Derivative(double t, ReadOnlySpan<double> y, Span<double> dydt)
    {
        y[N..].CopyTo(dydt[..N]);
        fillSignals?.Invoke(t, signals);
        var start = TimeKernelCalls ? System.Diagnostics.Stopwatch.GetTimestamp() : 0;
        double varpi;
        try
        {
            kernel.Evaluate(t, y[..N], y[N..], parameters, signals, dydt[N..], LambdaNormalized, G, Gdot, out varpi);
        }
        catch (NumericalFailure e) when (Explain is not null)
        {
            throw Explain(e, t, y[..N], y[N..], parameters, signals);
        }
        if (TimeKernelCalls)
        {
            KernelTicks += System.Diagnostics.Stopwatch.GetTimestamp() - start;
        }
        Varpi = varpi;
        Evaluations++;
    }
}
