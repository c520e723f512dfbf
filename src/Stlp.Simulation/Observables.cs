using Microsoft.FSharp.Collections;
using Stlp.Model;

namespace Stlp.Simulation;

/// <summary>
/// What the run loop reads besides the kernel: the loss and the <c>plot</c> expressions at a
/// state, the masses at the start and d/dt log varpi (the backprop-limit rate). Evaluated on
/// the derivation's expressions with the model's signals.
/// </summary>
internal sealed class Observables
{
    private readonly Derivation derivation;
    private readonly FormulaSignals signals;
    private readonly FSharpMap<string, double> parameters;
    private readonly Expr[] plots;
    private readonly Dictionary<Symbol, double> values = [];

    public Observables(Derivation derivation, FormulaSignals signals)
    {
        this.derivation = derivation;
        this.signals = signals;
        parameters = derivation.Model.ParameterValues;
        plots = [.. derivation.Model.Simulation.Plots];
        PlotLabels = [.. plots.Select(Print.text)];
    }

    public string[] PlotLabels { get; }

    private IValues At(double t, ReadOnlySpan<double> y)
    {
        var n = derivation.Q.Length;
        for (var i = 0; i < n && i < y.Length; i++)
        {
            values[derivation.Q[i]] = y[i];
        }
        for (var i = 0; i < n && n + i < y.Length; i++)
        {
            values[derivation.Qdot[i]] = y[n + i];
        }
        return signals.Values(t, parameters, values);
    }

    /// <summary>The loss V at (t, q, qdot); the plot expressions into <paramref name="plotValues"/>.</summary>
    public double Loss(double t, ReadOnlySpan<double> y, Span<double> plotValues)
    {
        var leaves = At(t, y);
        for (var k = 0; k < plots.Length; k++)
        {
            plotValues[k] = Evaluate.eval(leaves, plots[k]);
        }
        return Evaluate.eval(leaves, derivation.Loss);
    }

    /// <summary>Each coordinate's mass at time t (masses are expressions of parameters).</summary>
    public double[] Masses(double t) => [.. derivation.Model.Coordinates.Select(c => Evaluate.eval(At(t, []), c.Mass))];

    /// <summary>d/dt log varpi at t, by a central difference of the dissipation.</summary>
    public double LogDissipationRate(double t)
    {
        var h = 1e-5 * Math.Max(1, Math.Abs(t));
        var dissipation = derivation.Model.Dissipation;
        return (
                Math.Log(Evaluate.eval(At(t + h, []), dissipation))
                - Math.Log(Evaluate.eval(At(t - h, []), dissipation))
            ) / (2 * h);
    }
}
