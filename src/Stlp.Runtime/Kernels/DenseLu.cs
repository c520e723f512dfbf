namespace Stlp.Runtime.Kernels;

/// <summary>
/// In-place LU factorization with partial pivoting of a dense row-major n x n matrix, and the
/// solve with it: for the (I/(gamma h) - J) systems of the Rosenbrock integrator, which are not
/// symmetric.
/// </summary>
public static class DenseLu
{
    /// <summary>Factors <paramref name="a"/> in place; false when a pivot is zero (singular).</summary>
    public static bool Factor(Span<double> a, int n, Span<int> pivots)
    {
        for (var k = 0; k < n; k++)
        {
            var p = k;
            var largest = Math.Abs(a[k * n + k]);
            for (var i = k + 1; i < n; i++)
            {
                var v = Math.Abs(a[i * n + k]);
                if (v > largest)
                {
                    largest = v;
                    p = i;
                }
            }
            pivots[k] = p;
            if (largest == 0 || !double.IsFinite(largest))
            {
                return false;
            }
            if (p != k)
            {
                for (var j = 0; j < n; j++)
                {
                    (a[k * n + j], a[p * n + j]) = (a[p * n + j], a[k * n + j]);
                }
            }
            var inverse = 1.0 / a[k * n + k];
            for (var i = k + 1; i < n; i++)
            {
                var factor = a[i * n + k] * inverse;
                a[i * n + k] = factor;
                if (factor == 0)
                {
                    continue;
                }
                for (var j = k + 1; j < n; j++)
                {
                    a[i * n + j] -= factor * a[k * n + j];
                }
            }
        }
        return true;
    }

    /// <summary>Solves A x = b in place with the factors from <see cref="Factor"/>.</summary>
    public static void Solve(ReadOnlySpan<double> lu, int n, ReadOnlySpan<int> pivots, Span<double> b)
    {
        for (var k = 0; k < n; k++)
        {
            if (pivots[k] != k)
            {
                (b[k], b[pivots[k]]) = (b[pivots[k]], b[k]);
            }
        }
        for (var i = 1; i < n; i++)
        {
            var s = b[i];
            for (var j = 0; j < i; j++)
            {
                s -= lu[i * n + j] * b[j];
            }
            b[i] = s;
        }
        for (var i = n - 1; i >= 0; i--)
        {
            var s = b[i];
            for (var j = i + 1; j < n; j++)
            {
                s -= lu[i * n + j] * b[j];
            }
            b[i] = s / lu[i * n + i];
        }
    }
}
