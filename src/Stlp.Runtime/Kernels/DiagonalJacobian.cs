namespace Stlp.Runtime.Kernels;

/// <summary>
/// Assembles columns of the acceleration Jacobian from forward-mode tangents when H~ is diagonal.
/// With acc = f~ - G_q' lambda~ and qddot = acc / h:
///   A dlambda = db - dA lambda,
///   dqddot_i = -dh_i / h_i^2 acc_i + (df~_i - sum_j (dG_q[j,i] lambda_j + G_q[j,i] dlambda_j)) / h_i.
/// The tables say which temporary holds which entry; <c>w</c> holds the values, <c>dw</c> their
/// derivatives along one direction. Used by generated kernels and the interpreter alike.
/// </summary>
public sealed class DiagonalJacobian(
    int n,
    int r,
    int[] hSlot,
    int[] fSlot,
    int[] gqRow,
    int[] gqColumn,
    int[] gqSlot,
    int[] aRow,
    int[] aColumn,
    int[] aSlot,
    int[] bSlot
)
{
    private readonly double[] factor = new double[r * r];
    private readonly double[] lambda = new double[r];
    private readonly double[] acc = new double[n];
    private readonly double[] rhs = new double[r];

    /// <summary>Factors A and forms acc = f~ - G_q' lambda~ at the primal point.</summary>
    public void Prepare(double t, double[] w, ReadOnlySpan<double> lambdaNormalized)
    {
        lambdaNormalized.CopyTo(lambda);
        Array.Clear(factor);
        for (var e = 0; e < aSlot.Length; e++)
        {
            factor[aColumn[e] * r + aRow[e]] = w[aSlot[e]];
        }
        var pivot = DenseCholesky.Factor(factor, r);
        if (pivot >= 0)
        {
            throw new NumericalFailure(t, $"A[{pivot},{pivot}]", "non-positive pivot of the multiplier matrix");
        }
        for (var i = 0; i < n; i++)
        {
            acc[i] = w[fSlot[i]];
        }
        for (var e = 0; e < gqSlot.Length; e++)
        {
            acc[gqColumn[e]] -= w[gqSlot[e]] * lambda[gqRow[e]];
        }
    }

    /// <summary>Writes column <paramref name="k"/> of the bottom half of the 2n x 2n Jacobian.</summary>
    public void Column(double[] w, double[] dw, int k, Span<double> jacobian)
    {
        for (var j = 0; j < r; j++)
        {
            rhs[j] = dw[bSlot[j]];
        }
        for (var e = 0; e < aSlot.Length; e++)
        {
            var d = dw[aSlot[e]];
            rhs[aRow[e]] -= d * lambda[aColumn[e]];
            if (aRow[e] != aColumn[e])
            {
                rhs[aColumn[e]] -= d * lambda[aRow[e]];
            }
        }
        DenseCholesky.Solve(factor, r, rhs);
        var size = 2 * n;
        for (var i = 0; i < n; i++)
        {
            jacobian[(n + i) * size + k] = dw[fSlot[i]];
        }
        for (var e = 0; e < gqSlot.Length; e++)
        {
            jacobian[(n + gqColumn[e]) * size + k] -= dw[gqSlot[e]] * lambda[gqRow[e]] + w[gqSlot[e]] * rhs[gqRow[e]];
        }
        for (var i = 0; i < n; i++)
        {
            var h = w[hSlot[i]];
            var cell = (n + i) * size + k;
            jacobian[cell] = jacobian[cell] / h - dw[hSlot[i]] / (h * h) * acc[i];
        }
    }

    /// <summary>The top half [0 I] of the Jacobian.</summary>
    public static void Identity(int n, Span<double> jacobian)
    {
        jacobian.Clear();
        for (var i = 0; i < n; i++)
        {
            jacobian[i * 2 * n + n + i] = 1.0;
        }
    }
}
