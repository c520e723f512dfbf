namespace Stlp.Simulation.Recording;

/// <summary>
/// The trajectory in memory, so a notebook or a test reads it without a file: the times, each
/// coordinate's and velocity's series by name, the residuals, the loss and the plot expressions.
/// </summary>
public sealed class MemoryRecorder : IRunRecorder
{
    private readonly List<double> times = [];
    private readonly List<double[]> states = [];
    private readonly List<double> g = [],
        gdot = [],
        loss = [],
        varpi = [];
    private readonly List<double[]> plots = [];
    private readonly List<double[]> multipliers = [];
    private readonly List<double[]> targets = [];
    private RunLayout? layout;

    public RunLayout Layout => layout ?? throw new InvalidOperationException("nothing recorded yet");
    public IReadOnlyList<double> Times => times;
    public IReadOnlyList<double> MaxAbsG => g;
    public IReadOnlyList<double> MaxAbsGdot => gdot;
    public IReadOnlyList<double> Loss => loss;
    public IReadOnlyList<double> Varpi => varpi;

    /// <summary>The state (q, qdot) at each recorded time.</summary>
    public IReadOnlyList<double[]> States => states;

    /// <summary>The normalized multipliers lambda~ at each recorded time, in constraint order.</summary>
    public IReadOnlyList<double[]> LambdaNormalized => multipliers;

    /// <summary>A coordinate's series by name; <c>x'</c> or <c>x_dot</c> gives its velocity.</summary>
    public double[] this[string name]
    {
        get
        {
            var i = Array.IndexOf(Layout.CoordinateNames, name);
            var velocity = false;
            if (i < 0 && (name.EndsWith('\'') || name.EndsWith("_dot", StringComparison.Ordinal)))
            {
                velocity = true;
                i = Array.IndexOf(Layout.CoordinateNames, name.EndsWith('\'') ? name[..^1] : name[..^4]);
            }
            if (i < 0)
            {
                throw new KeyNotFoundException(
                    $"no coordinate '{name}' (have {string.Join(", ", Layout.CoordinateNames)})"
                );
            }
            var index = velocity ? Layout.N + i : i;
            return [.. states.Select(s => s[index])];
        }
    }

    /// <summary>The k-th data-set target's series (see <see cref="NetworkView.Targets"/>).</summary>
    public double[] Target(int k) => [.. targets.Select(p => p[k])];

    /// <summary>The k-th <c>plot</c> expression's series.</summary>
    public double[] Plot(int k) => [.. plots.Select(p => p[k])];

    public void Begin(RunLayout runLayout) => layout = runLayout;

    public void Record(RunSample sample)
    {
        times.Add(sample.T);
        states.Add([.. sample.State]);
        g.Add(sample.MaxAbsG);
        gdot.Add(sample.MaxAbsGdot);
        loss.Add(sample.Loss);
        varpi.Add(sample.Varpi);
        plots.Add([.. sample.Plots]);
        multipliers.Add([.. sample.LambdaNormalized]);
        targets.Add([.. sample.Targets]);
    }

    public void End(RunResult result) { }
}
