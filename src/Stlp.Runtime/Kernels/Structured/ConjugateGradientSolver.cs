using System.Numerics.Tensors;

namespace Stlp.Runtime.Kernels.Structured;

/// <summary>
/// Matrix-free conjugate gradients on a multiplier matrix (a layered network's, or any network's
/// rows), each product two passes along the edges and a diagonal, optionally
/// preconditioned by the diagonal of A (Jacobi). Converged when the true residual
/// |b - A lambda| is at most <see cref="Tolerance"/> |b| (the recurrence residual is checked
/// each iteration, the true one on reaching it; a gap restarts from the true residual).
/// Buffers are allocated once, in the constructor.
/// </summary>
public sealed class ConjugateGradientSolver
{
    private readonly IMultiplierOperator net;
    private readonly double[] r;
    private readonly double[] z;
    private readonly double[] p;
    private readonly double[] q;
    private readonly double[] inverseDiagonal;

    /// <param name="tolerance">relative residual to reach, |b - A lambda| / |b|.</param>
    /// <param name="maxIterations">products with A allowed (0: 10 N, at least 100).</param>
    /// <param name="jacobi">precondition with diag(A)^-1.</param>
    public ConjugateGradientSolver(
        IMultiplierOperator network,
        double tolerance = 1e-12,
        int maxIterations = 0,
        bool jacobi = true
    )
    {
        net = network ?? throw new ArgumentNullException(nameof(network));
        if (!(tolerance > 0))
        {
            throw new ArgumentOutOfRangeException(nameof(tolerance), tolerance, "must be positive");
        }
        ArgumentOutOfRangeException.ThrowIfNegative(maxIterations);
        var n = net.Size;
        Tolerance = tolerance;
        MaxIterations = maxIterations > 0 ? maxIterations : Math.Max(100, 10 * n);
        Jacobi = jacobi;
        r = new double[n];
        z = new double[n];
        p = new double[n];
        q = new double[n];
        inverseDiagonal = new double[n];
    }

    public double Tolerance { get; }

    public int MaxIterations { get; }

    public bool Jacobi { get; }

    /// <summary>Iterations (products with A, restarts' residuals excluded) of the last solve.</summary>
    public int Iterations { get; private set; }

    /// <summary>The true relative residual |b - A lambda| / |b| the last solve reached.</summary>
    public double RelativeResidual { get; private set; }

    /// <summary>
    /// Solves A lambda = b, from lambda = 0 or, with <paramref name="initialGuess"/>, from the
    /// given lambda. <paramref name="lambda"/> must not overlap <paramref name="b"/>.
    /// </summary>
    /// <returns>the iterations taken.</returns>
    /// <exception cref="NumericalFailure">
    /// A non-positive diagonal entry (Jacobi), a direction of non-positive curvature p'Ap (A is
    /// not positive definite), or no convergence within <see cref="MaxIterations"/>.
    /// </exception>
    public int Solve(double t, ReadOnlySpan<double> b, Span<double> lambda, bool initialGuess = false)
    {
        var n = net.Size;
        Iterations = 0;
        if (Jacobi)
        {
            net.Diagonal(inverseDiagonal);
            for (var j = 0; j < n; j++)
            {
                var a = inverseDiagonal[j];
                if (!(a > 0))
                {
                    throw new NumericalFailure(
                        t,
                        $"A[{j},{j}] ({net.Describe(j)})",
                        $"non-positive diagonal ({a:R}) of the multiplier matrix: no Jacobi preconditioner"
                    );
                }
                inverseDiagonal[j] = 1 / a;
            }
        }
        var bNorm = Math.Sqrt(TensorPrimitives.Dot(b, b));
        if (!initialGuess)
        {
            lambda[..n].Clear();
        }
        if (bNorm == 0)
        {
            lambda[..n].Clear();
            RelativeResidual = 0;
            return 0;
        }
        var target = Tolerance * bNorm;
        while (true)
        {
            // r = b - A lambda (the true residual).
            net.Multiply(lambda, q);
            for (var j = 0; j < n; j++)
            {
                r[j] = b[j] - q[j];
            }
            var rNorm = Math.Sqrt(TensorPrimitives.Dot(r, r));
            RelativeResidual = rNorm / bNorm;
            if (rNorm <= target)
            {
                return Iterations;
            }
            if (Iterations >= MaxIterations)
            {
                throw new NumericalFailure(
                    t,
                    "A (conjugate gradients)",
                    $"no convergence in {MaxIterations} iterations: relative residual {RelativeResidual:R} > {Tolerance:R}"
                );
            }
            Precondition();
            z.CopyTo(p, 0);
            var rz = TensorPrimitives.Dot(r, z);
            while (Iterations < MaxIterations)
            {
                net.Multiply(p, q);
                Iterations++;
                var pq = TensorPrimitives.Dot(p, q);
                if (!(pq > 0))
                {
                    throw new NumericalFailure(
                        t,
                        "A (conjugate gradients)",
                        $"non-positive curvature p'Ap = {pq:R} at iteration {Iterations}: the multiplier matrix is not positive definite"
                    );
                }
                var alpha = rz / pq;
                TensorPrimitives.MultiplyAdd(p, alpha, lambda, lambda);
                TensorPrimitives.MultiplyAdd(q, -alpha, r, r);
                if (Math.Sqrt(TensorPrimitives.Dot(r, r)) <= target)
                {
                    break;
                }
                Precondition();
                var rzNext = TensorPrimitives.Dot(r, z);
                var beta = rzNext / rz;
                rz = rzNext;
                for (var j = 0; j < n; j++)
                {
                    p[j] = z[j] + beta * p[j];
                }
            }
        }
    }

    private void Precondition()
    {
        if (Jacobi)
        {
            for (var j = 0; j < r.Length; j++)
            {
                z[j] = inverseDiagonal[j] * r[j];
            }
        }
        else
        {
            r.CopyTo(z, 0);
        }
    }
}
