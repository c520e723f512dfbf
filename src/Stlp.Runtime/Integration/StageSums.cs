using System.Numerics;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;

namespace Stlp.Runtime.Integration;

/// <summary>
/// The stage sums of the explicit Runge–Kutta steps, result = y + h (a_1 k_1 + ... + a_s k_s),
/// Vector&lt;double&gt;.Count entries at a time. Every lane does the scalar loop's operations in
/// its order (no fused multiply-add), so the values are the scalar loop's bit for bit; at a
/// network's 10^5 coordinates these passes are a large part of a step. Lengths are checked once.
/// </summary>
public static class StageSums
{
    /// <summary>result = y + h (a1 k1 + ... + an kn) for the n = a.Length stages given (1 to 5).</summary>
    public static void Combine(
        Span<double> result,
        ReadOnlySpan<double> y,
        double h,
        ReadOnlySpan<double> a,
        ReadOnlySpan<double[]> k
    )
    {
        var m = result.Length;
        if (y.Length != m || a.Length != k.Length || a.Length is < 1 or > 5)
        {
            throw new ArgumentException("a stage sum takes 1 to 5 stages of the state's length");
        }
        foreach (var stage in k)
        {
            if (stage.Length != m)
            {
                throw new ArgumentException("a stage's length differs from the state's");
            }
        }
        ref var r0 = ref MemoryMarshal.GetReference(result);
        ref var y0 = ref MemoryMarshal.GetReference(y);
        switch (a.Length)
        {
            case 1:
                Sum1(ref r0, ref y0, h, a[0], k[0], m);
                break;
            case 2:
                Sum2(ref r0, ref y0, h, a[0], k[0], a[1], k[1], m);
                break;
            case 3:
                Sum3(ref r0, ref y0, h, a[0], k[0], a[1], k[1], a[2], k[2], m);
                break;
            case 4:
                Sum4(ref r0, ref y0, h, a[0], k[0], a[1], k[1], a[2], k[2], a[3], k[3], m);
                break;
            default:
                Sum5(ref r0, ref y0, h, a[0], k[0], a[1], k[1], a[2], k[2], a[3], k[3], a[4], k[4], m);
                break;
        }
    }

    /// <summary>result = h (a1 k1 + ... + a6 k6): the error estimate's sum (no y).</summary>
    public static void Combine(Span<double> result, double h, ReadOnlySpan<double> a, ReadOnlySpan<double[]> k)
    {
        var m = result.Length;
        if (a.Length != 6 || k.Length != 6)
        {
            throw new ArgumentException("the error sum takes 6 stages");
        }
        foreach (var stage in k)
        {
            if (stage.Length != m)
            {
                throw new ArgumentException("a stage's length differs from the state's");
            }
        }
        ref var r0 = ref MemoryMarshal.GetReference(result);
        ref var k1 = ref MemoryMarshal.GetArrayDataReference(k[0]);
        ref var k2 = ref MemoryMarshal.GetArrayDataReference(k[1]);
        ref var k3 = ref MemoryMarshal.GetArrayDataReference(k[2]);
        ref var k4 = ref MemoryMarshal.GetArrayDataReference(k[3]);
        ref var k5 = ref MemoryMarshal.GetArrayDataReference(k[4]);
        ref var k6 = ref MemoryMarshal.GetArrayDataReference(k[5]);
        var i = 0;
        if (Vector.IsHardwareAccelerated)
        {
            Vector<double> vh = new(h),
                v1 = new(a[0]),
                v2 = new(a[1]),
                v3 = new(a[2]);
            Vector<double> v4 = new(a[3]),
                v5 = new(a[4]),
                v6 = new(a[5]);
            for (; i + Vector<double>.Count <= m; i += Vector<double>.Count)
            {
                var x = (nuint)i;
                var sum =
                    vh
                    * (
                        v1 * Vector.LoadUnsafe(ref k1, x)
                        + v2 * Vector.LoadUnsafe(ref k2, x)
                        + v3 * Vector.LoadUnsafe(ref k3, x)
                        + v4 * Vector.LoadUnsafe(ref k4, x)
                        + v5 * Vector.LoadUnsafe(ref k5, x)
                        + v6 * Vector.LoadUnsafe(ref k6, x)
                    );
                sum.StoreUnsafe(ref r0, x);
            }
        }
        for (; i < m; i++)
        {
            Unsafe.Add(ref r0, i) =
                h
                * (
                    a[0] * Unsafe.Add(ref k1, i)
                    + a[1] * Unsafe.Add(ref k2, i)
                    + a[2] * Unsafe.Add(ref k3, i)
                    + a[3] * Unsafe.Add(ref k4, i)
                    + a[4] * Unsafe.Add(ref k5, i)
                    + a[5] * Unsafe.Add(ref k6, i)
                );
        }
    }

