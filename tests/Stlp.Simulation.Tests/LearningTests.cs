using Stlp.Model;
using Stlp.Runtime.Signals;
using Stlp.Simulation.Learning;
using Xunit;

namespace Stlp.Simulation.Tests;

/// <summary>The learning evaluation reads the network's layout as data; the hand-written baseline computes the same map.</summary>
public sealed class LearningTests
{
    [Fact]
    public void TheLayoutIndexesTheWeightsTheBuilderMadeAndTheBaselineComputesTheSymbolicMap()
    {
        var model = Models.Sample("xor_learn.stlp");
        var network = model.Networks.First();
        var names = model.Coordinates.Select(c => c.Name).ToArray();
        var layout = FeedforwardLayout.Of(network, names);
        Assert.Equal([2, 4, 2], layout.Sizes);
        // The builder's naming, read back through the layout: w{layer}_{neuron}_{input}, b_{neuron}.
        Assert.Equal("w2_2_3", names[layout.Weights[1][1][2]]);
        Assert.Equal("b_x1_4", names[layout.Biases![0][3]]);

        var spec = model.DataSets.First();
        var data = new DataSetSignals(
            new DataSetSpec(
                spec.Name,
                spec.OneHot,
                spec.Present,
                spec.Mollify,
                spec.Epochs,
                spec.Split,
                spec.Seed,
                false
            ),
            spec.Table.Features,
            spec.Table.Labels
        );
        var evaluation = new LearningEvaluation(
            Derivations.Derive(model, model.Simulation.Stabilize),
            network,
            spec,
            data,
            names
        );
        var rng = new Random(3);
        for (var trial = 0; trial < 5; trial++)
        {
            var q = names.Select(_ => 2 * rng.NextDouble() - 1).ToArray();
            var mlp = layout.Backprop(q);
            for (var row = 0; row < data.Features.Length; row++)
            {
                var symbolic = evaluation.Predict(q, row);
                var hand = mlp.Predict(data.Features[row]);
                for (var k = 0; k < symbolic.Length; k++)
                {
                    Assert.Equal(symbolic[k], hand[k], 12);
                }
            }
            // Scores and losses take the hand pass where it agrees: the same as the lowered map's.
            var rows = Enumerable.Range(0, data.Features.Length).ToArray();
            var accuracy = rows.Average(row =>
                ArgMax(evaluation.Predict(q, row)) == ArgMax(data.Targets[row]) ? 1.0 : 0.0
            );
            Assert.Equal(accuracy, evaluation.Score(q, rows));
            var loss = data.TrainRows.Average(row =>
                evaluation
                    .Predict(q, row)
                    .Zip(data.Targets[row])
                    .Sum(p => 0.5 * (p.Second - p.First) * (p.Second - p.First))
            );
            Assert.Equal(loss, evaluation.TrainingLoss(q), 1e-12);
        }
    }

    private static int ArgMax(double[] xs) => Array.IndexOf(xs, xs.Max());

    [Fact]
    public void ADigraphHasNoLayeredBaselineAndSaysWhy()
    {
        var model = Models.Sample("recurrent.stlp");
        var e = Assert.Throws<NotSupportedException>(() =>
            FeedforwardLayout.Of(model.Networks.First(), [.. model.Coordinates.Select(c => c.Name)])
        );
        Assert.Contains("feedforward", e.Message);
    }

    [Fact]
    public void XorLearnsAndTheResultCarriesScoresPerEpochBesideBackprop()
    {
        // 40 epochs of 2 s: enough for both methods to separate the four patterns.
        var result = Simulator.Run(Models.Sample("xor_learn.stlp"), new SimulationOptions { T1 = 80, Cache = null });
        Assert.Equal(RunStatus.Completed, result.Status);
        var learning = Assert.Single(result.Learning);
        Assert.Equal("accuracy", learning.Metric);
        Assert.Equal(40, learning.Epochs.Count);
        Assert.Equal(1.0, learning.Train);
        Assert.True(learning.Backprop.Available, learning.Backprop.Reason);
        Assert.Equal(150, learning.Backprop.TrainLossByEpoch.Count);
        Assert.Equal(learning.Backprop.TrainLossByEpoch[39], learning.Epochs[39].BackpropTrainLoss);
        // Near the backprop limit the two training losses follow each other.
        Assert.True(
            Math.Abs(learning.Epochs[39].TrainLoss - learning.Epochs[39].BackpropTrainLoss) < 0.1,
            $"{learning.Epochs[39]}"
        );
    }
}

