using System.Numerics;
using System.Runtime.InteropServices;

namespace Stlp.Runtime.Kernels.Structured;

/// <summary>The few dense vector operations the structured solvers need (SIMD where it pays).</summary>
internal static class Vectors
{
    public static double Dot(ReadOnlySpan<double> a, ReadOnlySpan<double> b)
    {
        var n = a.Length;
        var i = 0;
        var sum = 0.0;
        if (Vector.IsHardwareAccelerated && n >= 2 * Vector<double>.Count)
        {
            var va = MemoryMarshal.Cast<double, Vector<double>>(a);
            var vb = MemoryMarshal.Cast<double, Vector<double>>(b[..n]);
            var acc = Vector<double>.Zero;
            for (var k = 0; k < va.Length; k++)
            {
                acc += va[k] * vb[k];
            }
            sum = Vector.Sum(acc);
            i = va.Length * Vector<double>.Count;
        }
        for (; i < n; i++)
        {
            sum += a[i] * b[i];
        }
        return sum;
    }

    /// <summary>y += alpha x.</summary>
    public static void Axpy(double alpha, ReadOnlySpan<double> x, Span<double> y)
    {
        var n = x.Length;
        var i = 0;
        if (Vector.IsHardwareAccelerated && n >= 2 * Vector<double>.Count)
        {
            var vx = MemoryMarshal.Cast<double, Vector<double>>(x);
            var vy = MemoryMarshal.Cast<double, Vector<double>>(y[..n]);
            var va = new Vector<double>(alpha);
            for (var k = 0; k < vx.Length; k++)
            {
                vy[k] += va * vx[k];
            }
            i = vx.Length * Vector<double>.Count;
        }
        for (; i < n; i++)
        {
            y[i] += alpha * x[i];
        }
    }
}
