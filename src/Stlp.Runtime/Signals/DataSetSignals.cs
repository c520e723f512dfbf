using System.Globalization;

namespace Stlp.Runtime.Signals;

/// <summary>How a CSV training set becomes signals (MATH.md §8); filled from the model's data statement.</summary>
public sealed record DataSetSpec(
    string Name,
    string Path,
    string TargetColumn,
    bool OneHot,
    double Present,
    double Mollify,
    int Epochs,
    double Split,
    int Seed,
    bool Standardize
);

/// <summary>
/// A training set as signals: the rows are shuffled with the seed, the first <c>Split</c> of them
/// train (presented in that order for <c>tau</c> each, cycling for the epochs, mollified
/// transitions), the rest are held out. Features are standardized with the training rows'
/// mean and deviation when asked; targets are one-hot class indicators or the target column.
/// Signal names follow the model: <c>D_in1..</c> and <c>D_y1..</c>.
/// </summary>
public sealed class DataSetSignals
{
    private readonly Dictionary<string, PresentedSignal> signals = [];

    public DataSetSignals(DataSetSpec spec)
    {
        var lines = File.ReadAllLines(spec.Path).Where(l => l.Trim().Length > 0).ToArray();
        var header = lines[0].Split(',').Select(h => h.Trim()).ToArray();
        var target = Array.IndexOf(header, spec.TargetColumn);
        var rows = lines[1..].Select(l => l.Split(',').Select(c => c.Trim()).ToArray()).ToArray();
        Classes = [.. rows.Select(r => r[target]).Distinct().Order(StringComparer.Ordinal)];
        var rng = new Random(spec.Seed);
        var order = Enumerable.Range(0, rows.Length).OrderBy(_ => rng.Next()).ToArray();
        var trainCount = Math.Clamp((int)Math.Round(spec.Split * rows.Length), 1, rows.Length);
        TrainRows = order[..trainCount];
        HeldOutRows = order[trainCount..];
        var featureColumns = Enumerable.Range(0, header.Length).Where(c => c != target).ToArray();
        Features = new double[rows.Length][];
        for (var r = 0; r < rows.Length; r++)
        {
            Features[r] = [.. featureColumns.Select(c => double.Parse(rows[r][c], CultureInfo.InvariantCulture))];
        }
        if (spec.Standardize)
        {
            for (var f = 0; f < featureColumns.Length; f++)
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
        Targets = new double[rows.Length][];
        for (var r = 0; r < rows.Length; r++)
        {
            Targets[r] = spec.OneHot
                ? [.. Classes.Select(c => c == rows[r][target] ? 1.0 : 0.0)]
                : [double.Parse(rows[r][target], CultureInfo.InvariantCulture)];
        }
        for (var f = 0; f < featureColumns.Length; f++)
        {
            var column = TrainRows.Select(r => Features[r][f]).ToArray();
            signals[$"{spec.Name}_in{f + 1}"] = new PresentedSignal(column, spec.Present, spec.Mollify, spec.Epochs);
        }
        for (var k = 0; k < Targets[0].Length; k++)
        {
            var column = TrainRows.Select(r => Targets[r][k]).ToArray();
            signals[$"{spec.Name}_y{k + 1}"] = new PresentedSignal(column, spec.Present, spec.Mollify, spec.Epochs);
        }
        Duration = trainCount * spec.Present * spec.Epochs;
        Windows = new Integration.TransitionWindows(spec.Present, spec.Mollify, (long)trainCount * spec.Epochs - 1);
    }

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

    /// <summary>The signal's value (order 0) or its first or second time derivative at t.</summary>
    public double Value(string name, int order, double t) => signals[name].At(t, order);
}