    private static void Sum1(ref double r, ref double y, double h, double a1, double[] k1, int m)
    {
        ref var s1 = ref MemoryMarshal.GetArrayDataReference(k1);
        var i = 0;
        if (Vector.IsHardwareAccelerated)
        {
            Vector<double> vh = new(h),
                v1 = new(a1);
            for (; i + Vector<double>.Count <= m; i += Vector<double>.Count)
            {
                var x = (nuint)i;
                var sum = Vector.LoadUnsafe(ref y, x) + vh * v1 * Vector.LoadUnsafe(ref s1, x);
                sum.StoreUnsafe(ref r, x);
            }
        }
        for (; i < m; i++)
        {
            Unsafe.Add(ref r, i) = Unsafe.Add(ref y, i) + h * a1 * Unsafe.Add(ref s1, i);
        }
    }

    private static void Sum2(
        ref double r,
        ref double y,
        double h,
        double a1,
        double[] k1,
        double a2,
        double[] k2,
        int m
    )
    {
        ref var s1 = ref MemoryMarshal.GetArrayDataReference(k1);
        ref var s2 = ref MemoryMarshal.GetArrayDataReference(k2);
        var i = 0;
        if (Vector.IsHardwareAccelerated)
        {
            Vector<double> vh = new(h),
                v1 = new(a1),
                v2 = new(a2);
            for (; i + Vector<double>.Count <= m; i += Vector<double>.Count)
            {
                var x = (nuint)i;
                var sum =
                    Vector.LoadUnsafe(ref y, x)
                    + vh * (v1 * Vector.LoadUnsafe(ref s1, x) + v2 * Vector.LoadUnsafe(ref s2, x));
                sum.StoreUnsafe(ref r, x);
            }
        }
        for (; i < m; i++)
        {
            Unsafe.Add(ref r, i) = Unsafe.Add(ref y, i) + h * (a1 * Unsafe.Add(ref s1, i) + a2 * Unsafe.Add(ref s2, i));
        }
    }

    private static void Sum3(
        ref double r,
        ref double y,
        double h,
        double a1,
        double[] k1,
        double a2,
        double[] k2,
        double a3,
        double[] k3,
        int m
    )
    {
        ref var s1 = ref MemoryMarshal.GetArrayDataReference(k1);
        ref var s2 = ref MemoryMarshal.GetArrayDataReference(k2);
        ref var s3 = ref MemoryMarshal.GetArrayDataReference(k3);
        var i = 0;
        if (Vector.IsHardwareAccelerated)
        {
            Vector<double> vh = new(h),
                v1 = new(a1),
                v2 = new(a2),
                v3 = new(a3);
            for (; i + Vector<double>.Count <= m; i += Vector<double>.Count)
            {
                var x = (nuint)i;
                var sum =
                    Vector.LoadUnsafe(ref y, x)
                    + vh
                        * (
                            v1 * Vector.LoadUnsafe(ref s1, x)
                            + v2 * Vector.LoadUnsafe(ref s2, x)
                            + v3 * Vector.LoadUnsafe(ref s3, x)
                        );
                sum.StoreUnsafe(ref r, x);
            }
        }
        for (; i < m; i++)
        {
            Unsafe.Add(ref r, i) =
                Unsafe.Add(ref y, i)
                + h * (a1 * Unsafe.Add(ref s1, i) + a2 * Unsafe.Add(ref s2, i) + a3 * Unsafe.Add(ref s3, i));
        }
    }