/// <summary>The lowered feedforward map against its closed form.</summary>
public sealed class PredictionTests
{
    [Fact]
    public void TheTrainedMapIsEvaluatedFeedforwardFromTheConstraints()
    {
        var model = Models.FromText(
            """
            signal u(t) = sin(t)
            signal v(t) = cos(t)
            form biased(x; in[], w[], b) = x - sigma(sum(w[i]*in[i]) + b)
            network feedforward n 2-2-1 {
                form biased
                inputs u(t), v(t)
            }
            """
        );
        var derivation = Stlp.Model.Derivations.Derive(model, model.Simulation.Stabilize);
        var map = Stlp.Model.Prediction.program(derivation, model.Networks.First());
        // Signals are inputs of the map (a data row), not their formulas.
        Assert.Equal(["u", "v"], map.SignalInputs.Select(s => s.Name).Order());
        var q = model.Coordinates.Select((_, i) => 0.1 * (i + 1)).ToArray();
        var names = model.Coordinates.Select(c => c.Name).ToList();
        double W(string name) => q[names.IndexOf(name)];
        double[] signals = [.. map.SignalInputs.Select(s => s.Name == "u" ? 0.7 : -0.4)];
        var output = new double[1];
        new Stlp.Codegen.ObservableEvaluator(map).Evaluate(5.0, q, new double[q.Length], [], signals, output);
        double H(int j) => Math.Tanh(W($"w1_{j}_1") * 0.7 + W($"w1_{j}_2") * -0.4 + W($"b_x1_{j}"));
        var expected = Math.Tanh(W("w2_1_1") * H(1) + W("w2_1_2") * H(2) + W("b_x2_1"));
        Assert.Equal(expected, output[0], 14);
    }
}

/// <summary>A different activation per layer: in the constraints, in the feedforward map, and in the baseline.</summary>
public sealed class LayerActivationTests
{
    private const string Text = """
        model mixed
        param theta = 4
        data xor = csv "data/xor.csv", target class onehot, present 0.5, mollify 0.05, epochs 2, split 1
        form biased(x; in[], w[], b) = x - sigma(sum(w[i]*in[i]) + b)
        network feedforward net 2-3-2 {
            activation sigmoid, tanh
            form biased
            data xor
            mass x 0.00001 w 1
            init weights random 1 seed 3
        }
        dissipation exp(theta*t)
        simulate from 0 to 4, rtol 1e-5, atol 1e-6, stabilize baumgarte 10 10, output every 0.25
        """;

    [Fact]
    public void EachLayerUsesItsOwnActivationAndTheBaselineFollows()
    {
        var model = Stlp.Model.ModelFile.FromText(Text, Models.Samples);
        var network = model.Networks.First();
        Assert.Equal(["sigmoid", "tanh"], network.LayerActivations);
        string G(string name) => Stlp.Model.Print.text(model.Constraints.First(c => c.Name == name).G);
        Assert.Contains("sigmoid", G("x1_1"));
        Assert.Contains("tanh", G("x2_1"));
        var result = Simulator.Run(model, new SimulationOptions { Cache = null });
        var learning = Assert.Single(result.Learning);
        // The hand-written baseline computed the same map on five rows before it trained.
        Assert.True(learning.Backprop.Available, learning.Backprop.Reason);
        Assert.Equal(learning.Initial.TrainLoss, learning.Initial.BackpropTrainLoss);
    }

    [Theory]
    [InlineData("activation sigmoid, tanh, tanh", "3 activations for 2 layers after the inputs", 5, 1)]
    [InlineData("activation sigmoid, nope", "expected a network option", 6, 25)]
    public void AWrongListIsALocatedModelError(string line, string fragment, int row, int column)
    {
        var e = Assert.Throws<Stlp.Model.ModelError>(() =>
            Stlp.Model.ModelFile.FromText(Text.Replace("activation sigmoid, tanh", line), Models.Samples)
        );
        Assert.Contains(fragment, e.message);
        Assert.Equal(row, e.pos!.Value.Line);
        Assert.Equal(column, e.pos!.Value.Column);
    }
}

/// <summary>On a data set the end time follows from the data unless given; running past the last epoch is said.</summary>
public sealed class DataEndTests
{
    private const string Text = """
        model xorend
        param theta = 4
        data xor = csv "data/xor.csv", target class onehot, present 0.5, mollify 0.05, epochs 3, split 1
        network feedforward net 2-2-2 {
            data xor
            mass x 0.00001 w 1
        }
        dissipation exp(theta*t)
        simulate rtol 1e-5, atol 1e-6, stabilize baumgarte 10 10, output every 0.25
        """;

    [Fact]
    public void WithoutAnEndTheRunStopsAfterTheLastEpoch()
    {
        var model = Stlp.Model.ModelFile.FromText(Text, Models.Samples);
        var prepared = Simulator.Prepare(model, new SimulationOptions { Cache = null });
        Assert.Equal(4 * 0.5 * 3, prepared.T1); // 4 rows, tau = 0.5, 3 epochs
        Assert.Empty(prepared.Notes);
        var result = prepared.Run();
        Assert.Equal(3, result.Learning[0].Epochs.Count);
    }

