using System.Diagnostics;
using Stlp.Model;
using Stlp.Runtime.Baselines;
using Stlp.Simulation;
using Stlp.Simulation.Learning;

namespace Stlp.Bench;

/// <summary>
/// What a network sample's presentation would learn in the limit of vanishing neuron masses
/// (<see cref="LimitFlow"/>, docs/equations.md §7), epoch by epoch, from the run's own start and
/// data: held-out accuracy (or MSE) beside the sample's STLP run and its backprop baseline, to
/// tell the cost of the presentation (tau, eps, theta) from that of finite masses and the integrator.
/// </summary>
public static class LimitFlowLearning
{
    public static void Print(string modelFile, int substeps, TextWriter output)
    {
        var model = ModelFile.Load(modelFile, new Dictionary<string, double>());
        var run = Simulator.Prepare(model);
        var network = model.Networks.First(n => n.DataSet is not null);
        var data = run.DataSets.First();
        var spec = model.DataSets.First(d => d.Name == network.DataSet!.Value);
        var (massW, gamma) = run.BackpropLimit(network);
        var mlp = FeedforwardLayout.Of(network, run.CoordinateNames).Backprop(run.StartState);
        var flow = new LimitFlow(mlp, massW, gamma);
        output.WriteLine(
            $"{network.Name}: tau = {spec.Present}, eps = {spec.Mollify}, m_W = {massW}, gamma = {gamma}, "
                + $"theta tau = {gamma / massW * spec.Present:G3}, {substeps} substeps per example"
        );
        var evaluation = new LearningEvaluation(run.Derivation, network, spec, data, run.CoordinateNames);
        var watch = Stopwatch.StartNew();
        var epoch = data.TrainRows.Length * spec.Present;
        var t = model.Simulation.T0;
        for (var e = 1; e <= spec.Epochs; e++)
        {
            flow.Advance(data, t, t + epoch, spec.Present / substeps);
            t += epoch;
            var score = evaluation.Score(row => mlp.Predict(data.Features[row]), data.HeldOutRows);
            output.WriteLine(
                $"  epoch {e}: limit flow held-out {evaluation.Metric} {score:F4} ({watch.Elapsed.TotalSeconds:F0} s)"
            );
        }
    }
}
