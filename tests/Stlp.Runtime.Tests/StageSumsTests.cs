using Stlp.Runtime.Integration;
using Xunit;

namespace Stlp.Runtime.Tests;

/// <summary>The vectorized stage sums give the scalar loop's values bit for bit (lengths around the vector width).</summary>
public sealed class StageSumsTests
{
    [Theory]
    [InlineData(1)]
    [InlineData(7)]
    [InlineData(64)]
    [InlineData(1001)]
    public void StageSumsEqualTheScalarLoopExactly(int m)
    {
        var random = new Random(m);
        double[] Vector() => [.. Enumerable.Range(0, m).Select(_ => random.NextDouble() - 0.5)];
        double[][] k = [Vector(), Vector(), Vector(), Vector(), Vector(), Vector()];
        var y = Vector();
        double h = 0.013,
            a1 = 44.0 / 45,
            a2 = -56.0 / 15,
            a3 = 32.0 / 9,
            a4 = 212.0 / 729,
            a5 = -5103.0 / 18656,
            a6 = 11.0 / 84;
        double[] coefficients = [a1, a2, a3, a4, a5];
        for (var stages = 1; stages <= 5; stages++)
        {
            var result = new double[m];
            StageSums.Combine(result, y, h, coefficients.AsSpan(0, stages), k.AsSpan(0, stages));
            for (var i = 0; i < m; i++)
            {
                var expected = stages switch
                {
                    1 => y[i] + h * a1 * k[0][i],
                    2 => y[i] + h * (a1 * k[0][i] + a2 * k[1][i]),
                    3 => y[i] + h * (a1 * k[0][i] + a2 * k[1][i] + a3 * k[2][i]),
                    4 => y[i] + h * (a1 * k[0][i] + a2 * k[1][i] + a3 * k[2][i] + a4 * k[3][i]),
                    _ => y[i] + h * (a1 * k[0][i] + a2 * k[1][i] + a3 * k[2][i] + a4 * k[3][i] + a5 * k[4][i]),
                };
                Assert.Equal(expected, result[i]);
            }
        }
        var error = new double[m];
        StageSums.Combine(error, h, [a1, a2, a3, a4, a5, a6], k);
        for (var i = 0; i < m; i++)
        {
            Assert.Equal(
                h * (a1 * k[0][i] + a2 * k[1][i] + a3 * k[2][i] + a4 * k[3][i] + a5 * k[4][i] + a6 * k[5][i]),
                error[i]
            );
        }
    }
}
