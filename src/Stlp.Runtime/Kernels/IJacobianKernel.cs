namespace Stlp.Runtime.Kernels;

/// <summary>
/// A kernel that also gives the Jacobian of the first-order right-hand side
/// y' = (qdot, qddot(t, q, qdot)), for implicit integrators.
/// </summary>
public interface IJacobianKernel : IKernel
{
    /// <summary>
    /// J = d(qdot, qddot) / d(q, qdot), 2n x 2n, row-major: the top half is [0 I], the bottom
    /// half the derivatives of the accelerations.
    /// </summary>
    void Jacobian(
        double t,
        ReadOnlySpan<double> q,
        ReadOnlySpan<double> qdot,
        ReadOnlySpan<double> parameters,
        ReadOnlySpan<double> signals,
        Span<double> jacobian
    );
}
