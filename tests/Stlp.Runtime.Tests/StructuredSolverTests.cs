using Stlp.Runtime.Kernels;
using Stlp.Runtime.Kernels.Structured;
using Xunit;

namespace Stlp.Runtime.Tests;

public sealed class StructuredSolverTests
{
    public static TheoryData<int[], double> Cases()
    {
        var data = new TheoryData<int[], double>();
        int[][] nets =
        [
            [3, 4, 2],
            [4, 8, 8, 2],
            [5, 7, 6, 4, 3],
            [64, 32, 10],
            [6, 5, 5, 5, 5, 2],
        ];
        foreach (var sizes in nets)
        {
            foreach (var ratio in new[] { 1.0, 1e-2, 1e-5 })
            {
                data.Add(sizes, ratio);
            }
        }
        return data;
    }

    /// <summary>A random net: W uniform in (-1, 1), sigma' in (0, 1], x in (-1, 1), d from x.</summary>
    private static LayeredNetwork RandomNet(int[] sizes, double ratio, int seed)
    {
        var random = new Random(seed);
        var weights = new double[sizes.Length - 1][];
        for (var l = 1; l < sizes.Length; l++)
        {
            weights[l - 1] = [.. Enumerable.Range(0, sizes[l] * sizes[l - 1]).Select(_ => 2 * random.NextDouble() - 1)];
        }
        var massW = 0.5 + random.NextDouble();
        var net = new LayeredNetwork(sizes, weights, ratio * massW, massW);
        for (var j = 0; j < net.NeuronCount; j++)
        {
            net.SigmaPrime[j] = 1 - random.NextDouble();
        }
        var x = Enumerable.Range(0, net.NeuronCount).Select(_ => 2 * random.NextDouble() - 1).ToArray();
        net.ComputeD(x);
        return net;
    }

    /// <summary>A = T T'/m_x + D/m_W by definition, T = I - S W with W the N x N weight matrix.</summary>
    private static double[] DenseByDefinition(LayeredNetwork net)
    {
        var n = net.NeuronCount;
        var t = new double[n * n];
        for (var j = 0; j < n; j++)
        {
            t[j * n + j] = 1;
        }
        for (var l = 1; l < net.LayerCount; l++)
        {
            var w = net.Weights(l);
            int m = net.Size(l - 1),
                o = net.Offset(l),
                op = net.Offset(l - 1);
            for (var i = 0; i < net.Size(l); i++)
            {
                for (var k = 0; k < m; k++)
                {
                    t[(o + i) * n + op + k] = -net.SigmaPrime[o + i] * w[i * m + k];
                }
            }
        }
        var a = new double[n * n];
        for (var i = 0; i < n; i++)
        {
            for (var j = 0; j < n; j++)
            {
                var s = 0.0;
                for (var k = 0; k < n; k++)
                {
                    s += t[i * n + k] * t[j * n + k];
                }
                a[i * n + j] = s / net.MassX;
            }
            if (i >= net.Size(0))
            {
                a[i * n + i] += net.D[i] / net.MassW;
            }
        }
        return a;
    }

    private static double[] DenseSolve(double[] a, int n, double[] b)
    {
        var factor = (double[])a.Clone();
        Assert.Equal(-1, DenseCholesky.Factor(factor, n));
        var x = (double[])b.Clone();
        DenseCholesky.Solve(factor, n, x);
        return x;
    }

    private static double RelativeError(ReadOnlySpan<double> x, ReadOnlySpan<double> reference)
    {
        double error = 0,
            scale = 0;
        for (var i = 0; i < x.Length; i++)
        {
            error = Math.Max(error, Math.Abs(x[i] - reference[i]));
            scale = Math.Max(scale, Math.Abs(reference[i]));
        }
        return error / scale;
    }

    private static double[] RandomVector(int n, int seed)
    {
        var random = new Random(seed);
        return [.. Enumerable.Range(0, n).Select(_ => 2 * random.NextDouble() - 1)];
    }

