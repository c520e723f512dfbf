using System.Diagnostics;
using System.Text.Json.Nodes;
using Stlp.Model;
using Stlp.Runtime.Baselines;
using Stlp.Runtime.Signals;

namespace Stlp.Cli;

/// <summary>
/// After a run: each network trained on a data set is evaluated as a feedforward map with the
/// weights the run reached, on the held-out rows (accuracy for one-hot classes, MSE otherwise),
/// at the end and at the end of every epoch the run reached. Beside it, the same layered network
/// from the same initial weights trained by plain backprop (online gradient descent, same order and
/// epochs, at the rate the backprop limit gives: tau / gamma with gamma = m_W varpi'/varpi).
/// </summary>
public static class NetworkEvaluation
{
    /// <summary>One epoch's end: held-out score and training loss, STLP and (when available) backprop.</summary>
    public sealed record EpochPoint(int Epoch, double Score, double Loss)
    {
        public double BackpropScore { get; init; } = double.NaN;
        public double BackpropLoss { get; init; } = double.NaN;
    }

    public static JsonArray Evaluate(
        Stlp.Model.Model model,
        IReadOnlyList<DataSetSignals> dataSets,
        string[] coordinateNames,
        List<double> times,
        IReadOnlyList<(string Name, List<double> Values)> series,
        List<EpochPoint> curve,
        Func<double, Expr, double> evaluateAt
    )
    {
        var results = new JsonArray();
        foreach (var network in model.Networks)
        {
            if (network.DataSet is null || times.Count == 0)
            {
                continue;
            }
            var spec = model.DataSets.First(d => d.Name == network.DataSet.Value);
            var data = dataSets[model.DataSets.ToList().IndexOf(spec)];
            var predictor = new Prediction.Predictor(model, network);

            Dictionary<string, double> WeightsAt(int timeIndex)
            {
                var weights = new Dictionary<string, double>();
                for (var i = 0; i < coordinateNames.Length; i++)
                {
                    weights[coordinateNames[i]] = series[i].Values[timeIndex];
                }
                return weights;
            }

            // The training loss of the feedforward map with the weights at a time: the mean over
            // the rows of the network's loss term (quadratic, or cross-entropy on logistic outputs).
            double TrainingLoss(int timeIndex)
            {
                var weights = WeightsAt(timeIndex);
                var total = 0.0;
                foreach (var row in data.TrainRows)
                {
                    var outputs = predictor.Predict(weights, name => Feature(data, row, name));
                    total += RowLoss(network.LossKind, outputs, data.Targets[row]);
                }
                return total / data.TrainRows.Length;
            }

            double Score(int timeIndex, int[] rows)
            {
                var weights = WeightsAt(timeIndex);
                var correct = 0.0;
                foreach (var row in rows)
                {
                    var outputs = predictor.Predict(weights, name => Feature(data, row, name));
                    if (spec.OneHot)
                    {
                        correct += ArgMax(outputs) == ArgMax(data.Targets[row]) ? 1 : 0;
                    }
                    else
                    {
                        correct += (outputs[0] - data.Targets[row][0]) * (outputs[0] - data.Targets[row][0]);
                    }
                }
                return rows.Length == 0 ? double.NaN : correct / rows.Length;
            }

            var epochLength = data.Duration / Math.Max(1, spec.Epochs);
            for (var e = 1; e <= spec.Epochs; e++)
            {
                var at = model.Simulation.T0 + e * epochLength;
                if (at > times[^1] + 1e-9)
                {
                    break;
                }
                var index = times.FindLastIndex(t => t <= at + 1e-9);
                curve.Add(new EpochPoint(e, Score(index, data.HeldOutRows), TrainingLoss(index)));
            }
            var baseline = Baseline(model, network, spec, data, WeightsAt(0), curve, evaluateAt);
            var metric = spec.OneHot ? "accuracy" : "mse";
            results.Add(
                new JsonObject
                {
                    ["network"] = network.Name,
                    ["data_set"] = spec.Name,
                    ["train_rows"] = data.TrainRows.Length,
                    ["held_out_rows"] = data.HeldOutRows.Length,
                    ["metric"] = metric,
                    ["held_out"] = Finite(Score(times.Count - 1, data.HeldOutRows)),
                    ["train"] = Finite(Score(times.Count - 1, data.TrainRows)),
                    ["held_out_by_epoch"] = new JsonArray([.. curve.Select(c => Finite(c.Score))]),
                    ["train_loss_by_epoch"] = new JsonArray([.. curve.Select(c => Finite(c.Loss))]),
                    ["backprop"] = baseline,
                }
            );
        }
        return results;
    }

