using System.Diagnostics;
using Stlp.Codegen;
using Stlp.Model;
using Stlp.Runtime.Baselines;
using Stlp.Runtime.Signals;

namespace Stlp.Simulation.Learning;

/// <summary>
/// After a run: a network trained on a data set is evaluated as a feedforward map with the
/// weights the run reached, on the held-out rows (accuracy for one-hot classes, MSE otherwise),
/// at the end and at the end of every epoch the run reached. Beside it, the same layered network
/// from the same initial weights trained by plain backprop (online gradient descent, same order and
/// epochs, at the rate the backprop limit gives: tau / gamma with gamma = m_W varpi'/varpi).
/// </summary>
public sealed class LearningEvaluation
{
    private readonly NetworkInfo network;
    private readonly DataSet spec;
    private readonly DataSetSignals data;
    private readonly IReadOnlyList<string> coordinateNames;
    private readonly ObservableEvaluator predictor;
    private readonly double[] parameters;

    /// <summary>For each signal input of the lowered map, the data column it reads (-1: a derivative, 0).</summary>
    private readonly int[] featureOf;
    private readonly double[] signals;
    private readonly double[] outputs;

    /// <summary>The map reads no velocities; zeros, allocated once.</summary>
    private double[]? noVelocities;

    public LearningEvaluation(
        Derivation derivation,
        NetworkInfo network,
        DataSet spec,
        DataSetSignals data,
        IReadOnlyList<string> coordinateNames
    )
    {
        this.network = network;
        this.spec = spec;
        this.data = data;
        this.coordinateNames = coordinateNames;
        var map = Prediction.program(derivation, network);
        predictor = new ObservableEvaluator(map);
        var parameterValues = derivation.Model.ParameterValues;
        parameters = [.. map.ParameterNames.Select(name => parameterValues[name])];
        var features = Enumerable.Range(0, spec.Features.Length).ToDictionary(i => spec.FeatureSignal(i));
        featureOf =
        [
            .. map.SignalInputs.Select(s =>
                s.Order > 0 ? -1
                : features.TryGetValue(s.Name, out var column) ? column
                : throw new NotSupportedException(
                    $"network '{network.Name}' reads signal '{s.Name}', which is not a feature of data set '{spec.Name}'"
                )
            ),
        ];
        signals = new double[featureOf.Length];
        outputs = new double[map.Outputs.Length];
    }

    public string Metric => spec.OneHot ? "accuracy" : "mse";

    /// <summary>The network's outputs for one data row, with the coordinates q (the lowered feedforward map).</summary>
    public double[] Predict(ReadOnlySpan<double> q, int row)
    {
        var features = data.Features[row];
        for (var k = 0; k < featureOf.Length; k++)
        {
            signals[k] = featureOf[k] < 0 ? 0 : features[featureOf[k]];
        }
        predictor.Evaluate(0, q, noVelocities ??= new double[q.Length], parameters, signals, outputs);
        return [.. outputs];
    }

    /// <summary>Accuracy (one-hot) or MSE of the feedforward map on the rows.</summary>
    public double Score(double[] q, int[] rows) => Score(MapAt(q), rows);

    /// <summary>The mean over the training rows of the network's loss term.</summary>
    public double TrainingLoss(double[] q)
    {
        var map = MapAt(q);
        return data.TrainRows.Length == 0
            ? double.NaN
            : data.TrainRows.Average(row => RowLoss(network.LossKind, map(row), data.Targets[row]));
    }

    private FeedforwardLayout? layout;
    private bool layoutTried;

    /// <summary>
    /// The feedforward map at q, row by row: the hand-written layered forward pass when the network
    /// has one and it agrees with the lowered map (<see cref="Predict"/>, the reference) on a few
    /// rows at this q; else the lowered map, interpreted. At 784-100-10 the hand pass is about a
    /// hundred times faster, which is most of an evaluation's time.
    /// </summary>
    private Func<int, double[]> MapAt(double[] q)
    {
        if (!layoutTried)
        {
            layoutTried = true;
            try
            {
                layout = FeedforwardLayout.Of(network, coordinateNames);
            }
            catch (NotSupportedException)
            {
                layout = null;
            }
        }
        if (layout is not null)
        {
            var mlp = layout.Backprop(q);
            var agrees = data
                .TrainRows.Take(3)
                .Concat(data.HeldOutRows.Take(2))
                .All(row => Agree(Predict(q, row), mlp.Predict(data.Features[row])));
            if (agrees)
            {
                return row => mlp.Predict(data.Features[row]);
            }
        }
        return row => Predict(q, row);
    }

    /// <summary>The same outputs up to round-off (1e-9 relative): the tolerance the baseline's check uses.</summary>
    private static bool Agree(double[] symbolic, double[] hand) =>
        symbolic.Length == hand.Length
        && symbolic.Zip(hand).All(p => Math.Abs(p.First - p.Second) <= 1e-9 * (1 + Math.Abs(p.First)));