    [Theory]
    [MemberData(nameof(Cases))]
    public void TheProductAndTheAssemblyMatchTheDefinition(int[] sizes, double ratio)
    {
        var net = RandomNet(sizes, ratio, 11);
        var n = net.NeuronCount;
        var a = DenseByDefinition(net);
        var assembled = new double[n * n];
        net.AssembleDense(assembled);
        Assert.True(RelativeError(assembled, a) < 1e-13);
        var v = RandomVector(n, 5);
        var av = new double[n];
        net.Multiply(v, av);
        var expected = new double[n];
        for (var i = 0; i < n; i++)
        {
            for (var j = 0; j < n; j++)
            {
                expected[i] += a[i * n + j] * v[j];
            }
        }
        Assert.True(RelativeError(av, expected) < 1e-13);
        var diagonal = new double[n];
        net.Diagonal(diagonal);
        for (var i = 0; i < n; i++)
        {
            Assert.Equal(a[i * n + i], diagonal[i], 1e-12 * Math.Abs(a[i * n + i]));
        }
    }

    [Theory]
    [MemberData(nameof(Cases))]
    public void BlockEliminationAgreesWithTheDenseCholeskySolve(int[] sizes, double ratio)
    {
        for (var seed = 0; seed < 3; seed++)
        {
            var net = RandomNet(sizes, ratio, 100 + seed);
            var n = net.NeuronCount;
            var b = RandomVector(n, seed);
            var expected = DenseSolve(DenseByDefinition(net), n, b);
            var solver = new LayeredBlockSolver(net);
            var lambda = new double[n];
            solver.Solve(0, b, lambda);
            Assert.True(RelativeError(lambda, expected) < 1e-10, $"error {RelativeError(lambda, expected)}");
            // In place, and a second right-hand side on the same factors.
            var inPlace = (double[])b.Clone();
            solver.Solve(inPlace, inPlace);
            Assert.True(RelativeError(inPlace, expected) < 1e-10);
        }
    }

    [Theory]
    [MemberData(nameof(Cases))]
    public void TheForwardSweepTakenWithTheFactorizationGivesTheSameMultipliers(int[] sizes, double ratio)
    {
        var net = RandomNet(sizes, ratio, 7);
        var n = net.NeuronCount;
        var b = RandomVector(n, 3);
        var separate = new double[n];
        var apart = new LayeredBlockSolver(net);
        apart.Factor(0);
        apart.Solve(b, separate);
        // Factor(t, b) then the back substitution alone, layer by layer from the outputs down.
        var together = new LayeredBlockSolver(net);
        together.Factor(0, b);
        var lambda = new double[n];
        var z = new double[n];
        for (var l = net.LayerCount - 1; l >= 0; l--)
        {
            int size = net.Size(l),
                offset = net.Offset(l);
            var zl = z.AsSpan(0, size);
            zl.Clear();
            if (l + 1 < net.LayerCount)
            {
                int next = net.Size(l + 1),
                    nextOffset = net.Offset(l + 1);
                var w = net.Weights(l + 1);
                for (var i = 0; i < next; i++)
                {
                    var f = net.SigmaPrime[nextOffset + i] * lambda[nextOffset + i];
                    for (var k = 0; k < size; k++)
                    {
                        zl[k] += f * w[i * size + k];
                    }
                }
            }
            together.BackSubstitute(l, zl, lambda.AsSpan(offset, size));
        }
        Assert.True(RelativeError(lambda, separate) < 1e-14);
    }

    [Theory]
    [MemberData(nameof(Cases))]
    public void ConjugateGradientsAgreeWithTheDenseCholeskySolve(int[] sizes, double ratio)
    {
        foreach (var jacobi in new[] { true, false })
        {
            var net = RandomNet(sizes, ratio, 200);
            var n = net.NeuronCount;
            var b = RandomVector(n, 9);
            var expected = DenseSolve(DenseByDefinition(net), n, b);
            var solver = new ConjugateGradientSolver(net, tolerance: 1e-14, jacobi: jacobi);
            var lambda = new double[n];
            var iterations = solver.Solve(0, b, lambda);
            Assert.Equal(iterations, solver.Iterations);
            Assert.True(iterations > 0);
            Assert.True(solver.RelativeResidual <= 1e-14);
            Assert.True(
                RelativeError(lambda, expected) < 1e-10,
                $"jacobi {jacobi}: error {RelativeError(lambda, expected)} after {iterations} iterations"
            );
        }
    }

    [Fact]
    public void ConjugateGradientsReportNonConvergence()
    {
        var net = RandomNet([64, 32, 10], 1, 3);
        var solver = new ConjugateGradientSolver(net, tolerance: 1e-14, maxIterations: 3);
        var failure = Assert.Throws<NumericalFailure>(() =>
            solver.Solve(1.5, RandomVector(net.NeuronCount, 1), new double[net.NeuronCount])
        );
        Assert.Equal(1.5, failure.Time);
        Assert.Contains("no convergence in 3 iterations", failure.Message);
    }

