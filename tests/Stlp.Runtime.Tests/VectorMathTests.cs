using System.Numerics;
using Stlp.Runtime.Kernels;
using Xunit;

namespace Stlp.Runtime.Tests;

public sealed class VectorMathTests
{
    /// <summary>Distance in units in the last place (same-sign finite doubles).</summary>
    private static long Ulps(double a, double b) =>
        Math.Abs(BitConverter.DoubleToInt64Bits(a) - BitConverter.DoubleToInt64Bits(b));

    private static double[] Tanh(double[] x)
    {
        var width = Vector<double>.Count;
        var result = new double[x.Length];
        for (var k = 0; k + width <= x.Length; k += width)
        {
            VectorMath.Tanh(new Vector<double>(x, k)).CopyTo(result, k);
        }
        return result;
    }

    [Fact]
    public void TanhIsWithinThreeUlpsOfMathTanh()
    {
        var random = new Random(5);
        // Around the series' edge (0.55), over the range a neuron sees, and far out.
        var x = Enumerable
            .Range(0, 400_000)
            .Select(k =>
                (k % 4) switch
                {
                    0 => 0.55 + (random.NextDouble() - 0.5) * 1e-3,
                    1 => (random.NextDouble() - 0.5) * 6,
                    2 => (random.NextDouble() - 0.5) * 50,
                    _ => (random.NextDouble() - 0.5) * Math.Pow(10, -random.Next(1, 300)),
                }
            )
            .Select((v, k) => k % 8 < 4 ? v : -v)
            .ToArray();
        var y = Tanh(x);
        var worst = 0L;
        for (var k = 0; k < x.Length; k++)
        {
            worst = Math.Max(worst, Ulps(y[k], Math.Tanh(x[k])));
        }
        Assert.InRange(worst, 0, 3);
    }

    [Fact]
    public void TanhKeepsTheSpecialValues()
    {
        double[] x = [0.0, -0.0, double.PositiveInfinity, double.NegativeInfinity, double.NaN, 19.2, -19.2, 1e-300];
        var padded = x.Concat(Enumerable.Repeat(0.0, Vector<double>.Count)).ToArray();
        var y = Tanh(padded);
        Assert.Equal(BitConverter.DoubleToInt64Bits(0.0), BitConverter.DoubleToInt64Bits(y[0]));
        Assert.Equal(BitConverter.DoubleToInt64Bits(-0.0), BitConverter.DoubleToInt64Bits(y[1]));
        Assert.Equal(1.0, y[2]);
        Assert.Equal(-1.0, y[3]);
        Assert.True(double.IsNaN(y[4]));
        Assert.Equal(1.0, y[5]);
        Assert.Equal(-1.0, y[6]);
        Assert.Equal(1e-300, y[7]);
    }
}
