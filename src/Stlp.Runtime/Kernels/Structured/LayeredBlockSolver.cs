using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;

namespace Stlp.Runtime.Kernels.Structured;

/// <summary>
/// Solves A lambda = b for the multiplier matrix of a layered network (equations.md §6.1) by
/// block Gaussian elimination over the layers. A is block tridiagonal:
/// A_00 = I/m_x, A_ll = (I + S_l W_l W_l' S_l)/m_x + D_l/m_W, A_{l,l-1} = -S_l W_l/m_x, and the
/// Schur complements Sigma_l = A_ll - A_{l,l-1} Sigma_{l-1}^-1 A_{l-1,l} are those of §6.1:
/// Sigma_0 = I/m_x, Sigma_1 = I/m_x + D_1/m_W (diagonal), and for l &gt;= 2
/// Sigma_l = I/m_x + D_l/m_W + S_l W_l (I - Sigma_{l-1}^-1/m_x) W_l' S_l / m_x.
/// <para>
/// The solver works with the scaled complements P_l = m_x Sigma_l = I + R_l,
/// R_l = c D_l + S_l W_l K_{l-1} W_l' S_l (c = m_x/m_W), and K_l = I - P_l^-1 applied as
/// P_l^-1 R_l (an LDL' solve), never as a difference: as c -&gt; 0, K_l -&gt; 0 without the
/// cancellation that I - P_l^-1 would suffer. K_0 = 0, K_1 = diag(c d_j/(1 + c d_j)).
/// </para>
/// <para>
/// Cost of <see cref="Factor"/>: O(edges) for the first two layers, then per layer l &gt;= 2
/// about n_l^2 n_{l-1} + n_l^3/3, plus for l &gt;= 3 the product W_l K_{l-1} taken as
/// (P_{l-1}^-1 W_l')' R_{l-1}, 2 n_l n_{l-1}^2: K_l itself is never formed (n_l^3).
/// <see cref="Solve(ReadOnlySpan{double}, Span{double})"/> is two sweeps over the edges plus
/// two triangular solves per dense layer. Buffers are allocated once, in the constructor.
/// </para>
/// </summary>
public sealed class LayeredBlockSolver
{
    private readonly LayeredNetwork net;

    // factors[l]: l = 1 the diagonal P_1 (n_1), l >= 2 the LDL' factor of P_l (n_l^2);
    // inverseDiagonals[l]: the reciprocals of P_1, or of D (n_l).
    private readonly double[][] factors;
    private readonly double[][] inverseDiagonals;

    // k[l]: l = 1 the diagonal K_1, l >= 2 R_l (n_l^2); K_l = P_l^-1 R_l is applied, never stored.
    private readonly double[][] k;
    private readonly double[] y;
    private readonly double[] wk;
    private readonly double[] solved;
    private readonly double[] column;
    private readonly double[] reference;

    public LayeredBlockSolver(LayeredNetwork network)
    {
        net = network ?? throw new ArgumentNullException(nameof(network));
        var layers = net.LayerCount;
        factors = new double[layers][];
        inverseDiagonals = new double[layers][];
        k = new double[layers][];
        var maxProduct = 0;
        var maxSize = 0;
        for (var l = 0; l < layers; l++)
        {
            var n = net.Size(l);
            maxSize = Math.Max(maxSize, n);
            inverseDiagonals[l] = l >= 1 ? new double[n] : [];
            if (l == 1)
            {
                factors[l] = new double[n];
                k[l] = new double[n];
            }
            else if (l >= 2)
            {
                factors[l] = new double[n * n];
                k[l] = new double[n * n];
                maxProduct = Math.Max(maxProduct, n * net.Size(l - 1));
            }
            else
            {
                factors[l] = [];
                k[l] = [];
            }
        }
        y = new double[net.NeuronCount];
        wk = new double[maxProduct];
        solved = new double[maxProduct];
        column = new double[maxSize];
        reference = new double[maxSize];
    }

    /// <summary>Whether <see cref="Factor"/> has succeeded since construction.</summary>
    public bool IsFactored { get; private set; }

    /// <summary>Factors and solves: A lambda = b. <paramref name="lambda"/> may be <paramref name="b"/>.</summary>
    public void Solve(double t, ReadOnlySpan<double> b, Span<double> lambda)
    {
        Factor(t);
        Solve(b, lambda);
    }