    private static void Sum4(
        ref double r,
        ref double y,
        double h,
        double a1,
        double[] k1,
        double a2,
        double[] k2,
        double a3,
        double[] k3,
        double a4,
        double[] k4,
        int m
    )
    {
        ref var s1 = ref MemoryMarshal.GetArrayDataReference(k1);
        ref var s2 = ref MemoryMarshal.GetArrayDataReference(k2);
        ref var s3 = ref MemoryMarshal.GetArrayDataReference(k3);
        ref var s4 = ref MemoryMarshal.GetArrayDataReference(k4);
        var i = 0;
        if (Vector.IsHardwareAccelerated)
        {
            Vector<double> vh = new(h),
                v1 = new(a1),
                v2 = new(a2),
                v3 = new(a3),
                v4 = new(a4);
            for (; i + Vector<double>.Count <= m; i += Vector<double>.Count)
            {
                var x = (nuint)i;
                var sum =
                    Vector.LoadUnsafe(ref y, x)
                    + vh
                        * (
                            v1 * Vector.LoadUnsafe(ref s1, x)
                            + v2 * Vector.LoadUnsafe(ref s2, x)
                            + v3 * Vector.LoadUnsafe(ref s3, x)
                            + v4 * Vector.LoadUnsafe(ref s4, x)
                        );
                sum.StoreUnsafe(ref r, x);
            }
        }
        for (; i < m; i++)
        {
            Unsafe.Add(ref r, i) =
                Unsafe.Add(ref y, i)
                + h
                    * (
                        a1 * Unsafe.Add(ref s1, i)
                        + a2 * Unsafe.Add(ref s2, i)
                        + a3 * Unsafe.Add(ref s3, i)
                        + a4 * Unsafe.Add(ref s4, i)
                    );
        }
    }

    private static void Sum5(
        ref double r,
        ref double y,
        double h,
        double a1,
        double[] k1,
        double a2,
        double[] k2,
        double a3,
        double[] k3,
        double a4,
        double[] k4,
        double a5,
        double[] k5,
        int m
    )
    {
        ref var s1 = ref MemoryMarshal.GetArrayDataReference(k1);
        ref var s2 = ref MemoryMarshal.GetArrayDataReference(k2);
        ref var s3 = ref MemoryMarshal.GetArrayDataReference(k3);
        ref var s4 = ref MemoryMarshal.GetArrayDataReference(k4);
        ref var s5 = ref MemoryMarshal.GetArrayDataReference(k5);
        var i = 0;
        if (Vector.IsHardwareAccelerated)
        {
            Vector<double> vh = new(h),
                v1 = new(a1),
                v2 = new(a2),
                v3 = new(a3),
                v4 = new(a4),
                v5 = new(a5);
            for (; i + Vector<double>.Count <= m; i += Vector<double>.Count)
            {
                var x = (nuint)i;
                var sum =
                    Vector.LoadUnsafe(ref y, x)
                    + vh
                        * (
                            v1 * Vector.LoadUnsafe(ref s1, x)
                            + v2 * Vector.LoadUnsafe(ref s2, x)
                            + v3 * Vector.LoadUnsafe(ref s3, x)
                            + v4 * Vector.LoadUnsafe(ref s4, x)
                            + v5 * Vector.LoadUnsafe(ref s5, x)
                        );
                sum.StoreUnsafe(ref r, x);
            }
        }
        for (; i < m; i++)
        {
            Unsafe.Add(ref r, i) =
                Unsafe.Add(ref y, i)
                + h
                    * (
                        a1 * Unsafe.Add(ref s1, i)
                        + a2 * Unsafe.Add(ref s2, i)
                        + a3 * Unsafe.Add(ref s3, i)
                        + a4 * Unsafe.Add(ref s4, i)
                        + a5 * Unsafe.Add(ref s5, i)
                    );
        }
    }
}
