using System.Numerics;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;

namespace Stlp.Runtime.Kernels.Structured;

/// <summary>
/// The block solve's dense steps at the sizes small networks have (layers of 10 to 100): there a
/// library call per dot product (about 15 ns for 16 entries) costs more than the dot itself, so
/// the products read four rows of the second factor per pass and the triangular solves are plain
/// loops. Row-major storage; lengths are checked once per call, then rows are read without
/// bounds checks.
/// </summary>
public static class SmallDense
{
    /// <summary>
    /// r[i, j] = sum_q a[i, q] b[j, q] for i &lt; rows, j &lt; cols (or j &lt;= i with
    /// <paramref name="lower"/>): a is rows x m, b is cols x m, r is rows x cols.
    /// </summary>
    [MethodImpl(MethodImplOptions.NoInlining)]
    public static void MultiplyTransposed(
        ReadOnlySpan<double> a,
        ReadOnlySpan<double> b,
        int rows,
        int cols,
        int m,
        Span<double> r,
        bool lower
    )
    {
        if (a.Length < rows * m || b.Length < cols * m || r.Length < rows * cols || (lower && cols < rows))
        {
            throw new ArgumentException("the matrices are smaller than their dimensions");
        }
        ref var a0 = ref MemoryMarshal.GetReference(a);
        ref var b0 = ref MemoryMarshal.GetReference(b);
        for (var i = 0; i < rows; i++)
        {
            ref var ai = ref Unsafe.Add(ref a0, i * m);
            var end = lower ? i + 1 : cols;
            var j = 0;
            for (; j + 4 <= end; j += 4)
            {
                Dot4(
                    ref ai,
                    ref Unsafe.Add(ref b0, j * m),
                    m,
                    out r[i * cols + j],
                    out r[i * cols + j + 1],
                    out r[i * cols + j + 2],
                    out r[i * cols + j + 3]
                );
            }
            for (; j < end; j++)
            {
                r[i * cols + j] = Dot(ref ai, ref Unsafe.Add(ref b0, j * m), m);
            }
        }
    }

    /// <summary>y += alpha x over x's length (y at least as long); inlined at its call sites.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static void AddScaled(double alpha, ReadOnlySpan<double> x, Span<double> y)
    {
        if (y.Length < x.Length)
        {
            throw new ArgumentException("y is shorter than x", nameof(y));
        }
        // y - (-alpha) x is y + alpha x exactly: one loop for both signs.
        Subtract(-alpha, ref MemoryMarshal.GetReference(x), ref MemoryMarshal.GetReference(y), x.Length);
    }

    /// <summary>z = (alpha x) y elementwise over x's length (y and z at least as long); inlined at its call sites.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static void ScaledProduct(double alpha, ReadOnlySpan<double> x, ReadOnlySpan<double> y, Span<double> z)
    {
        var n = x.Length;
        if (y.Length < n || z.Length < n)
        {
            throw new ArgumentException("y or z is shorter than x");
        }
        ref var x0 = ref MemoryMarshal.GetReference(x);
        ref var y0 = ref MemoryMarshal.GetReference(y);
        ref var z0 = ref MemoryMarshal.GetReference(z);
        var k = 0;
        if (Vector.IsHardwareAccelerated)
        {
            var va = new Vector<double>(alpha);
            for (; k + Vector<double>.Count <= n; k += Vector<double>.Count)
            {
                var product = va * Vector.LoadUnsafe(ref x0, (nuint)k) * Vector.LoadUnsafe(ref y0, (nuint)k);
                product.StoreUnsafe(ref z0, (nuint)k);
            }
        }
        for (; k < n; k++)
        {
            Unsafe.Add(ref z0, k) = alpha * Unsafe.Add(ref x0, k) * Unsafe.Add(ref y0, k);
        }
    }

