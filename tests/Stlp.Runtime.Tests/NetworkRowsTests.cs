using Stlp.Runtime.Kernels.Structured;
using Xunit;

namespace Stlp.Runtime.Tests;

public sealed class NetworkRowsTests
{
    /// <summary>
    /// Rows over 7 coordinates: neurons 0..2, weights 3..6, a free coordinate 7 no row touches, and
    /// a bias 8. Row 1 (neuron 1) has in-edges from 0 over weights 3, 4; row 2 (neuron 2) from 0
    /// and 1 over weights 5 and <paramref name="lastWeight"/> (6: private; 3: shared with row 1).
    /// </summary>
    private static NetworkRows Rows(int lastWeight, int seed)
    {
        var rows = new NetworkRows(
            9,
            rowOutput: [0, 1, 2],
            rowEdgeStart: [0, 0, 2, 4],
            edgeSource: [0, 0, 0, 1],
            edgeWeight: [3, 4, 5, lastWeight],
            rowScalarStart: [0, 0, 1, 1],
            scalarCoordinate: [8],
            rowNames: ["x0", "x1", "x2"]
        );
        var random = new Random(seed);
        double Next() => 2 * random.NextDouble() - 1;
        for (var j = 0; j < 3; j++)
        {
            rows.OutputPartial[j] = 1 + 0.1 * Next();
            rows.SumPartial[j] = Next();
        }
        for (var e = 0; e < 4; e++)
        {
            rows.EdgeWeightPartial[e] = Next();
            rows.EdgeSourcePartial[e] = Next();
        }
        rows.ScalarPartial[0] = Next();
        for (var i = 0; i < 9; i++)
        {
            rows.InverseMass[i] = 0.5 + random.NextDouble();
        }
        return rows;
    }

    /// <summary>u - M^-1 G_q' lambda with G_q written out densely.</summary>
    private static double[] ByDefinition(NetworkRows rows, double[] lambda, double[] u)
    {
        var gq = new double[rows.Size, rows.CoordinateCount];
        for (var j = 0; j < rows.Size; j++)
        {
            gq[j, rows.RowOutput[j]] += rows.OutputPartial[j];
            for (var e = rows.RowEdgeStart[j]; e < rows.RowEdgeStart[j + 1]; e++)
            {
                gq[j, rows.EdgeWeight[e]] += rows.SumPartial[j] * rows.EdgeWeightPartial[e];
                gq[j, rows.EdgeSource[e]] += rows.SumPartial[j] * rows.EdgeSourcePartial[e];
            }
            for (var k = rows.RowScalarStart[j]; k < rows.RowScalarStart[j + 1]; k++)
            {
                gq[j, rows.ScalarCoordinate[k]] += rows.ScalarPartial[k];
            }
        }
        var result = new double[rows.CoordinateCount];
        for (var i = 0; i < result.Length; i++)
        {
            var s = 0.0;
            for (var j = 0; j < rows.Size; j++)
            {
                s += gq[j, i] * lambda[j];
            }
            result[i] = u[i] - rows.InverseMass[i] * s;
        }
        return result;
    }

    [Theory]
    [InlineData(6)]
    [InlineData(3)]
    public void AccelerationsMatchTheDenseDefinitionWithPrivateAndSharedWeights(int lastWeight)
    {
        for (var seed = 1; seed <= 5; seed++)
        {
            var rows = Rows(lastWeight, seed);
            var random = new Random(100 + seed);
            var lambda = Enumerable.Range(0, 3).Select(_ => random.NextDouble() - 0.5).ToArray();
            // A zero multiplier still leaves its row's weights their free acceleration.
            lambda[seed % 3] = 0;
            var u = Enumerable.Range(0, 9).Select(_ => random.NextDouble() - 0.5).ToArray();
            var qddot = Enumerable.Repeat(double.NaN, 9).ToArray();
            rows.Accelerations(lambda, u, qddot);
            var expected = ByDefinition(rows, lambda, u);
            for (var i = 0; i < 9; i++)
            {
                Assert.Equal(expected[i], qddot[i], 1e-14);
            }
        }
    }

    /// <summary>
    /// With private weights the accelerations can be taken range by range in any order (the
    /// structured kernel takes them layer by layer from the outputs down): the same values.
    /// </summary>
    [Fact]
    public void AccelerationsTakenRowRangeByRowRangeInReverseGiveTheSameValues()
    {
        var rows = Rows(6, 3);
        Assert.True(rows.HasPrivateWeights);
        Assert.False(Rows(3, 3).HasPrivateWeights);
        var random = new Random(5);
        var lambda = Enumerable.Range(0, 3).Select(_ => random.NextDouble() - 0.5).ToArray();
        var u = Enumerable.Range(0, 9).Select(_ => random.NextDouble() - 0.5).ToArray();
        var qddot = Enumerable.Repeat(double.NaN, 9).ToArray();
        rows.BeginAccelerations(qddot);
        rows.AccelerateRows(2, 3, lambda, u, qddot);
        rows.AccelerateRows(0, 2, lambda, u, qddot);
        rows.EndAccelerations(u, qddot);
        var expected = ByDefinition(rows, lambda, u);
        for (var i = 0; i < 9; i++)
        {
            Assert.Equal(expected[i], qddot[i], 1e-14);
        }
    }

    /// <summary>The loops over the rows read without a check per access: the rows are checked once, when made.</summary>
    [Fact]
    public void RowsNamingACoordinateOutsideTheVectorOrBadOffsetsAreRefused()
    {
        NetworkRows Make(int[] edgeWeight, int[] rowEdgeStart) =>
            new(9, [0, 1, 2], rowEdgeStart, [0, 0, 0, 1], edgeWeight, [0, 0, 1, 1], [8], ["x0", "x1", "x2"]);
        Assert.Contains(
            "coordinate 9",
            Assert.Throws<ArgumentException>(() => Make([3, 4, 5, 9], [0, 0, 2, 4])).Message
        );
        Assert.Contains(
            "rowEdgeStart",
            Assert.Throws<ArgumentException>(() => Make([3, 4, 5, 6], [0, 2, 0, 4])).Message
        );
        Assert.Contains(
            "rowEdgeStart",
            Assert.Throws<ArgumentException>(() => Make([3, 4, 5, 6], [0, 0, 2, 3])).Message
        );
    }

    [Fact]
    public void RowsWhoseWeightsAndSourcesAreConsecutiveAreFound()
    {
        var rows = Rows(6, 1);
        // Row 0 has no edges; row 1's sources are 0, 0 (not consecutive); row 2's weights are 5, 6 and sources 0, 1.
        Assert.Equal([0, 3, 5], rows.RowWeightStart);
        Assert.Equal([0, -1, 0], rows.RowSourceStart);
        Assert.Equal([true, false, true], Enumerable.Range(0, 3).Select(rows.IsConsecutive));
        Assert.Equal([0, 3, -1], Rows(3, 1).RowWeightStart);
    }
}
