namespace Stlp.Simulation.Learning;

/// <summary>One epoch's end: the held-out score and the training loss, by STLP and by the backprop baseline.</summary>
public sealed record EpochScore(int Epoch, double HeldOut, double TrainLoss)
{
    /// <summary>The baseline's held-out score after the same epoch (NaN without a baseline).</summary>
    public double BackpropHeldOut { get; init; } = double.NaN;

    /// <summary>The baseline's training loss after the same epoch (NaN without a baseline).</summary>
    public double BackpropTrainLoss { get; init; } = double.NaN;
}

/// <summary>The backprop baseline's outcome, or why there is none.</summary>
public sealed record BackpropOutcome
{
    public required bool Available { get; init; }

    /// <summary>Why there is no baseline (a digraph, another form, no positive rate).</summary>
    public string? Reason { get; init; }
    public double RatePerExample { get; init; }
    public double HeldOut { get; init; } = double.NaN;
    public double Train { get; init; } = double.NaN;
    public IReadOnlyList<double> HeldOutByEpoch { get; init; } = [];
    public IReadOnlyList<double> TrainLossByEpoch { get; init; } = [];
    public double WallTimeSeconds { get; init; }

    public static BackpropOutcome None(string reason) => new() { Available = false, Reason = reason };
}

/// <summary>
/// How a network trained on a data set did: the feedforward map with the weights the run reached,
/// scored on the held-out rows (accuracy for one-hot classes, MSE otherwise) at the end and at
/// every epoch's end, with the backprop baseline beside it.
/// </summary>
/// <param name="Initial">Epoch 0: the scores of the initial weights, before training (the same for both methods).</param>
public sealed record NetworkLearning(
    string Network,
    string DataSet,
    int TrainRows,
    int HeldOutRows,
    string Metric,
    double HeldOut,
    double Train,
    EpochScore Initial,
    IReadOnlyList<EpochScore> Epochs,
    BackpropOutcome Backprop
)
{
    /// <summary>
    /// The scores as a person reads them (what <c>stlp run</c> prints): a header, then the held-out
    /// score and training loss of the run beside the backprop baseline's, at the start (epoch 0)
    /// and after each epoch; of many epochs, eleven evenly spaced ones, the last included.
    /// </summary>
    public IEnumerable<string> Lines()
    {
        yield return Backprop.Available
            ? $"{Network} on {DataSet}: held-out {Metric} by epoch, STLP beside backprop "
                + $"(online, rate {Backprop.RatePerExample:G3}, {Backprop.WallTimeSeconds:F1} s):"
            : $"{Network} on {DataSet}: held-out {Metric} by epoch (no backprop baseline: {Backprop.Reason}):";
        var all = Epochs.Prepend(Initial).ToList();
        var shown =
            all.Count <= 11
                ? all
                : [.. Enumerable.Range(0, 11).Select(i => all[(int)Math.Round(i * (all.Count - 1) / 10.0)]).Distinct()];
        foreach (var epoch in shown)
        {
            var run = $"  epoch {epoch.Epoch}: STLP {Shown(epoch.HeldOut)} (train loss {epoch.TrainLoss:F4})";
            yield return Backprop.Available
                ? $"{run}, backprop {Shown(epoch.BackpropHeldOut)} ({epoch.BackpropTrainLoss:F4})"
                : run;
        }
    }

    /// <summary>A score, or "-" where there is none (no held-out rows).</summary>
    private static string Shown(double score) => double.IsNaN(score) ? "-" : score.ToString("F4");
}
