using Stlp.Runtime.Recording;

namespace Stlp.Simulation.Recording;

/// <summary>
/// trajectory.csv: t, every coordinate, every velocity (<c>x'</c>), every normalized multiplier
/// (<c>lambda~_NAME</c>), max |G|, max |Gdot|, the loss and varpi; flushed row by row, so a
/// failure or an interrupt leaves a valid partial file.
/// </summary>
public sealed class CsvTrajectoryRecorder(string path) : IRunRecorder
{
    private TrajectoryWriter? writer;
    private double[] row = [];

    public string Path { get; } = path;

    /// <summary>The column names of a layout, in file order.</summary>
    public static IReadOnlyList<string> Columns(RunLayout layout) =>
        [
            "t",
            .. layout.CoordinateNames,
            .. layout.CoordinateNames.Select(c => c + "'"),
            .. layout.ConstraintNames.Select(c => "lambda~_" + c),
            "max_abs_G",
            "max_abs_Gdot",
            "loss",
            "varpi",
        ];

    public void Begin(RunLayout layout)
    {
        writer = new TrajectoryWriter(Path, Columns(layout));
        row = new double[writer.Columns.Length];
    }

    public void Record(RunSample sample)
    {
        var k = 0;
        row[k++] = sample.T;
        foreach (var v in sample.State)
        {
            row[k++] = v;
        }
        foreach (var l in sample.LambdaNormalized)
        {
            row[k++] = l;
        }
        row[k++] = sample.MaxAbsG;
        row[k++] = sample.MaxAbsGdot;
        row[k++] = sample.Loss;
        row[k] = sample.Varpi;
        writer!.Write(row);
    }

    public void End(RunResult result) => writer?.Dispose();
}