    /// <summary>
    /// Solves L D L' x = b in place for <paramref name="count"/> right-hand sides, the rows of
    /// b (count x n, row-major). L: n x n, the unit lower triangle of an LDL' factor (its
    /// diagonal ignored); D given by its reciprocals. Forward by rows (dot products), the
    /// scaling, then backward by columns of L' (rows of L: independent updates), so both sweeps
    /// read L row by row; the right-hand sides are taken together at each row, so their chains
    /// overlap. No division and no square root.
    /// </summary>
    [MethodImpl(MethodImplOptions.NoInlining)]
    public static void LdlSolve(
        ReadOnlySpan<double> l,
        ReadOnlySpan<double> inverseDiagonal,
        int n,
        Span<double> b,
        int count = 1
    )
    {
        if (l.Length < n * n || inverseDiagonal.Length < n || count < 0 || b.Length < count * n)
        {
            throw new ArgumentException("the factor or the right-hand sides are smaller than n");
        }
        ref var l0 = ref MemoryMarshal.GetReference(l);
        ref var r0 = ref MemoryMarshal.GetReference(inverseDiagonal);
        ref var b0 = ref MemoryMarshal.GetReference(b);
        for (var i = 1; i < n; i++)
        {
            ref var row = ref Unsafe.Add(ref l0, i * n);
            for (var r = 0; r < count; r++)
            {
                ref var x = ref Unsafe.Add(ref b0, r * n);
                Unsafe.Add(ref x, i) -= Dot(ref row, ref x, i);
            }
        }
        for (var r = 0; r < count; r++)
        {
            ref var x = ref Unsafe.Add(ref b0, r * n);
            for (var i = 0; i < n; i++)
            {
                Unsafe.Add(ref x, i) *= Unsafe.Add(ref r0, i);
            }
        }
        for (var i = n - 1; i > 0; i--)
        {
            ref var row = ref Unsafe.Add(ref l0, i * n);
            for (var r = 0; r < count; r++)
            {
                ref var x = ref Unsafe.Add(ref b0, r * n);
                Subtract(Unsafe.Add(ref x, i), ref row, ref x, i);
            }
        }
    }

    /// <summary>y[k] -= alpha x[k] for k &lt; n (x and y at least that long: the callers' bounds).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    internal static void Subtract(double alpha, ref double x, ref double y, int n)
    {
        var k = 0;
        if (Vector.IsHardwareAccelerated)
        {
            var va = new Vector<double>(alpha);
            for (; k + Vector<double>.Count <= n; k += Vector<double>.Count)
            {
                var difference = Vector.LoadUnsafe(ref y, (nuint)k) - va * Vector.LoadUnsafe(ref x, (nuint)k);
                difference.StoreUnsafe(ref y, (nuint)k);
            }
        }
        for (; k < n; k++)
        {
            Unsafe.Add(ref y, k) -= alpha * Unsafe.Add(ref x, k);
        }
    }

    /// <summary>The dot product of a and b over n entries (the callers' bounds).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    internal static double Dot(ref double a, ref double b, int n)
    {
        var k = 0;
        var sum = 0.0;
        if (Vector.IsHardwareAccelerated && n >= Vector<double>.Count)
        {
            var acc = Vector<double>.Zero;
            for (; k + Vector<double>.Count <= n; k += Vector<double>.Count)
            {
                acc += Vector.LoadUnsafe(ref a, (nuint)k) * Vector.LoadUnsafe(ref b, (nuint)k);
            }
            sum = Vector.Sum(acc);
        }
        for (; k < n; k++)
        {
            sum += Unsafe.Add(ref a, k) * Unsafe.Add(ref b, k);
        }
        return sum;
    }

    /// <summary>Four dot products of a with four consecutive rows of b (row length n): a is read once.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void Dot4(
        ref double a,
        ref double b,
        int n,
        out double d0,
        out double d1,
        out double d2,
        out double d3
    )
    {
        ref var b1 = ref Unsafe.Add(ref b, n);
        ref var b2 = ref Unsafe.Add(ref b, 2 * n);
        ref var b3 = ref Unsafe.Add(ref b, 3 * n);
        var k = 0;
        d0 = d1 = d2 = d3 = 0;
        if (Vector.IsHardwareAccelerated && n >= Vector<double>.Count)
        {
            Vector<double> s0 = Vector<double>.Zero,
                s1 = Vector<double>.Zero,
                s2 = Vector<double>.Zero,
                s3 = Vector<double>.Zero;
            for (; k + Vector<double>.Count <= n; k += Vector<double>.Count)
            {
                var x = Vector.LoadUnsafe(ref a, (nuint)k);
                s0 += x * Vector.LoadUnsafe(ref b, (nuint)k);
                s1 += x * Vector.LoadUnsafe(ref b1, (nuint)k);
                s2 += x * Vector.LoadUnsafe(ref b2, (nuint)k);
                s3 += x * Vector.LoadUnsafe(ref b3, (nuint)k);
            }
            d0 = Vector.Sum(s0);
            d1 = Vector.Sum(s1);
            d2 = Vector.Sum(s2);
            d3 = Vector.Sum(s3);
        }
        for (; k < n; k++)
        {
            var x = Unsafe.Add(ref a, k);
            d0 += x * Unsafe.Add(ref b, k);
            d1 += x * Unsafe.Add(ref b1, k);
            d2 += x * Unsafe.Add(ref b2, k);
            d3 += x * Unsafe.Add(ref b3, k);
        }
    }
}
