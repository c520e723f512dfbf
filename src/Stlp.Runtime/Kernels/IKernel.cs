namespace Stlp.Runtime.Kernels;

/// <summary>
/// The contract every kernel implements, generated, interpreted or hand-written: the constrained
/// Euler–Lagrange system of one model evaluated at a state. Spans in, spans out; an
/// implementation allocates nothing per call and is not thread-safe (it may keep scratch space).
/// Coordinates, constraints, parameters and signals are in the order of the model's IR; names
/// live with the host, never in a kernel.
/// </summary>
public interface IKernel
{
    int CoordinateCount { get; }
    int ConstraintCount { get; }
    int ParameterCount { get; }

    /// <summary>Signal values the runtime supplies (data-set signals), in the IR's order.</summary>
    int SignalCount { get; }

    /// <summary>
    /// Accelerations <c>qddot</c>, normalized multipliers <c>lambda~ = lambda/varpi</c>, the
    /// residuals <c>G</c> and <c>Gdot</c>, and the dissipation <c>varpi(t)</c>.
    /// </summary>
    void Evaluate(
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
    );
}
