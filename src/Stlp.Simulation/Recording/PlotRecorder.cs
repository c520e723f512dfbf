using ScottPlot;
using Stlp.Simulation.Learning;

namespace Stlp.Simulation.Recording;

/// <summary>
/// PNG plots of a run with ScottPlot, written at its end: coordinates.png, residuals.png (log
/// scale), loss.png, plot.png for the simulate line's <c>plot</c> expressions, and learning.png
/// for a network trained on a data set.
/// </summary>
public sealed class PlotRecorder(string directory) : IRunRecorder
{
    private readonly MemoryRecorder memory = new();

    public void Begin(RunLayout layout) => memory.Begin(layout);

    public void Record(RunSample sample) => memory.Record(sample);

    public void End(RunResult result)
    {
        if (memory.Times.Count <= 1)
        {
            return;
        }
        var layout = memory.Layout;
        var times = memory.Times.ToList();
        var coordinates = layout.CoordinateNames.Take(12).Select(name => (name, memory[name].ToList())).ToList();
        Write(
            directory,
            layout.Model,
            times,
            coordinates,
            [.. memory.MaxAbsG],
            [.. memory.MaxAbsGdot],
            [.. memory.Loss]
        );
        if (layout.PlotLabels.Length > 0)
        {
            WriteExpressions(
                directory,
                layout.Model,
                times,
                [.. layout.PlotLabels.Select((label, k) => (label, memory.Plot(k).ToList()))]
            );
        }
        foreach (var learning in result.Learning.Where(l => l.Epochs.Count > 0).Take(1))
        {
            WriteLearningCurve(directory, layout.Model, learning.Epochs);
        }
    }

    internal static void Write(
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

    /// <summary>
    /// plot.png: the simulate line's `plot` expressions against t. The vertical range follows the
    /// first expression (a pole in a later one, such as 3/e(t) in fig2b, does not flatten it).
    /// </summary>
    internal static void WriteExpressions(
        string directory,
        string model,
        List<double> times,
        IReadOnlyList<(string Label, List<double> Values)> series
    )
    {
        var plot = new ScottPlot.Plot();
        var t = times.ToArray();
        foreach (var (label, values) in series)
        {
            var line = plot.Add.ScatterLine(t, values.Select(v => double.IsFinite(v) ? v : double.NaN).ToArray());
            line.LegendText = label;
        }
        var first = series[0].Values.Where(double.IsFinite).ToArray();
        if (first.Length > 0)
        {
            var (low, high) = (first.Min(), first.Max());
            var pad = Math.Max(0.5 * (high - low), 1e-6);
            plot.Axes.SetLimitsY(low - pad, high + pad);
        }
        plot.Title($"{model}");
        plot.XLabel("t");
        plot.ShowLegend();
        plot.SavePng(Path.Combine(directory, "plot.png"), 900, 520);
    }

    /// <summary>
    /// learning.png: the training loss of the feedforward map at each epoch's end (top) and the
    /// held-out score (bottom), STLP dynamics and the backprop baseline side by side.
    /// </summary>
    internal static void WriteLearningCurve(string directory, string model, IReadOnlyList<EpochScore> curve)
    {
        var epochs = curve.Select(c => (double)c.Epoch).ToArray();
        var baseline = curve.Any(c => double.IsFinite(c.BackpropHeldOut) || double.IsFinite(c.BackpropTrainLoss));

        void Panel(
            ScottPlot.Plot plot,
            string title,
            string label,
            Func<EpochScore, double> stlp,
            Func<EpochScore, double> backprop
        )
        {
            var line = plot.Add.Scatter(epochs, curve.Select(stlp).ToArray());
            line.LegendText = "STLP dynamics";
            if (baseline)
            {
                var other = plot.Add.Scatter(epochs, curve.Select(backprop).ToArray());
                other.LegendText = "backprop (online gradient descent)";
                other.LinePattern = ScottPlot.LinePattern.Dashed;
            }
            plot.ShowLegend();
            plot.Title(title);
            plot.XLabel("epoch");
            plot.YLabel(label);
        }

        var multiplot = new ScottPlot.Multiplot();
        var top = new ScottPlot.Plot();
        multiplot.Reset(top);
        Panel(
            top,
            $"{model}: training loss at each epoch's end",
            "mean loss V",
            c => c.TrainLoss,
            c => c.BackpropTrainLoss
        );
        Panel(
            multiplot.AddPlot(),
            $"{model}: held-out score by epoch",
            "accuracy (classes) or MSE",
            c => c.HeldOut,
            c => c.BackpropHeldOut
        );
        multiplot.SavePng(Path.Combine(directory, "learning.png"), 900, 900);
    }
}