    /// <summary>
    /// The evaluation: at every epoch end the run reached (<paramref name="epochEnds"/>, the
    /// coordinates there), at the end, and the baseline trained at <paramref name="backpropRate"/>.
    /// </summary>
    public NetworkLearning Evaluate(
        double[] initial,
        IReadOnlyList<double[]> epochEnds,
        double[] final,
        double backpropRate
    )
    {
        var epochs = epochEnds
            .Select((q, k) => new EpochScore(k + 1, Score(q, data.HeldOutRows), TrainingLoss(q)))
            .ToList();
        var backprop = Baseline(initial, epochs, backpropRate);
        var start = new EpochScore(0, Score(initial, data.HeldOutRows), TrainingLoss(initial));
        if (backprop.Available)
        {
            start = start with { BackpropHeldOut = start.HeldOut, BackpropTrainLoss = start.TrainLoss };
        }
        return new NetworkLearning(
            network.Name,
            spec.Name,
            data.TrainRows.Length,
            data.HeldOutRows.Length,
            Metric,
            Score(final, data.HeldOutRows),
            Score(final, data.TrainRows),
            start,
            epochs,
            backprop
        );
    }

    /// <summary>
    /// Plain backprop on the same network, or why there is none (a digraph, a form that is not
    /// sigma(w.x + b), an activation without a hand-written derivative, no positive rate).
    /// </summary>
    private BackpropOutcome Baseline(double[] initial, List<EpochScore> epochs, double rate)
    {
        BackpropMlp mlp;
        try
        {
            mlp = FeedforwardLayout.Of(network, coordinateNames).Backprop(initial);
        }
        catch (NotSupportedException e)
        {
            return BackpropOutcome.None(e.Message);
        }
        // The same map? Compare with the symbolic feedforward evaluation on a few rows.
        foreach (var row in data.TrainRows.Take(5))
        {
            if (!Agree(Predict(initial, row), mlp.Predict(data.Features[row])))
            {
                return BackpropOutcome.None("the network's neuron form is not sigma(sum w x + b)");
            }
        }
        if (!(rate > 0) || !double.IsFinite(rate))
        {
            return BackpropOutcome.None("no backprop-limit rate: varpi'/varpi is not positive");
        }
        var heldOut = new List<double>();
        var losses = new List<double>();
        var clock = Stopwatch.StartNew();
        for (var e = 1; e <= spec.Epochs; e++)
        {
            foreach (var row in data.TrainRows)
            {
                mlp.Step(data.Features[row], data.Targets[row], rate);
            }
            clock.Stop();
            var score = Score(row => mlp.Predict(data.Features[row]), data.HeldOutRows);
            var loss = data.TrainRows.Average(r => mlp.Loss(data.Features[r], data.Targets[r]));
            heldOut.Add(score);
            losses.Add(loss);
            if (e <= epochs.Count)
            {
                epochs[e - 1] = epochs[e - 1] with { BackpropHeldOut = score, BackpropTrainLoss = loss };
            }
            clock.Start();
        }
        clock.Stop();
        return new BackpropOutcome
        {
            Available = true,
            RatePerExample = rate,
            HeldOut = Score(row => mlp.Predict(data.Features[row]), data.HeldOutRows),
            Train = Score(row => mlp.Predict(data.Features[row]), data.TrainRows),
            HeldOutByEpoch = heldOut,
            TrainLossByEpoch = losses,
            WallTimeSeconds = clock.Elapsed.TotalSeconds,
        };
    }

    /// <summary>Accuracy (one-hot) or MSE on the rows of any predictor of a row's outputs.</summary>
    public double Score(Func<int, double[]> predict, int[] rows)
    {
        var total = 0.0;
        foreach (var row in rows)
        {
            var outputs = predict(row);
            total += spec.OneHot
                ? (ArgMax(outputs) == ArgMax(data.Targets[row]) ? 1 : 0)
                : (outputs[0] - data.Targets[row][0]) * (outputs[0] - data.Targets[row][0]);
        }
        return rows.Length == 0 ? double.NaN : total / rows.Length;
    }

    private static double RowLoss(string kind, double[] outputs, double[] targets)
    {
        var sum = 0.0;
        for (var i = 0; i < outputs.Length; i++)
        {
            sum +=
                kind == "crossentropy"
                    ? -(targets[i] * Math.Log(outputs[i]) + (1 - targets[i]) * Math.Log(1 - outputs[i]))
                    : 0.5 * (targets[i] - outputs[i]) * (targets[i] - outputs[i]);
        }
        return sum;
    }

    private static int ArgMax(double[] xs)
    {
        var best = 0;
        for (var i = 1; i < xs.Length; i++)
        {
            if (xs[i] > xs[best])
            {
                best = i;
            }
        }
        return best;
    }
}
