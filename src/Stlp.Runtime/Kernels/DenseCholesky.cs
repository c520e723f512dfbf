namespace Stlp.Runtime.Kernels;

/// <summary>
/// In-place dense Cholesky for the symmetric positive definite systems of the kernels (the
/// multiplier matrix beyond the unrolled sizes, and H~ when it is not diagonal). Row-major
/// storage, lower triangle used. The loop order is the one the unrolled code follows, so both
/// give the same floating-point result.
/// </summary>
public static class DenseCholesky
{
    /// <summary>
    /// A pivot at most this fraction of its diagonal entry counts as non-positive: the matrix is
    /// singular to working precision (dependent constraints), not merely ill-conditioned.
    /// </summary>
    public const double RelativePivot = 1e-13;

    /// <summary>Factors <paramref name="a"/> = L L' in place (L in the lower triangle).</summary>
    /// <returns>-1 on success, else the index of the first non-positive pivot.</returns>
    public static int Factor(Span<double> a, int n)
    {
        for (var j = 0; j < n; j++)
        {
            var diagonal = a[j * n + j];
            var d = diagonal;
            for (var k = 0; k < j; k++)
            {
                d -= a[j * n + k] * a[j * n + k];
            }
            if (!(d > RelativePivot * diagonal))
            {
                return j;
            }
            d = Math.Sqrt(d);
            a[j * n + j] = d;
            for (var i = j + 1; i < n; i++)
            {
                var v = a[i * n + j];
                for (var k = 0; k < j; k++)
                {
                    v -= a[i * n + k] * a[j * n + k];
                }
                a[i * n + j] = v / d;
            }
        }
        return -1;
    }

    /// <summary>Solves L L' x = b in place, with L from <see cref="Factor"/>.</summary>
    public static void Solve(ReadOnlySpan<double> l, int n, Span<double> b)
    {
        for (var i = 0; i < n; i++)
        {
            var v = b[i];
            for (var k = 0; k < i; k++)
            {
                v -= l[i * n + k] * b[k];
            }
            b[i] = v / l[i * n + i];
        }
        for (var i = n - 1; i >= 0; i--)
        {
            var v = b[i];
            for (var k = i + 1; k < n; k++)
            {
                v -= l[k * n + i] * b[k];
            }
            b[i] = v / l[i * n + i];
        }
    }
}
