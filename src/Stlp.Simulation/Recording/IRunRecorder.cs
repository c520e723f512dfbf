namespace Stlp.Simulation.Recording;

/// <summary>
/// A network as the plots see it: the coordinate indices of each layer's weights (one group for
/// a digraph), of its output neurons, and for each output the index of its target in
/// <see cref="RunSample.Targets"/> (-1 when the target is not a data set's).
/// </summary>
public sealed record NetworkView(
    string Name,
    int[][] WeightsByLayer,
    int[] Outputs,
    string[] OutputNames,
    int[] Targets
);

/// <summary>What is recorded, told once before the first sample.</summary>
public sealed record RunLayout(
    string Model,
    string[] CoordinateNames,
    string[] ConstraintNames,
    string[] PlotLabels,
    double T0,
    double T1
)
{
    /// <summary>The model's networks, for plots that show what matters in them.</summary>
    public IReadOnlyList<NetworkView> Networks { get; init; } = [];

    /// <summary>The number of data-set targets each sample carries.</summary>
    public int TargetCount { get; init; }

    /// <summary>The number of coordinates n; a state has 2n entries (q, then qdot).</summary>
    public int N => CoordinateNames.Length;
}

/// <summary>
/// One recorded output time. The recorder is handed the same instance each time, with new
/// values: copy what you keep.
/// </summary>
public sealed class RunSample(int n, int constraints, int plots, int targets = 0)
{
    /// <summary>The data-set targets presented at T, as <see cref="NetworkView.Targets"/> index them.</summary>
    public double[] Targets { get; } = new double[targets];

    public double T { get; internal set; }

    /// <summary>(q, qdot), 2n entries.</summary>
    public double[] State { get; } = new double[2 * n];

    /// <summary>The normalized multipliers lambda~ = lambda / varpi, one per constraint.</summary>
    public double[] LambdaNormalized { get; } = new double[constraints];
    public double MaxAbsG { get; internal set; }
    public double MaxAbsGdot { get; internal set; }
    public double Loss { get; internal set; }
    public double Varpi { get; internal set; }

    /// <summary>The values of the <c>plot</c> expressions, in order.</summary>
    public double[] Plots { get; } = new double[plots];
}

/// <summary>
/// Receives a run as it goes: the layout, every output sample, then the result. Recorders are
/// pluggable: the CSV trajectory, in-memory arrays, the summary, the plots.
/// </summary>
public interface IRunRecorder
{
    void Begin(RunLayout layout);
    void Record(RunSample sample);

    /// <summary>Called once, also after a failure or an interrupt (with what was reached).</summary>
    void End(RunResult result);
}