    [Fact]
    public void RunningPastTheLastEpochIsSaid()
    {
        var model = Stlp.Model.ModelFile.FromText(Text, Models.Samples);
        var result = Simulator.Run(model, new SimulationOptions { T1 = 8, Cache = null });
        var note = Assert.Single(result.Notes);
        Assert.Contains("past the last epoch (t = 6)", note);
    }
}

/// <summary>The weights a run reached start another: <c>init weights from "weights.json"</c>.</summary>
public sealed class ContinueTrainingTests : IDisposable
{
    private readonly string directory = Path.Combine(Path.GetTempPath(), $"stlp-continue-{Guid.NewGuid():N}");

    public void Dispose()
    {
        if (Directory.Exists(directory))
        {
            Directory.Delete(directory, recursive: true);
        }
    }

    private static string XorText => File.ReadAllText(Path.Combine(Models.Samples, "xor_learn.stlp"));

    [Fact]
    public void ASecondRunStartsFromTheWeightsTheFirstReached()
    {
        var first = Simulator.RunToDirectory(
            Models.Sample("xor_learn.stlp"),
            directory,
            new SimulationOptions { T1 = 4, Cache = null }
        );
        var weightsFile = Path.Combine(directory, "weights.json");
        var text = XorText.Replace("init weights random 1 seed 7", $"init weights from \"{weightsFile}\"");
        var model = Stlp.Model.ModelFile.FromText(text, Models.Samples);
        var second = Simulator.Prepare(model, new SimulationOptions { Cache = null });
        var names = second.CoordinateNames.ToList();
        Assert.Equal(16 + 6, first.FinalWeights.Count); // 2-4-2: 16 weights and 6 biases
        foreach (var (name, value) in first.FinalWeights)
        {
            Assert.Equal(value, second.StartState[names.IndexOf(name)], 12);
        }
    }

    [Theory]
    [InlineData("{\"w1_1_1\": 0.5}", "has no value for weight 'w1_1_2'")]
    [InlineData("{\"w1_1_1\": \"x\"}", "the value of 'w1_1_1' is not a finite number")]
    [InlineData("[1, 2]", "must hold an object of weights by name")]
    [InlineData("{", "is not valid JSON")]
    public void ABadWeightsFileIsALocatedModelError(string json, string fragment)
    {
        Directory.CreateDirectory(directory);
        var weightsFile = Path.Combine(directory, "w.json");
        File.WriteAllText(weightsFile, json);
        var text = XorText.Replace("init weights random 1 seed 7", $"init weights from \"{weightsFile}\"");
        var e = Assert.Throws<Stlp.Model.ModelError>(() => Stlp.Model.ModelFile.FromText(text, Models.Samples));
        Assert.Contains(fragment, e.message);
        Assert.NotNull(e.pos);
    }
}

/// <summary>A different constraint form per layer, and a list that ends at the next option.</summary>
public sealed class LayerFormTests
{
    private const string Text = """
        model forms
        data xor = csv "data/xor.csv", target class onehot, present 0.5, mollify 0.05, epochs 1, split 1
        form biased(x; in[], w[], b) = x - sigma(sum(w[i]*in[i]) + b)
        network feedforward net 2-3-2 { form biased, neuron, data xor, mass x 0.001 w 1 }
        dissipation exp(t)
        """;

    [Fact]
    public void EachLayerUsesItsOwnForm()
    {
        var model = Stlp.Model.ModelFile.FromText(Text, Models.Samples);
        var names = model.Coordinates.Select(c => c.Name).ToList();
        Assert.Contains("b_x1_1", names); // the hidden layer is biased
        Assert.DoesNotContain("b_x2_1", names); // the output layer is a plain neuron
        Assert.Equal("xor", model.Networks.First().DataSetName);
        // Mixed biases: no layered baseline, and it says why.
        var e = Assert.Throws<NotSupportedException>(() =>
            Learning.FeedforwardLayout.Of(model.Networks.First(), names)
        );
        Assert.Contains("sigma(sum w x + b)", e.Message);
    }

    [Fact]
    public void AWrongNumberOfFormsIsALocatedModelError()
    {
        var e = Assert.Throws<Stlp.Model.ModelError>(() =>
            Stlp.Model.ModelFile.FromText(
                Text.Replace("form biased, neuron,", "form biased, neuron, biased,"),
                Models.Samples
            )
        );
        Assert.Contains("3 forms for 2 layers after the inputs", e.message);
        Assert.Equal(4, e.pos!.Value.Line);
    }
}
