namespace Stlp.Cli;

/// <summary>PNG plots of a run with ScottPlot: coordinates, constraint residuals (log scale), loss.</summary>
public static class RunPlots
{
    public static void Write(
        string directory,
        string model,
        List<double> times,
        IReadOnlyList<(string Name, List<double> Values)> coordinates,
        List<double> residualG,
        List<double> residualGdot,
        List<double> loss
    )
    {
        var t = times.ToArray();
        {
            var plot = new ScottPlot.Plot();
            foreach (var (name, values) in coordinates.Take(12))
            {
                var line = plot.Add.ScatterLine(t, values.ToArray());
                line.LegendText = name;
            }
            plot.Title($"{model}: coordinates");
            plot.XLabel("t");
            plot.ShowLegend();
            plot.SavePng(Path.Combine(directory, "coordinates.png"), 900, 520);
        }
        {
            var plot = new ScottPlot.Plot();
            static double[] Log(List<double> xs) => [.. xs.Select(x => Math.Log10(Math.Max(x, 1e-18)))];
            var g = plot.Add.ScatterLine(t, Log(residualG));
            g.LegendText = "max |G|";
            var gdot = plot.Add.ScatterLine(t, Log(residualGdot));
            gdot.LegendText = "max |Gdot|";
            plot.Axes.Left.TickGenerator = new ScottPlot.TickGenerators.NumericAutomatic
            {
                LabelFormatter = y => $"1e{y:0}",
            };
            plot.Title($"{model}: constraint residuals");
            plot.XLabel("t");
            plot.YLabel("residual (log scale)");
            plot.ShowLegend();
            plot.SavePng(Path.Combine(directory, "residuals.png"), 900, 520);
        }
        {
            var plot = new ScottPlot.Plot();
            plot.Add.ScatterLine(t, loss.ToArray());
            plot.Title($"{model}: loss V");
            plot.XLabel("t");
            plot.YLabel("V");
            plot.SavePng(Path.Combine(directory, "loss.png"), 900, 520);
        }
    }
}
