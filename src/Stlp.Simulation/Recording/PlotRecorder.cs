using ScottPlot;
using Stlp.Simulation.Learning;

namespace Stlp.Simulation.Recording;

/// <summary>One PNG of a run: its file name and its panels (stacked), which tests can inspect before it is saved.</summary>
public sealed class Figure
{
    private readonly Multiplot? stack;

    internal Figure(string file, int width, int height, int panels)
    {
        File = file;
        (Width, Height) = (width, height);
        if (panels == 1)
        {
            Panels = [new Plot()];
            return;
        }
        stack = new Multiplot();
        var first = new Plot();
        stack.Reset(first);
        Panels = [first, .. Enumerable.Range(1, panels - 1).Select(_ => stack.AddPlot())];
    }

    public string File { get; }
    public int Width { get; }
    public int Height { get; }
    public IReadOnlyList<Plot> Panels { get; }

    public void Save(string directory)
    {
        var path = Path.Combine(directory, File);
        if (stack is null)
        {
            Panels[0].SavePng(path, Width, Height);
        }
        else
        {
            stack.SavePng(path, Width, Height);
        }
    }
}

/// <summary>
/// PNG plots of a run with ScottPlot, written at its end: residuals.png (log scale), loss.png,
/// coordinates.png (for a network: each layer's weight norm and the outputs against their
/// targets; otherwise the first coordinates), plot.png for the simulate line's <c>plot</c>
/// expressions, and learning.png for a network trained on a data set. Every axis names its
/// quantity, the vertical range covers every series, legends sit beside the data.
/// </summary>
public sealed class PlotRecorder(string directory) : IRunRecorder
{
    private readonly MemoryRecorder memory = new();

    public void Begin(RunLayout layout) => memory.Begin(layout);

    public void Record(RunSample sample) => memory.Record(sample);

    public void End(RunResult result)
    {
        foreach (var figure in Figures(memory, result))
        {
            figure.Save(directory);
        }
    }

    /// <summary>The figures of a recorded run (none before two samples).</summary>
    public static IReadOnlyList<Figure> Figures(MemoryRecorder run, RunResult result)
    {
        if (run.Times.Count <= 1)
        {
            return [];
        }
        var layout = run.Layout;
        var t = run.Times.ToArray();
        var figures = new List<Figure> { Residuals(layout.Model, t, run), Loss(layout.Model, t, run) };
        figures.Add(layout.Networks.Count > 0 ? Networks(layout, t, run) : Coordinates(layout, t, run));
        if (layout.PlotLabels.Length > 0)
        {
            var figure = new Figure("plot.png", 900, 520, 1);
            var plot = figure.Panels[0];
            for (var k = 0; k < layout.PlotLabels.Length; k++)
            {
                Line(plot, t, run.Plot(k), layout.PlotLabels[k]);
            }
            Label(plot, layout.Model, "t", "value");
            CoverAll(plot);
            figures.Add(figure);
        }
        if (result.Learning.FirstOrDefault(l => l.Epochs.Count > 0) is { } learning)
        {
            figures.Add(LearningCurve(layout.Model, learning));
        }
        return figures;
    }

    private static Figure Residuals(string model, double[] t, MemoryRecorder run)
    {
        var figure = new Figure("residuals.png", 900, 520, 1);
        var plot = figure.Panels[0];
        static double[] Log(IEnumerable<double> xs) => [.. xs.Select(x => Math.Log10(Math.Max(x, 1e-18)))];
        Line(plot, t, Log(run.MaxAbsG), "max |G|");
        Line(plot, t, Log(run.MaxAbsGdot), "max |Gdot|");
        plot.Axes.Left.TickGenerator = new ScottPlot.TickGenerators.NumericAutomatic
        {
            LabelFormatter = y => $"1e{y:0}",
        };
        Label(plot, $"{model}: constraint residuals", "t", "residual (log scale)");
        return figure;
    }

    private static Figure Loss(string model, double[] t, MemoryRecorder run)
    {
        var figure = new Figure("loss.png", 900, 520, 1);
        var plot = figure.Panels[0];
        Line(plot, t, [.. run.Loss], "V");
        Label(plot, $"{model}: loss V", "t", "V");
        CoverAll(plot);
        return figure;
    }

    /// <summary>The first twelve coordinates: a model without networks.</summary>
    private static Figure Coordinates(RunLayout layout, double[] t, MemoryRecorder run)
    {
        var figure = new Figure("coordinates.png", 900, 520, 1);
        var plot = figure.Panels[0];
        foreach (var name in layout.CoordinateNames.Take(12))
        {
            Line(plot, t, run[name], name);
        }
        var more = layout.N > 12 ? $" (first 12 of {layout.N}; choose others with plot)" : "";
        Label(plot, $"{layout.Model}: coordinates{more}", "t", "q");
        CoverAll(plot);
        return figure;
    }