    /// <summary>
    /// Eliminates the layers with the network's current weights, slopes, d and masses.
    /// </summary>
    /// <exception cref="NumericalFailure">
    /// A Schur complement has a non-positive pivot (A is not positive definite); the quantity
    /// names the layer, the neuron within it and its global index.
    /// </exception>
    public void Factor(double t) => Factor(t, default, sweep: false);

    /// <summary>
    /// <see cref="Factor(double)"/> and <see cref="ForwardSweep"/> of <paramref name="b"/> in one
    /// pass over the layers (each weight row read once for both): the same values, bit for bit.
    /// </summary>
    public void Factor(double t, ReadOnlySpan<double> b)
    {
        if (b.Length < net.NeuronCount)
        {
            throw new ArgumentException($"b has fewer than the network's {net.NeuronCount} rows", nameof(b));
        }
        Factor(t, b, sweep: true);
    }

    private void Factor(double t, ReadOnlySpan<double> b, bool sweep)
    {
        IsFactored = false;
        var layers = net.LayerCount;
        var c = net.MassX / net.MassW;
        var sp = net.SigmaPrime;
        var d = net.D;

        // Layer 1: P_1 = I + c D_1, K_1 = c D_1 P_1^-1 (the inputs' rows cancel S_1 W_1 W_1' S_1).
        {
            int n = net.Size(1),
                o = net.Offset(1);
            var p1 = factors[1];
            var k1 = k[1];
            for (var i = 0; i < n; i++)
            {
                var cd = c * d[o + i];
                var p = 1 + cd;
                if (!(p > DenseCholesky.RelativePivot * (1 + Math.Abs(cd))))
                {
                    throw Pivot(t, 1, i, p);
                }
                p1[i] = p;
                inverseDiagonals[1][i] = 1 / p;
                k1[i] = cd / p;
            }
            if (sweep)
            {
                b[..net.Size(0)].CopyTo(y);
                SweepLayer(1, b);
                ApplyInverse(1, y.AsSpan(o, n));
            }
        }

        for (var l = 2; l < layers; l++)
        {
            int n = net.Size(l),
                m = net.Size(l - 1),
                o = net.Offset(l);
            var w = net.Weights(l);
            var r = k[l];
            var kPrevious = k[l - 1];
            // wk = S_l W_l K_{l-1} (n x m), the row scaling S_l folded in here and the column
            // scaling of R below: no pass of its own over W_l.
            if (l == 2)
            {
                // K_1 diagonal: W K_1 scales the columns.
                for (var i = 0; i < n; i++)
                {
                    SmallDense.ScaledProduct(sp[o + i], w.AsSpan(i * m, m), kPrevious, wk.AsSpan(i * m, m));
                }
            }
            else
            {
                // S W K_{l-1} = (P_{l-1}^-1 W' S)' R_{l-1}: K_{l-1} itself (m^3) is never formed,
                // which saves most of the work when n < m. R_{l-1} is symmetric.
                for (var i = 0; i < n; i++)
                {
                    var v = solved.AsSpan(i * m, m);
                    var si = sp[o + i];
                    var row = w.AsSpan(i * m, m);
                    for (var q = 0; q < m; q++)
                    {
                        v[q] = si * row[q];
                    }
                }
                SmallDense.LdlSolve(factors[l - 1], inverseDiagonals[l - 1], m, solved, count: n);
                SmallDense.MultiplyTransposed(solved, kPrevious, n, m, m, wk, lower: false);
            }
            // R_ij = s_j (S W K_{l-1} W')_ij (+ c d_i on the diagonal), and P_l = I + R_l, lower
            // triangles; R is mirrored only where the next layer reads it whole.
            SmallDense.MultiplyTransposed(wk, w, n, n, m, r, lower: true);
            var p = factors[l];
            ref var s0 = ref MemoryMarshal.GetReference(sp.AsSpan(o, n));
            ref var r0 = ref MemoryMarshal.GetReference(r.AsSpan(0, n * n));
            ref var p0 = ref MemoryMarshal.GetReference(p.AsSpan(0, n * n));
            for (var i = 0; i < n; i++)
            {
                ref var rowR = ref Unsafe.Add(ref r0, i * n);
                ref var rowP = ref Unsafe.Add(ref p0, i * n);
                for (var j = 0; j < i; j++)
                {
                    var v = Unsafe.Add(ref rowR, j) * Unsafe.Add(ref s0, j);
                    Unsafe.Add(ref rowR, j) = v;
                    Unsafe.Add(ref rowP, j) = v;
                }
                var cd = c * d[o + i];
                var coupling = Unsafe.Add(ref rowR, i) * Unsafe.Add(ref s0, i);
                Unsafe.Add(ref rowR, i) = coupling + cd;
                Unsafe.Add(ref rowP, i) = 1 + (coupling + cd);
                reference[i] = 1 + Math.Abs(cd) + Math.Abs(coupling);
            }
            if (l + 1 < layers)
            {
                for (var i = 0; i < n; i++)
                {
                    for (var j = 0; j < i; j++)
                    {
                        Unsafe.Add(ref r0, j * n + i) = Unsafe.Add(ref r0, i * n + j);
                    }
                }
            }
            var pivot = FactorLdl(p, n, reference, inverseDiagonals[l], out var value);
            if (pivot >= 0)
            {
                throw Pivot(t, l, pivot, value);
            }
            if (sweep)
            {
                SweepLayer(l, b);
                ApplyInverse(l, y.AsSpan(o, n));
            }
        }
        IsFactored = true;
    }