    public static TheoryData<int[], int, int> SingularCases() =>
        new()
        {
            { [3, 4, 2], 1, 2 },
            { [3, 4, 2], 2, 1 },
            { [4, 8, 8, 2], 2, 5 },
            { [4, 8, 8, 2], 3, 1 },
            { [5, 7, 6, 4, 3], 3, 0 },
            { [5, 7, 6, 4, 3], 4, 2 },
            { [64, 32, 10], 1, 30 },
            { [64, 32, 10], 2, 9 },
        };

    /// <summary>
    /// With d_j = -m_W / (B^-1)_jj, B the leading (j+1) x (j+1) block of the matrix with d_j = 0,
    /// the leading block of A through neuron j is exactly singular: the pivot of neuron j, in
    /// layer order, is zero. d is supplied per evaluation, so nothing stops a caller from passing
    /// it. Both direct solvers must stop at that neuron and name it. When j is the last neuron
    /// A itself is singular (positive semidefinite, one zero eigenvalue, b not in its range)
    /// and conjugate gradients must fail too, with or without Jacobi.
    /// </summary>
    [Theory]
    [MemberData(nameof(SingularCases))]
    public void ASingularMatrixFailsWithANamedErrorInEverySolver(int[] sizes, int layer, int neuron)
    {
        var net = RandomNet(sizes, 1e-2, 7);
        var n = net.NeuronCount;
        var j = net.Offset(layer) + neuron;
        net.D[j] = 0;
        var full = DenseByDefinition(net);
        var leading = new double[(j + 1) * (j + 1)];
        for (var r = 0; r <= j; r++)
        {
            full.AsSpan(r * n, j + 1).CopyTo(leading.AsSpan(r * (j + 1), j + 1));
        }
        var unit = new double[j + 1];
        unit[j] = 1;
        net.D[j] = -net.MassW / DenseSolve(leading, j + 1, unit)[j];

        Assert.Equal(j, DenseCholesky.Factor(DenseByDefinition(net), n));

        var block = new LayeredBlockSolver(net);
        var b = RandomVector(n, 3);
        var failure = Assert.Throws<NumericalFailure>(() => block.Solve(2.0, b, new double[n]));
        Assert.Equal(2.0, failure.Time);
        Assert.Contains($"layer {layer}, neuron {neuron}, A[{j}]", failure.Quantity);
        Assert.Contains("non-positive pivot", failure.Message);
        Assert.False(block.IsFactored);

        if (j == n - 1)
        {
            foreach (var jacobi in new[] { true, false })
            {
                var cg = new ConjugateGradientSolver(net, tolerance: 1e-12, maxIterations: 20 * n, jacobi: jacobi);
                var cgFailure = Assert.Throws<NumericalFailure>(() => cg.Solve(2.0, b, new double[n]));
                Assert.Equal("A (conjugate gradients)", cgFailure.Quantity);
            }
        }
    }

    /// <summary>A non-positive diagonal entry stops the Jacobi-preconditioned solver, naming the neuron.</summary>
    [Fact]
    public void JacobiNamesANonPositiveDiagonal()
    {
        var net = RandomNet([4, 8, 8, 2], 1, 2);
        var diagonal = new double[net.NeuronCount];
        net.Diagonal(diagonal);
        var j = net.Offset(2) + 3;
        net.D[j] -= 2 * diagonal[j] * net.MassW;
        var cg = new ConjugateGradientSolver(net);
        var failure = Assert.Throws<NumericalFailure>(() =>
            cg.Solve(0, RandomVector(net.NeuronCount, 1), new double[net.NeuronCount])
        );
        Assert.Contains("layer 2, neuron 3", failure.Quantity);
    }

    [Fact]
    public void NonPositiveMassesAreRefused()
    {
        double[][] weights = [new double[6]];
        Assert.Throws<ArgumentOutOfRangeException>(() => new LayeredNetwork([3, 2], weights, 0, 1));
        Assert.Throws<ArgumentOutOfRangeException>(() =>
            new LayeredNetwork([3, 2], weights, 1, double.PositiveInfinity)
        );
        Assert.Throws<ArgumentException>(() => new LayeredNetwork([3, 2], [new double[5]], 1, 1));
    }
}