    /// <summary>For networks: each layer's weight norm, and the outputs with their targets.</summary>
    private static Figure Networks(RunLayout layout, double[] t, MemoryRecorder run)
    {
        var figure = new Figure("coordinates.png", 900, 900, 2);
        var (norms, outputs) = (figure.Panels[0], figure.Panels[1]);
        foreach (var network in layout.Networks)
        {
            for (var l = 0; l < network.WeightsByLayer.Length; l++)
            {
                var weights = network.WeightsByLayer[l];
                double[] norm = [.. run.States.Select(s => Math.Sqrt(weights.Sum(i => s[i] * s[i])))];
                var label = network.WeightsByLayer.Length > 1 ? $"{network.Name} layer {l + 1}" : network.Name;
                Line(norms, t, norm, $"|W| {label} ({weights.Length} weights)");
            }
            for (var k = 0; k < network.Outputs.Length; k++)
            {
                var output = Line(
                    outputs,
                    t,
                    [.. run.States.Select(s => s[network.Outputs[k]])],
                    network.OutputNames[k]
                );
                if (network.Targets[k] >= 0)
                {
                    var target = Line(
                        outputs,
                        t,
                        run.Target(network.Targets[k]),
                        $"target of {network.OutputNames[k]}"
                    );
                    target.Color = output.Color;
                    target.LinePattern = LinePattern.Dotted;
                }
            }
        }
        Label(norms, $"{layout.Model}: weight norm per layer", "t", "Frobenius norm |W|");
        Label(outputs, $"{layout.Model}: outputs (solid) and targets (dotted)", "t", "output neuron value");
        CoverAll(norms);
        CoverAll(outputs);
        return figure;
    }

    /// <summary>
    /// learning.png: the training loss of the feedforward map at each epoch's end (top) and the
    /// held-out score (bottom), from epoch 0 (the initial weights), STLP dynamics and the backprop
    /// baseline side by side.
    /// </summary>
    private static Figure LearningCurve(string model, NetworkLearning learning)
    {
        var figure = new Figure("learning.png", 900, 900, 2);
        EpochScore[] curve = [learning.Initial, .. learning.Epochs];
        double[] epochs = [.. curve.Select(c => (double)c.Epoch)];
        var baseline = learning.Backprop.Available;

        void Panel(
            Plot plot,
            string title,
            string label,
            Func<EpochScore, double> stlp,
            Func<EpochScore, double> backprop
        )
        {
            var line = plot.Add.Scatter(epochs, curve.Select(stlp).Select(Finite).ToArray());
            line.LegendText = "STLP dynamics";
            if (baseline)
            {
                var other = plot.Add.Scatter(epochs, curve.Select(backprop).Select(Finite).ToArray());
                other.LegendText = "backprop (online gradient descent)";
                other.LinePattern = LinePattern.Dashed;
            }
            Label(plot, title, "epoch", label);
            CoverAll(plot);
        }

        Panel(
            figure.Panels[0],
            $"{model}: training loss at each epoch's end",
            "mean loss V over the training rows",
            c => c.TrainLoss,
            c => c.BackpropTrainLoss
        );
        var heldOut = learning.HeldOutRows > 0;
        Panel(
            figure.Panels[1],
            $"{model}: {(heldOut ? "held-out" : "training")} {learning.Metric} by epoch",
            $"{(heldOut ? "held-out" : "training")} {learning.Metric}",
            c => c.HeldOut,
            c => c.BackpropHeldOut
        );
        return figure;
    }

    private static ScottPlot.Plottables.Scatter Line(Plot plot, double[] t, double[] values, string label)
    {
        var line = plot.Add.ScatterLine(t, values.Select(Finite).ToArray());
        line.LegendText = label;
        return line;
    }

    private static double Finite(double v) => double.IsFinite(v) ? v : double.NaN;

    private static void Label(Plot plot, string title, string x, string y)
    {
        plot.Title(title);
        plot.XLabel(x);
        plot.YLabel(y);
        if (plot.GetPlottables().Any(p => p is ScottPlot.Plottables.Scatter { LegendText.Length: > 0 }))
        {
            // Beside the data area, never over it.
            plot.ShowLegend(Edge.Right);
        }
    }

    /// <summary>The axis ranges cover the finite values of every series.</summary>
    private static void CoverAll(Plot plot)
    {
        var points = plot.GetPlottables()
            .OfType<ScottPlot.Plottables.Scatter>()
            .SelectMany(s => s.Data.GetScatterPoints())
            .Where(p => double.IsFinite(p.X) && double.IsFinite(p.Y))
            .ToArray();
        if (points.Length == 0)
        {
            return;
        }
        var (low, high) = (points.Min(p => p.Y), points.Max(p => p.Y));
        var pad = Math.Max(0.05 * (high - low), 1e-9 * Math.Max(1, Math.Abs(high)));
        plot.Axes.SetLimitsY(low - pad, high + pad);
        var (left, right) = (points.Min(p => p.X), points.Max(p => p.X));
        plot.Axes.SetLimitsX(left, right > left ? right : left + 1);
    }
}