    /// <summary>
    /// Solves A lambda = b with the factors of the last <see cref="Factor"/>: the forward sweep
    /// (<see cref="ForwardSweep"/>), then from the outputs down <see cref="BackSubstitute"/>
    /// with z_l = W_{l+1}' S_{l+1} lambda_{l+1}. <paramref name="lambda"/> may be <paramref name="b"/>.
    /// </summary>
    public void Solve(ReadOnlySpan<double> b, Span<double> lambda)
    {
        ForwardSweep(b);
        var layers = net.LayerCount;
        var sp = net.SigmaPrime;
        for (var l = layers - 1; l >= 0; l--)
        {
            int n = net.Size(l),
                o = net.Offset(l);
            var z = column.AsSpan(0, n);
            z.Clear();
            if (l + 1 < layers)
            {
                int nNext = net.Size(l + 1),
                    oNext = net.Offset(l + 1);
                var w = net.Weights(l + 1);
                for (var i = 0; i < nNext; i++)
                {
                    var f = sp[oNext + i] * lambda[oNext + i];
                    if (f != 0)
                    {
                        SmallDense.AddScaled(f, w.AsSpan(i * n, n), z);
                    }
                }
            }
            BackSubstitute(l, z, lambda.Slice(o, n));
        }
    }

    /// <summary>y_l = b_l + S_l W_l y_{l-1}, before its solve with P_l (the rows' dot products, as the sweep takes them).</summary>
    private void SweepLayer(int l, ReadOnlySpan<double> b)
    {
        int n = net.Size(l),
            m = net.Size(l - 1),
            o = net.Offset(l);
        var w = net.Weights(l).AsSpan(0, n * m);
        var previous = y.AsSpan(net.Offset(l - 1), m);
        var current = y.AsSpan(o, n);
        var sp = net.SigmaPrime.AsSpan(o, n);
        var bl = b.Slice(o, n);
        ref var w0 = ref MemoryMarshal.GetReference(w);
        ref var y0 = ref MemoryMarshal.GetReference(previous);
        for (var i = 0; i < n; i++)
        {
            current[i] = bl[i] + sp[i] * SmallDense.Dot(ref Unsafe.Add(ref w0, i * m), ref y0, m);
        }
    }

    /// <summary>
    /// The forward sweep of <see cref="Solve(ReadOnlySpan{double}, Span{double})"/>, kept for
    /// <see cref="BackSubstitute"/>: y_0 = b_0, y_l = P_l^-1 (b_l + S_l W_l y_{l-1}).
    /// </summary>
    public void ForwardSweep(ReadOnlySpan<double> b)
    {
        if (!IsFactored)
        {
            throw new InvalidOperationException("Factor has not succeeded");
        }
        var layers = net.LayerCount;
        var sp = net.SigmaPrime;
        b[..net.Size(0)].CopyTo(y);
        for (var l = 1; l < layers; l++)
        {
            int n = net.Size(l),
                m = net.Size(l - 1),
                o = net.Offset(l);
            var w = net.Weights(l);
            var previous = y.AsSpan(net.Offset(l - 1), m);
            var current = y.AsSpan(o, n);
            SmallDense.MultiplyTransposed(w, previous, n, 1, m, current, lower: false);
            for (var i = 0; i < n; i++)
            {
                current[i] = b[o + i] + sp[o + i] * current[i];
            }
            ApplyInverse(l, current);
        }
    }

