using Stlp.Runtime.Recording;

namespace Stlp.Simulation.Recording;

/// <summary>
/// trajectory.csv: t, every coordinate, every velocity (<c>x_dot</c>), every normalized multiplier
/// (<c>lambda_norm_NAME</c>, lambda / varpi), max |G|, max |Gdot|, the loss and varpi; the names
/// are identifiers that pandas and numpy keep as they are; flushed row by row, so a
/// failure or an interrupt leaves a valid partial file.
/// </summary>
public sealed class CsvTrajectoryRecorder(string path) : IRunRecorder
{
    private TrajectoryWriter? writer;
    private double[] row = [];

    public string Path { get; } = path;

    /// <summary>The column names of a layout, in file order; a name written twice is an <see cref="InputError"/> naming it.</summary>
    public static IReadOnlyList<string> Columns(RunLayout layout)
    {
        string[] columns =
        [
            "t",
            .. layout.CoordinateNames,
            .. layout.CoordinateNames.Select(VelocityColumn),
            .. layout.ConstraintNames.Select(MultiplierColumn),
            "max_abs_G",
            "max_abs_Gdot",
            "loss",
            "varpi",
        ];
        var twice = columns.GroupBy(c => c).FirstOrDefault(g => g.Count() > 1);
        if (twice is not null)
        {
            throw new InputError(
                $"trajectory.csv would have two columns named '{twice.Key}' (a coordinate or constraint name meets a generated one); rename it"
            );
        }
        return columns;
    }

    /// <summary>The column of a coordinate's velocity: <c>x_dot</c>.</summary>
    public static string VelocityColumn(string coordinate) => coordinate + "_dot";

    /// <summary>The column of a constraint's normalized multiplier lambda / varpi: <c>lambda_norm_rod</c>.</summary>
    public static string MultiplierColumn(string constraint) => "lambda_norm_" + constraint;

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
