using Stlp.Runtime.Kernels;
using Stlp.Runtime.Kernels.Structured;
using Xunit;

namespace Stlp.Runtime.Tests;

/// <summary>The block solve's small dense loops against the plain definitions, at lengths around the vector width.</summary>
public sealed class SmallDenseTests
{
    private static double[] RandomVector(Random random, int n) =>
        [.. Enumerable.Range(0, n).Select(_ => random.NextDouble() - 0.5)];

    [Theory]
    [InlineData(1, 1, 1)]
    [InlineData(3, 5, 7)]
    [InlineData(9, 9, 16)]
    [InlineData(16, 16, 16)]
    [InlineData(10, 3, 13)]
    public void ProductsOfRowsMatchTheirDefinition(int rows, int cols, int m)
    {
        var random = new Random(rows * 100 + cols * 10 + m);
        var a = RandomVector(random, rows * m);
        var b = RandomVector(random, cols * m);
        var full = new double[rows * cols];
        SmallDense.MultiplyTransposed(a, b, rows, cols, m, full, lower: false);
        var lower = Enumerable.Repeat(double.NaN, rows * cols).ToArray();
        if (cols >= rows)
        {
            SmallDense.MultiplyTransposed(a, b, rows, cols, m, lower, lower: true);
        }
        for (var i = 0; i < rows; i++)
        {
            for (var j = 0; j < cols; j++)
            {
                var expected = 0.0;
                for (var q = 0; q < m; q++)
                {
                    expected += a[i * m + q] * b[j * m + q];
                }
                Assert.Equal(expected, full[i * cols + j], 1e-14);
                if (cols >= rows)
                {
                    // Only the lower triangle is written; the rest is left as it was.
                    Assert.Equal(j <= i ? expected : double.NaN, lower[i * cols + j], 1e-14);
                }
            }
        }
    }

    [Theory]
    [InlineData(1)]
    [InlineData(3)]
    [InlineData(8)]
    [InlineData(17)]
    public void LdlSolveMatchesTheDenseCholeskySolve(int n)
    {
        var random = new Random(n);
        var g = RandomVector(random, n * n);
        var a = new double[n * n];
        for (var i = 0; i < n; i++)
        {
            for (var j = 0; j < n; j++)
            {
                a[i * n + j] = i == j ? n : 0;
                for (var q = 0; q < n; q++)
                {
                    a[i * n + j] += g[i * n + q] * g[j * n + q];
                }
            }
        }
        Assert.Equal(-1, DenseCholesky.Factor(a, n));
        // Three right-hand sides, solved together.
        const int count = 3;
        var b = RandomVector(random, count * n);
        var expected = b.ToArray();
        for (var r = 0; r < count; r++)
        {
            DenseCholesky.Solve(a, n, expected.AsSpan(r * n, n));
        }
        // L D L' from the Cholesky factor C = L D^1/2: L = C / diag(C) by columns, D = diag(C)^2.
        var unit = new double[n * n];
        for (var i = 0; i < n; i++)
        {
            for (var j = 0; j < i; j++)
            {
                unit[i * n + j] = a[i * n + j] / a[j * n + j];
            }
            unit[i * n + i] = double.NaN;
        }
        var inverseDiagonal = Enumerable.Range(0, n).Select(i => 1 / (a[i * n + i] * a[i * n + i])).ToArray();
        var x = b.ToArray();
        SmallDense.LdlSolve(unit, inverseDiagonal, n, x, count);
        for (var i = 0; i < count * n; i++)
        {
            Assert.Equal(expected[i], x[i], 1e-13);
        }
    }
}
