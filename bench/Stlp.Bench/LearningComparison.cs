using Stlp.Simulation;

namespace Stlp.Bench;

/// <summary>
/// Training time of the STLP dynamics against plain backprop for the same network, data, initial
/// weights, order and epochs, side by side in one run: each sample is run through the simulation
/// library (which trains the backprop baseline beside it), three times, the fastest kept. Reports the
/// integration alone and the whole run (derive, cached kernel, start, integration, evaluation).
/// </summary>
public static class LearningComparison
{
    public static void Print(IEnumerable<string> samples, TextWriter output)
    {
        output.WriteLine(
            "sample,stlp_held_out,backprop_held_out,stlp_steps,stlp_integration_s,stlp_run_s,backprop_s,ratio_integration,ratio_run"
        );
        foreach (var sample in samples)
        {
            var model = Repository.Sample(sample);
            var runs = Enumerable.Range(0, 3).Select(_ => Simulator.Run(model)).ToList();
            var integration = runs.Min(r => r.Timings.Integrate.TotalSeconds);
            var run = runs.Min(r => r.Timings.Wall.TotalSeconds);
            var learning = runs[^1].Learning[0];
            var backprop = runs.Min(r => r.Learning[0].Backprop.WallTimeSeconds);
            output.WriteLine(
                $"{sample},{Score(learning.HeldOut, learning.Train):F3},{Score(learning.Backprop.HeldOut, learning.Backprop.Train):F3},"
                    + $"{runs[^1].StepsAccepted},{integration:F3},{run:F3},{backprop:F5},{integration / backprop:F0},{run / backprop:F0}"
            );
        }
    }

    /// <summary>Held-out accuracy, or the training accuracy where nothing is held out (XOR).</summary>
    private static double Score(double heldOut, double train) => double.IsFinite(heldOut) ? heldOut : train;
}
