using ScottPlot;
using Stlp.Simulation.Recording;
using Xunit;

namespace Stlp.Simulation.Tests;

/// <summary>The plots' contents: the series they should show, labelled axes, ranges that cover the data.</summary>
public sealed class PlotTests
{
    private static (IReadOnlyList<Figure> Figures, RunResult Result) Run(string sample, double t1)
    {
        var memory = new MemoryRecorder();
        var result = Simulator.Run(Models.Sample(sample), new SimulationOptions { T1 = t1, Cache = null }, [memory]);
        return (PlotRecorder.Figures(memory, result), result);
    }

    private static ScottPlot.Plottables.Scatter[] Series(Plot plot) =>
        [.. plot.GetPlottables().OfType<ScottPlot.Plottables.Scatter>()];

    private static void AssertRangeCoversEverySeries(Plot plot)
    {
        var limits = plot.Axes.GetLimits();
        foreach (var series in Series(plot))
        {
            foreach (var p in series.Data.GetScatterPoints().Where(p => double.IsFinite(p.Y)))
            {
                Assert.InRange(p.Y, limits.Bottom, limits.Top);
            }
        }
    }

    [Fact]
    public void ANetworkRunPlotsLayerNormsOutputsWithTargetsAndBothLearningCurvesFromEpochZero()
    {
        var (figures, result) = Run("xor_learn.stlp", 20);
        Assert.Equal(["residuals.png", "loss.png", "coordinates.png", "learning.png"], figures.Select(f => f.File));
        var network = figures.Single(f => f.File == "coordinates.png");
        Assert.Equal(
            ["|W| xor layer 1 (8 weights)", "|W| xor layer 2 (8 weights)"],
            Series(network.Panels[0]).Select(s => s.LegendText)
        );
        Assert.Equal(
            ["x2_1", "target of x2_1", "x2_2", "target of x2_2"],
            Series(network.Panels[1]).Select(s => s.LegendText)
        );
        var learning = figures.Single(f => f.File == "learning.png");
        foreach (var panel in learning.Panels)
        {
            var curves = Series(panel);
            Assert.Equal(["STLP dynamics", "backprop (online gradient descent)"], curves.Select(c => c.LegendText));
            Assert.All(curves, c => Assert.Equal(0.0, c.Data.GetScatterPoints()[0].X));
            Assert.All(curves, c => Assert.Equal(result.Learning[0].Epochs.Count + 1, c.Data.GetScatterPoints().Count));
            Assert.Equal("epoch", panel.Axes.Bottom.Label.Text);
            AssertRangeCoversEverySeries(panel);
        }
        Assert.Equal("training accuracy", learning.Panels[1].Axes.Left.Label.Text);
        foreach (var figure in figures)
        {
            Assert.All(figure.Panels, p => Assert.False(string.IsNullOrEmpty(p.Axes.Left.Label.Text)));
        }
    }

    [Fact]
    public void ThePlotExpressionsRangeCoversEverySeries()
    {
        var (figures, _) = Run("fig2b.stlp", 3);
        var plot = figures.Single(f => f.File == "plot.png").Panels[0];
        Assert.Equal(2, Series(plot).Length);
        AssertRangeCoversEverySeries(plot);
    }
}
