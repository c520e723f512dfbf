using System.Globalization;

namespace Stlp.Runtime.Signals;

/// <summary>How a training set becomes signals (docs/equations.md §8); filled from the model's data statement.</summary>
/// <param name="Shuffle">Whether the rows are shuffled with <paramref name="Seed"/> before the split
/// (the default); false keeps file order: the first <paramref name="Split"/> of the rows train, the rest are held out.</param>
public sealed record DataSetSpec(
    string Name,
    bool OneHot,
    double Present,
    double Mollify,
    int Epochs,
    double Split,
    int Seed,
    bool Standardize,
    bool Shuffle = true
);

/// <summary>
/// A training set as signals: the rows are shuffled with the seed (or kept in file order without
/// <c>Shuffle</c>), the first <c>Split</c> of them
/// train (presented in that order for <c>tau</c> each, cycling for the epochs, mollified
/// transitions), the rest are held out. Features are standardized with the training rows'
/// mean and deviation when asked; targets are one-hot class indicators or the target column.
/// Signal names follow the model: <c>D_in1..</c> and <c>D_y1..</c>.
/// </summary>
public sealed class DataSetSignals
{
    private readonly Dictionary<string, PresentedSignal> signals = [];
    private readonly PresentedSignal[] featureSignals;
    private readonly PresentedSignal[] targetSignals;

    /// <param name="spec">How the rows are presented.</param>
    /// <param name="features">features[row][column], as read (the model layer's one data reader).</param>
    /// <param name="labels">The target cell of each row: a class label, or a number without one-hot.</param>
    public DataSetSignals(DataSetSpec spec, double[][] features, string[] labels)
    {
        Classes = [.. labels.Distinct().Order(StringComparer.Ordinal)];
        var rowCount = features.Length;
        var rng = new Random(spec.Seed);
        var order = spec.Shuffle
            ? Enumerable.Range(0, rowCount).OrderBy(_ => rng.Next()).ToArray()
            : Enumerable.Range(0, rowCount).ToArray();
        var trainCount = Math.Clamp((int)Math.Round(spec.Split * rowCount), 1, rowCount);
        TrainRows = order[..trainCount];
        HeldOutRows = order[trainCount..];
        var featureCount = features.Length == 0 ? 0 : features[0].Length;
        Features = [.. features.Select(row => row.ToArray())];
        if (spec.Standardize)
        {
            for (var f = 0; f < featureCount; f++)
            {
                var values = TrainRows.Select(r => Features[r][f]).ToArray();
                var mean = values.Average();
                var deviation = Math.Sqrt(values.Select(v => (v - mean) * (v - mean)).Average());
                deviation = deviation > 0 ? deviation : 1;
                foreach (var row in Features)
                {
                    row[f] = (row[f] - mean) / deviation;
                }
            }
        }
        Targets = new double[rowCount][];
        for (var r = 0; r < rowCount; r++)
        {
            Targets[r] = spec.OneHot
                ? [.. Classes.Select(c => c == labels[r] ? 1.0 : 0.0)]
                : [ParseTarget(labels[r], r)];
        }
        // One mollifier for the set: its signals switch together, so it is evaluated once per t.
        var mollifier = new Mollifier(spec.Mollify);
        featureSignals = new PresentedSignal[featureCount];
        for (var f = 0; f < featureCount; f++)
        {
            var column = TrainRows.Select(r => Features[r][f]).ToArray();
            featureSignals[f] = new PresentedSignal(column, spec.Present, mollifier, spec.Epochs);
            signals[$"{spec.Name}_in{f + 1}"] = featureSignals[f];
        }
        targetSignals = new PresentedSignal[Targets[0].Length];
        for (var k = 0; k < Targets[0].Length; k++)
        {
            var column = TrainRows.Select(r => Targets[r][k]).ToArray();
            targetSignals[k] = new PresentedSignal(column, spec.Present, mollifier, spec.Epochs);
            signals[$"{spec.Name}_y{k + 1}"] = targetSignals[k];
        }
        Duration = trainCount * spec.Present * spec.Epochs;
        Windows = new Integration.TransitionWindows(spec.Present, spec.Mollify, (long)trainCount * spec.Epochs - 1);
    }

    private static double ParseTarget(string cell, int row) =>
        double.TryParse(cell, NumberStyles.Float, CultureInfo.InvariantCulture, out var value) && double.IsFinite(value)
            ? value
            : throw new FormatException(
                $"row {row + 1}: the target '{cell}' is not a finite number (declare the target one-hot for class labels)"
            );

    /// <summary>Where this set's signals switch from one example to the next.</summary>
    public Integration.TransitionWindows Windows { get; }

    /// <summary>The named signal, for callers that look it up once and evaluate it often.</summary>
    public PresentedSignal Signal(string name) => signals[name];

    public string[] Classes { get; }
    public int[] TrainRows { get; }
    public int[] HeldOutRows { get; }
    public double[][] Features { get; }
    public double[][] Targets { get; }

    /// <summary>Time to present every training row for every epoch.</summary>
    public double Duration { get; }

    public bool Has(string name) => signals.ContainsKey(name);

    /// <summary>Every feature's and every target's presented (mollified) value at t, in column order.</summary>
    public void ValuesAt(double t, Span<double> features, Span<double> targets)
    {
        for (var f = 0; f < featureSignals.Length; f++)
        {
            features[f] = featureSignals[f].At(t).Value;
        }
        for (var k = 0; k < targetSignals.Length; k++)
        {
            targets[k] = targetSignals[k].At(t).Value;
        }
    }

    /// <summary>The signal's value (order 0) or its first or second time derivative at t.</summary>
    public double Value(string name, int order, double t) => signals[name].At(t, order);
}
