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
);
