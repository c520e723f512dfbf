using Stlp.Runtime.Signals;
using Xunit;

namespace Stlp.Runtime.Tests;

public class PresentedSignalTests
{
    [Fact]
    public void TheMollifierIntegratesToOne()
    {
        var m = new Mollifier(0.05);
        Assert.Equal(1.0, m.Step(0.05 - 1e-15), 12);
        Assert.Equal(0.5, m.Step(0.0), 12);
        // The density is the derivative of the step (central difference, h = 1e-6).
        foreach (var t in new[] { -0.04, -0.01, 0.0, 0.02, 0.045 })
        {
            var fd = (m.Step(t + 1e-6) - m.Step(t - 1e-6)) / 2e-6;
            Assert.Equal(m.Density(t), fd, 6);
        }
    }

    [Fact]
    public void ValuesAreHeldBetweenSwitchesAndCycle()
    {
        var s = new PresentedSignal([1.0, -2.0, 3.0], present: 0.5, mollify: 0.05, cycles: 2);
        Assert.Equal(1.0, s.At(0.25).Value, 14);
        Assert.Equal(-2.0, s.At(0.75).Value, 14);
        Assert.Equal(3.0, s.At(1.25).Value, 14);
        Assert.Equal(1.0, s.At(1.75).Value, 14);
        Assert.Equal(0.0, s.At(0.75).Rate);
        // Halfway through a switch: the mean of the two values.
        Assert.Equal(-0.5, s.At(0.5).Value, 12);
    }

    [Theory]
    [InlineData(0.47)]
    [InlineData(0.49)]
    [InlineData(0.5)]
    [InlineData(0.52)]
    [InlineData(1.03)]
    public void DerivativesMatchFiniteDifferences(double t)
    {
        var s = new PresentedSignal([1.0, -2.0, 3.0], present: 0.5, mollify: 0.05, cycles: 2);
        const double h = 1e-6;
        var rateFd = (s.At(t + h).Value - s.At(t - h).Value) / (2 * h);
        var accelerationFd = (s.At(t + h).Rate - s.At(t - h).Rate) / (2 * h);
        var at = s.At(t);
        Assert.True(Math.Abs(at.Rate - rateFd) <= 1e-6 * (1 + Math.Abs(at.Rate)), $"rate {at.Rate} vs {rateFd}");
        Assert.True(
            Math.Abs(at.Acceleration - accelerationFd) <= 1e-5 * (1 + Math.Abs(at.Acceleration)),
            $"acceleration {at.Acceleration} vs {accelerationFd}"
        );
    }

    [Fact]
    public void AWidthOfHalfThePresentationTimeIsRefused()
    {
        var e = Assert.Throws<ArgumentOutOfRangeException>(() => new PresentedSignal([1.0], 0.5, 0.25, 1));
        Assert.Contains("(0, present/2)", e.Message);
    }
}

public sealed class DataSetSignalTests
{
    [Fact]
    public void RowsAreSplitStandardizedAndPresentedInTrainingOrder()
    {
        double[][] features =
        [
            [1, 10],
            [2, 20],
            [3, 30],
            [4, 40],
            [5, 50],
            [6, 60],
        ];
        string[] labels = ["x", "y", "x", "y", "x", "y"];
        var d = new DataSetSignals(new DataSetSpec("D", true, 1.0, 0.1, 2, 2.0 / 3, 7, true), features, labels);
        Assert.Equal(["x", "y"], d.Classes);
        Assert.Equal(4, d.TrainRows.Length);
        Assert.Equal(2, d.HeldOutRows.Length);
        Assert.Empty(d.TrainRows.Intersect(d.HeldOutRows));
        // Standardized on the training rows: mean 0, deviation 1.
        var trained = d.TrainRows.Select(r => d.Features[r][0]).ToArray();
        Assert.Equal(0.0, trained.Average(), 12);
        Assert.Equal(1.0, Math.Sqrt(trained.Select(v => v * v).Average()), 12);
        // Mid-presentation of the k-th training row (second epoch too): its feature and one-hot target.
        for (var k = 0; k < 8; k++)
        {
            var row = d.TrainRows[k % 4];
            Assert.Equal(d.Features[row][1], d.Value("D_in2", 0, k + 0.5), 12);
            Assert.Equal(d.Targets[row][1], d.Value("D_y2", 0, k + 0.5), 12);
            Assert.Equal(0.0, d.Value("D_in2", 1, k + 0.5));
        }
        Assert.Equal(8.0, d.Duration);
    }

    [Fact]
    public void WithoutShuffleTheFirstRowsTrainInFileOrder()
    {
        double[][] features = [.. Enumerable.Range(0, 10).Select(r => new double[] { r })];
        string[] labels = [.. Enumerable.Range(0, 10).Select(r => (r % 2).ToString())];
        var d = new DataSetSignals(
            new DataSetSpec("D", true, 1.0, 0.1, 1, 0.8, 7, false, Shuffle: false),
            features,
            labels
        );
        Assert.Equal(Enumerable.Range(0, 8), d.TrainRows);
        Assert.Equal([8, 9], d.HeldOutRows);
        for (var k = 0; k < 8; k++)
        {
            Assert.Equal(k, d.Value("D_in1", 0, k + 0.5), 12);
        }
        // The default shuffles with the seed.
        var shuffled = new DataSetSignals(new DataSetSpec("D", true, 1.0, 0.1, 1, 0.8, 7, false), features, labels);
        Assert.NotEqual(Enumerable.Range(0, 8), shuffled.TrainRows);
    }
}