    /// <summary>
    /// Plain backprop on the same network, or a note saying why there is none (a digraph, a
    /// form that is not sigma(w.x + b), an activation without a hand-written derivative).
    /// </summary>
    private static JsonObject Baseline(
        Stlp.Model.Model model,
        NetworkInfo network,
        DataSet spec,
        DataSetSignals data,
        Dictionary<string, double> initial,
        List<EpochPoint> curve,
        Func<double, Expr, double> evaluateAt
    )
    {
        BackpropMlp mlp;
        try
        {
            mlp = LayeredFromModel(network, initial);
        }
        catch (NotSupportedException e)
        {
            return new JsonObject { ["available"] = false, ["reason"] = e.Message };
        }
        // The same map? Compare with the symbolic feedforward evaluation on a few rows.
        var predictor = new Prediction.Predictor(model, network);
        foreach (var row in data.TrainRows.Take(5))
        {
            var symbolic = predictor.Predict(initial, name => Feature(data, row, name));
            var hand = mlp.Predict(data.Features[row]);
            if (symbolic.Zip(hand).Any(p => Math.Abs(p.First - p.Second) > 1e-9 * (1 + Math.Abs(p.First))))
            {
                return new JsonObject
                {
                    ["available"] = false,
                    ["reason"] = "the network's neuron form is not sigma(sum w x + b)",
                };
            }
        }
        var t0 = model.Simulation.T0;
        var massW = evaluateAt(t0, model.Coordinates.First(c => c.Name == network.Weights[0]).Mass);
        var h = 1e-5 * Math.Max(1, Math.Abs(t0));
        var theta =
            (Math.Log(evaluateAt(t0 + h, model.Dissipation)) - Math.Log(evaluateAt(t0 - h, model.Dissipation)))
            / (2 * h);
        var gamma = theta * massW;
        if (!(gamma > 0))
        {
            return new JsonObject
            {
                ["available"] = false,
                ["reason"] = "no backprop-limit rate: varpi'/varpi is not positive",
            };
        }
        var rate = spec.Present / gamma;
        var byEpoch = new JsonArray();
        var lossByEpoch = new JsonArray();
        var clock = Stopwatch.StartNew();
        for (var e = 1; e <= spec.Epochs; e++)
        {
            foreach (var row in data.TrainRows)
            {
                mlp.Step(data.Features[row], data.Targets[row], rate);
            }
            clock.Stop();
            var score = Score(mlp, data, data.HeldOutRows, spec.OneHot);
            byEpoch.Add(Finite(score));
            var loss = data.TrainRows.Average(r => mlp.Loss(data.Features[r], data.Targets[r]));
            lossByEpoch.Add(Finite(loss));
            var k = curve.FindIndex(c => c.Epoch == e);
            if (k >= 0)
            {
                curve[k] = curve[k] with { BackpropScore = score, BackpropLoss = loss };
            }
            clock.Start();
        }
        clock.Stop();
        return new JsonObject
        {
            ["available"] = true,
            ["method"] = "online gradient descent, hand-written backprop, same initial weights, order and epochs",
            ["rate_per_example"] = rate,
            ["held_out"] = Finite(Score(mlp, data, data.HeldOutRows, spec.OneHot)),
            ["train"] = Finite(Score(mlp, data, data.TrainRows, spec.OneHot)),
            ["held_out_by_epoch"] = byEpoch,
            ["train_loss_by_epoch"] = lossByEpoch,
            ["wall_time_s"] = clock.Elapsed.TotalSeconds,
        };
    }

    /// <summary>The hand-written network with the weights named as the feedforward builder names them.</summary>
    public static BackpropMlp LayeredFromModel(NetworkInfo network, IReadOnlyDictionary<string, double> values)
    {
        var layers = network.Layers.Select(l => l.ToArray()).ToArray();
        if (layers.Length < 2 || !network.Weights.Contains($"w1_1_1"))
        {
            throw new NotSupportedException("only layered feedforward networks have a hand-written backprop");
        }
        var sizes = layers.Select(l => l.Length).ToArray();
        var weights = new double[sizes.Length - 1][][];
        var biased = values.ContainsKey($"b_{layers[1][0]}");
        var biases = biased ? new double[sizes.Length - 1][] : null;
        for (var l = 1; l < sizes.Length; l++)
        {
            weights[l - 1] = new double[sizes[l]][];
            if (biases is not null)
            {
                biases[l - 1] = new double[sizes[l]];
            }
            for (var j = 0; j < sizes[l]; j++)
            {
                weights[l - 1][j] = new double[sizes[l - 1]];
                for (var k = 0; k < sizes[l - 1]; k++)
                {
                    weights[l - 1][j][k] = values[$"w{l}_{j + 1}_{k + 1}"];
                }
                if (biases is not null)
                {
                    biases[l - 1][j] = values[$"b_{layers[l][j]}"];
                }
            }
        }
        return new BackpropMlp(sizes, network.Activation, network.LossKind, weights, biases);
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

    private static double Feature(DataSetSignals data, int row, string name) =>
        data.Features[row][int.Parse(name[(name.LastIndexOf("_in") + 3)..]) - 1];

    private static double Score(BackpropMlp mlp, DataSetSignals data, int[] rows, bool oneHot)
    {
        var total = 0.0;
        foreach (var row in rows)
        {
            var outputs = mlp.Predict(data.Features[row]);
            total += oneHot
                ? (ArgMax(outputs) == ArgMax(data.Targets[row]) ? 1 : 0)
                : (outputs[0] - data.Targets[row][0]) * (outputs[0] - data.Targets[row][0]);
        }
        return rows.Length == 0 ? double.NaN : total / rows.Length;
    }

    private static JsonNode? Finite(double x) => double.IsFinite(x) ? JsonValue.Create(x) : null;

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
