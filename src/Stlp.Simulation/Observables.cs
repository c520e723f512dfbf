using Stlp.Codegen;
using Stlp.Ir;
using Stlp.Model;
using Stlp.Runtime.Signals;

namespace Stlp.Simulation;

/// <summary>
/// What the run loop reads besides the kernel, lowered to the IR (<see cref="Lower.runObservables"/>)
/// and evaluated by <see cref="ObservableEvaluator"/>: the loss and the <c>plot</c> expressions at
/// a state, the masses and d/dt log varpi (the backprop-limit rate). No expression is walked here.
/// </summary>
internal sealed class Observables
{
    private const int LossOutput = 0;
    private const int RateOutput = 1;
    private const int FirstMass = 2;

    private readonly ObservableEvaluator evaluator;
    private readonly double[] parameters;
    private readonly (PresentedSignal Signal, int Order)[] signalSources;
    private readonly double[] signals;
    private readonly double[] outputs;
    private readonly int n;

    public Observables(Derivation derivation, double[] parameterValues, IReadOnlyList<DataSetSignals> dataSets)
    {
        var program = Lower.runObservables(derivation);
        evaluator = new ObservableEvaluator(program);
        n = derivation.N;
        parameters = parameterValues;
        signalSources =
        [
            .. program.SignalInputs.Select(s => (dataSets.First(d => d.Has(s.Name)).Signal(s.Name), s.Order)),
        ];
        signals = new double[signalSources.Length];
        outputs = new double[program.Outputs.Length];
        PlotLabels = program.OutputNames[(FirstMass + n)..];
    }

    public string[] PlotLabels { get; }

    private void At(double t, ReadOnlySpan<double> q, ReadOnlySpan<double> qdot)
    {
        for (var k = 0; k < signalSources.Length; k++)
        {
            signals[k] = signalSources[k].Signal.At(t, signalSources[k].Order);
        }
        evaluator.Evaluate(t, q, qdot, parameters, signals, outputs);
    }

    /// <summary>The loss V at (t, q, qdot); the plot expressions into <paramref name="plotValues"/>.</summary>
    public double Loss(double t, ReadOnlySpan<double> y, Span<double> plotValues)
    {
        At(t, y[..n], y[n..]);
        outputs.AsSpan(FirstMass + n).CopyTo(plotValues);
        return outputs[LossOutput];
    }

    /// <summary>Each coordinate's mass at time t (masses are expressions of parameters).</summary>
    public double[] Masses(double t)
    {
        At(t, new double[n], new double[n]);
        return outputs[FirstMass..(FirstMass + n)];
    }

    /// <summary>d/dt log varpi at t, differentiated symbolically.</summary>
    public double LogDissipationRate(double t)
    {
        At(t, new double[n], new double[n]);
        return outputs[RateOutput];
    }
}