    /// <summary>
    /// One layer of the back substitution after <see cref="ForwardSweep"/>:
    /// lambda_l = m_x y_l + P_l^-1 z with z = W_{l+1}' S_{l+1} lambda_{l+1} (zero for the last
    /// layer). A caller that passes over the rows of layer l + 1 anyway (the structured kernel,
    /// writing the accelerations) forms z there and saves the solver its own pass.
    /// </summary>
    /// <param name="layer">l, from the last layer down to 0.</param>
    /// <param name="z">z (n_l entries); overwritten.</param>
    /// <param name="lambda">The layer's multipliers (n_l entries).</param>
    public void BackSubstitute(int layer, Span<double> z, Span<double> lambda)
    {
        int n = net.Size(layer),
            o = net.Offset(layer);
        if (z.Length < n || lambda.Length < n)
        {
            throw new ArgumentException($"layer {layer} has {n} neurons");
        }
        ApplyInverse(layer, z[..n]);
        var mx = net.MassX;
        for (var i = 0; i < n; i++)
        {
            lambda[i] = mx * y[o + i] + z[i];
        }
    }

    private void ApplyInverse(int layer, Span<double> v)
    {
        if (layer == 0)
        {
            return;
        }
        var inverse = inverseDiagonals[layer];
        if (layer == 1)
        {
            for (var i = 0; i < v.Length; i++)
            {
                v[i] *= inverse[i];
            }
            return;
        }
        SmallDense.LdlSolve(factors[layer], inverse, v.Length, v);
    }

    /// <summary>
    /// LDL' in place (lower triangle, row-major: L's unit lower part below the diagonal, D on
    /// it, 1/D beside it), each pivot d_k compared against a reference magnitude of its row
    /// (1 + |c d_j| + the coupling term) rather than the diagonal itself, which a negative d
    /// could cancel: a pivot at most RelativePivot of that is non-positive. Without square
    /// roots, whose latency the pivots' dependent chain would pay once per row. Right-looking:
    /// after column k is scaled, each later row takes a multiple of it, so the inner loop runs
    /// along a row with independent updates (the left-looking dot products are one dependent
    /// chain each, and at n = 16 their setup costs more than they do).
    /// </summary>
    [MethodImpl(MethodImplOptions.NoInlining)]
    private int FactorLdl(
        Span<double> a,
        int n,
        ReadOnlySpan<double> reference,
        Span<double> inverseDiagonal,
        out double pivot
    )
    {
        var col = column.AsSpan(0, n);
        for (var k = 0; k < n; k++)
        {
            var d = a[k * n + k];
            if (!(d > DenseCholesky.RelativePivot * reference[k]))
            {
                pivot = d;
                return k;
            }
            var inverse = 1 / d;
            inverseDiagonal[k] = inverse;
            for (var i = k + 1; i < n; i++)
            {
                // col keeps l_ik d_k, the column before its scaling, for the trailing update.
                var v = a[i * n + k];
                col[i] = v;
                a[i * n + k] = v * inverse;
            }
            // The trailing lower triangle: a[i, j] -= l_ik (l_jk d_k) for k < j <= i, along
            // each row (the indices stay inside a and col by construction: no bounds checks).
            ref var c0 = ref Unsafe.Add(ref MemoryMarshal.GetReference(col), k + 1);
            ref var a0 = ref MemoryMarshal.GetReference(a);
            for (var i = k + 1; i < n; i++)
            {
                SmallDense.Subtract(
                    Unsafe.Add(ref a0, i * n + k),
                    ref c0,
                    ref Unsafe.Add(ref a0, i * n + k + 1),
                    i - k
                );
            }
        }
        pivot = 0;
        return -1;
    }

    private NumericalFailure Pivot(double t, int layer, int neuron, double value) =>
        new(
            t,
            $"Sigma_{layer}[{neuron}] (layer {layer}, neuron {neuron}, A[{net.Offset(layer) + neuron}])",
            $"non-positive pivot ({value:R}, scaled by m_x) of the layer's Schur complement: the multiplier matrix is not positive definite"
        );
}
