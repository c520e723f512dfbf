using System.Text.Json.Nodes;
using Stlp.Model;
using Stlp.Runtime.Signals;

namespace Stlp.Cli;

/// <summary>
/// After a run: each network trained on a data set is evaluated as a feedforward map with the
/// weights the run reached, on the held-out rows (accuracy for one-hot classes, MSE otherwise),
/// at the end and at the end of every epoch the run reached.
/// </summary>
public static class NetworkEvaluation
{
    public static JsonArray Evaluate(
        Stlp.Model.Model model,
        IReadOnlyList<DataSetSignals> dataSets,
        string[] coordinateNames,
        List<double> times,
        IReadOnlyList<(string Name, List<double> Values)> series,
        List<(int Epoch, double Accuracy)> curve
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

            double Score(int timeIndex, int[] rows)
            {
                var weights = new Dictionary<string, double>();
                for (var i = 0; i < coordinateNames.Length; i++)
                {
                    weights[coordinateNames[i]] = series[i].Values[timeIndex];
                }
                var correct = 0.0;
                foreach (var row in rows)
                {
                    var outputs = predictor.Predict(
                        weights,
                        name => data.Features[row][int.Parse(name[(name.LastIndexOf("_in") + 3)..]) - 1]
                    );
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
                curve.Add((e, Score(index, data.HeldOutRows)));
            }
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
                    ["held_out_by_epoch"] = new JsonArray([.. curve.Select(c => Finite(c.Accuracy))]),
                }
            );
        }
        return results;
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
