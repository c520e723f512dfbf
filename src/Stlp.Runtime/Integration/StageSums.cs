using System.Numerics;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;

namespace Stlp.Runtime.Integration;

/// <summary>
/// The stage sums of the explicit Runge–Kutta steps, Vector&lt;double&gt;.Count entries at a time.
/// Every lane does the scalar expression's operations in its order (left to right, no fused
/// multiply-add), so the values are the scalar loop's bit for bit; at a network's 10^5
/// coordinates these passes are a large part of a step. Lengths are checked once per call.
/// </summary>
public static class StageSums
{
    /// <summary>
    /// result = y + h (a1 k1 + ... + an kn), or with one stage y + h a1 k1 (grouped as
    /// (h a1) k1, as the scalar loop writes it).
    /// </summary>
    public static void Combine(
        Span<double> result,
        ReadOnlySpan<double> y,
        double h,
        ReadOnlySpan<double> a,
        ReadOnlySpan<double[]> k
    )
    {
        Check(result.Length, a, k);
        if (y.Length != result.Length)
        {
            throw new ArgumentException("y's length differs from the result's", nameof(y));
        }
        Sum(result, y, h, a, k, withY: true);
    }

    /// <summary>result = h (a1 k1 + ... + an kn): an error estimate.</summary>
    public static void Combine(Span<double> result, double h, ReadOnlySpan<double> a, ReadOnlySpan<double[]> k)
    {
        Check(result.Length, a, k);
        Sum(result, default, h, a, k, withY: false);
    }

    private static void Check(int m, ReadOnlySpan<double> a, ReadOnlySpan<double[]> k)
    {
        if (a.Length != k.Length || a.Length == 0)
        {
            throw new ArgumentException("a stage sum takes one coefficient per stage, and at least one stage");
        }
        foreach (var stage in k)
        {
            if (stage.Length != m)
            {
                throw new ArgumentException("a stage's length differs from the result's");
            }
        }
    }

    private static void Sum(
        Span<double> result,
        ReadOnlySpan<double> y,
        double h,
        ReadOnlySpan<double> a,
        ReadOnlySpan<double[]> k,
        bool withY
    )
    {
        var m = result.Length;
        var stages = a.Length;
        // One stage is y + (h a1) k1: the product of the two constants comes first.
        var first = withY && stages == 1 ? h * a[0] : a[0];
        ref var r0 = ref MemoryMarshal.GetReference(result);
        ref var y0 = ref MemoryMarshal.GetReference(y);
        var i = 0;
        if (Vector.IsHardwareAccelerated)
        {
            var vh = new Vector<double>(h);
            var vFirst = new Vector<double>(first);
            for (; i + Vector<double>.Count <= m; i += Vector<double>.Count)
            {
                var x = (nuint)i;
                var sum = vFirst * Vector.LoadUnsafe(ref MemoryMarshal.GetArrayDataReference(k[0]), x);
                for (var s = 1; s < stages; s++)
                {
                    sum +=
                        new Vector<double>(a[s]) * Vector.LoadUnsafe(ref MemoryMarshal.GetArrayDataReference(k[s]), x);
                }
                var value =
                    !withY ? vh * sum
                    : stages == 1 ? Vector.LoadUnsafe(ref y0, x) + sum
                    : Vector.LoadUnsafe(ref y0, x) + vh * sum;
                value.StoreUnsafe(ref r0, x);
            }
        }
        for (; i < m; i++)
        {
            var sum = first * k[0][i];
            for (var s = 1; s < stages; s++)
            {
                sum += a[s] * k[s][i];
            }
            Unsafe.Add(ref r0, i) =
                !withY ? h * sum
                : stages == 1 ? Unsafe.Add(ref y0, i) + sum
                : Unsafe.Add(ref y0, i) + h * sum;
        }
    }
}
