using System.Diagnostics;
using System.Reflection;
using System.Security.Cryptography;
using Stlp.Codegen;
using Stlp.Ir;
using Stlp.Model;
using Stlp.Runtime.Integration;
using Stlp.Runtime.Kernels;
using Stlp.Runtime.Signals;
using Stlp.Simulation.Learning;
using Stlp.Simulation.Recording;

namespace Stlp.Simulation;

/// <summary>
/// A model made ready to run: derived with the chosen stabilization, its consistent start
/// completed, its kernel compiled (or taken from the cache), its signals and data sets bound.
/// <see cref="Run"/> integrates it, streaming samples to recorders, and returns the result.
/// </summary>
public sealed class PreparedRun
{
    private readonly Observables observables;
    private readonly Action<double, double[]>? afterStep;
    private readonly TimeSpan deriveTime;

    internal PreparedRun(
        ModelDefinition model,
        SimulationOptions options,
        Derivation derivation,
        Stabilization stabilization,
        InitialConditions initial,
        CompiledKernel kernel,
        IReadOnlyList<DataSetSignals> dataSets,
        KernelSystem system,
        Observables observables,
        Action<double, double[]>? afterStep,
        TimeSpan deriveTime,
        bool reusedDerivation
    )
    {
        ReusedDerivation = reusedDerivation;
        Model = model;
        Options = options;
        Derivation = derivation;
        Stabilization = stabilization;
        Initial = initial;
        Kernel = kernel;
        DataSets = dataSets;
        System = system;
        this.observables = observables;
        this.afterStep = afterStep;
        this.deriveTime = deriveTime;
        var sim = model.Simulation;
        T0 = sim.T0;
        // On a data set, the end follows from the data (rows x presentation x epochs) unless given.
        var dataEnd = dataSets.Count == 0 ? (double?)null : T0 + dataSets.Max(d => d.Duration);
        T1 = options.T1 ?? (sim.EndGiven || dataEnd is null ? sim.T1 : dataEnd.Value);
        if (dataEnd is { } end && T1 > end + 1e-9 * Math.Max(1, Math.Abs(end)))
        {
            Notes.Add(
                $"the run goes on past the last epoch (t = {end:G6}) to t = {T1:G6}; after it the signals hold the last example"
            );
        }
        Method = options.Method ?? sim.Method;
        Integrators.Find(Method);
        OutputEvery = options.OutputEvery ?? sim.OutputInterval ?? (T1 - T0) / 500;
        Settings = new IntegratorSettings(
            options.RelativeTolerance ?? sim.RelTol,
            options.AbsoluteTolerance ?? sim.AbsTol,
            options.Step ?? sim.FixedStep ?? (T1 - T0) / 2000
        );
    }

    public ModelDefinition Model { get; }

    /// <summary>What the user should know about this run that is not an error (said before it starts, kept in the result).</summary>
    public List<string> Notes { get; } = [];

    /// <summary>Whether the derivation and the kernel were taken from another run's (a sweep's basis).</summary>
    public bool ReusedDerivation { get; }
    public SimulationOptions Options { get; }
    public Derivation Derivation { get; }
    public Stabilization Stabilization { get; }
    public InitialConditions Initial { get; }
    public CompiledKernel Kernel { get; }

    /// <summary>The data sets as signals, in the model's order.</summary>
    public IReadOnlyList<DataSetSignals> DataSets { get; }

    /// <summary>The first-order system the integrators step (kernel, parameters, signals).</summary>
    public KernelSystem System { get; }
    public double T0 { get; }
    public double T1 { get; }
    public string Method { get; }
    public double OutputEvery { get; }
    public IntegratorSettings Settings { get; }

    public IReadOnlyList<string> CoordinateNames => Kernel.Shape.CoordinateNames;

    /// <summary>Which kernel the run uses and why: "structured (block solve; ...)" or "straight-line (reason)".</summary>
    public string KernelChoice { get; init; } = "straight-line";

    /// <summary>The completed start (q, qdot).</summary>
    /// <summary>
    /// The network's weight mass m_W and gamma = m_W varpi'/varpi at the start (docs/equations.md §7):
    /// in the backprop limit an example presented for tau is a gradient step of tau/gamma.
    /// NaN for a network without weights.
    /// </summary>
    public (double MassW, double Gamma) BackpropLimit(NetworkInfo network)
    {
        if (network.Weights.FirstOrDefault() is not { } firstWeight)
        {
            return (double.NaN, double.NaN);
        }
        var massW = observables.Masses(T0)[Array.IndexOf(Kernel.Shape.CoordinateNames, firstWeight)];
        return (massW, observables.LogDissipationRate(T0) * massW);
    }

    public double[] StartState => [.. Initial.State.Q, .. Initial.State.Qdot];

    /// <summary>Integrates from the consistent start to <see cref="T1"/>, streaming to the recorders.</summary>
    public RunResult Run(IEnumerable<IRunRecorder>? recorders = null, CancellationToken cancel = default)
    {
        var wall = Stopwatch.StartNew();
        var sinks = (recorders ?? []).ToArray();
        var program = Kernel.Shape;
        var n = program.N;
        var (networkViews, targetSignals) = NetworkViews();
        var layout = new RunLayout(
            Model.Name,
            program.CoordinateNames,
            program.ConstraintNames,
            observables.PlotLabels,
            T0,
            T1
        )
        {
            Networks = networkViews,
            TargetCount = targetSignals.Length,
        };
        var epochs = new EpochSnapshots(this);
        var losses = new List<double>();
        var sample = new RunSample(n, program.R, layout.PlotLabels.Length, targetSignals.Length);
        var scratch = new double[2 * n];
        double maxG = 0,
            maxGdot = 0,
            reached = T0;
        var recorded = 0L;
        var progress = Options.Progress;
        var lastProgress = Stopwatch.StartNew();

        void Record(double t, ReadOnlySpan<double> y)
        {
            System.Derivative(t, y, scratch);
            sample.T = t;
            y.CopyTo(sample.State);
            System.LambdaNormalized.CopyTo(sample.LambdaNormalized, 0);
            sample.MaxAbsG = MaxAbs(System.G);
            sample.MaxAbsGdot = MaxAbs(System.Gdot);
            sample.Varpi = System.Varpi;
            sample.Loss = observables.Loss(t, y, sample.Plots);
            for (var k = 0; k < targetSignals.Length; k++)
            {
                sample.Targets[k] = targetSignals[k].At(t, 0);
            }
            foreach (var sink in sinks)
            {
                sink.Record(sample);
            }
            epochs.Record(t, y);
            losses.Add(sample.Loss);
            maxG = Math.Max(maxG, sample.MaxAbsG);
            maxGdot = Math.Max(maxGdot, sample.MaxAbsGdot);
            reached = t;
            recorded++;
            if (progress is not null && lastProgress.ElapsedMilliseconds > 100)
            {
                progress.Report(new RunProgress(RunPhase.Integrate, t, Math.Clamp((t - T0) / (T1 - T0), 0, 1)));
                lastProgress.Restart();
            }
        }

        foreach (var sink in sinks)
        {
            sink.Begin(layout);
        }
        var status = RunStatus.Completed;
        string? message = null;
        IntegrationStatistics? stats = null;
        var integrator = Integrators.Create(Method, Settings);
        System.ResetStatistics();
        var integration = Stopwatch.StartNew();
        try
        {
            stats = integrator.Integrate(System, T0, StartState, T1, OutputEvery, Record, afterStep, cancel);
            if (cancel.IsCancellationRequested)
            {
                (status, message) = (RunStatus.Interrupted, $"interrupted at t = {reached:R}");
            }
        }
        catch (IntegrationFailure e)
        {
            (status, message) = (RunStatus.Failed, e.Message);
        }
        catch (NumericalFailure e)
        {
            (status, message) = (
                RunStatus.Failed,
                program is IrProgram ir ? KernelFailures.Named(e, ir).Message : e.Message
            );
        }
        integration.Stop();
        progress?.Report(new RunProgress(RunPhase.Evaluate, reached, Math.Clamp((reached - T0) / (T1 - T0), 0, 1)));

        var evaluation = Stopwatch.StartNew();
        var learning = recorded > 0 ? epochs.Evaluate() : [];
        evaluation.Stop();
        var final = new Dictionary<string, double>();
        var weights = new Dictionary<string, double>();
        if (recorded > 0)
        {
            // The coordinates are an F# list: walked once, not indexed (O(n^2) at 10^5 coordinates).
            var i = 0;
            foreach (var coordinate in Model.Coordinates)
            {
                final[program.CoordinateNames[i]] = epochs.Last[i];
                if (coordinate.Kind.IsWeightCoord)
                {
                    weights[program.CoordinateNames[i]] = epochs.Last[i];
                }
                i++;
            }
        }
        var result = new RunResult
        {
            Model = Model.Name,
            Status = status,
            Message = message,
            Method = Method,
            Stabilization = DerivePrint.stabilizationText(Stabilization),
            T0 = T0,
            T1 = T1,
            TReached = reached,
            Final = final,
            FinalWeights = weights,
            MaxAbsG = maxG,
            MaxAbsGdot = maxGdot,
            StepsAccepted = stats?.Accepted ?? 0,
            StepsRejected = stats?.Rejected ?? 0,
            SmallestStep = stats is null || double.IsInfinity(stats.SmallestStep) ? null : stats.SmallestStep,
            RhsEvaluations = System.Evaluations,
            JacobianEvaluations = System.JacobianEvaluations,
            FinalLoss = losses.Count > 0 ? losses[^1] : null,
            LossMeanFirstTenth = TenthMean(losses, last: false),
            LossMeanLastTenth = TenthMean(losses, last: true),
            InitialChanges = [.. Initial.Changes],
            KernelCacheHit = Kernel.CacheHit,
            KernelTemporaries = program is IrProgram straight ? straight.Instructions.Length : 0,
            Timings = new RunTimings(
                deriveTime,
                Kernel.GenerateTime,
                Kernel.CompileTime,
                integration.Elapsed,
                evaluation.Elapsed,
                deriveTime + Kernel.GenerateTime + Kernel.CompileTime + wall.Elapsed,
                TimeSpan.FromSeconds((double)System.KernelTicks / Stopwatch.Frequency)
            ),
            Learning = learning,
            Notes = [.. Notes],
            Configuration = Configuration(),
        };
        foreach (var sink in sinks)
        {
            sink.End(result);
        }
        return result;
    }

    /// <summary>What this run uses, for the record.</summary>
    public RunConfiguration Configuration()
    {
        var file = Options.ModelFile is { } f ? Path.GetFullPath(f) : null;
        string? hash = null;
        if (file is not null && File.Exists(file))
        {
            using var stream = File.OpenRead(file);
            hash = Convert.ToHexStringLower(SHA256.HashData(stream));
        }
        return new RunConfiguration
        {
            ToolVersion = ToolVersion,
            ModelFile = file,
            ModelSha256 = hash,
            Parameters = Model.Parameters.ToDictionary(p => p.Name, p => p.Value),
            Overridden = [.. Options.OverriddenParameters.Order(StringComparer.Ordinal)],
            Method = Method,
            RelativeTolerance = Settings.RelativeTolerance,
            AbsoluteTolerance = Settings.AbsoluteTolerance,
            Step = Integrators.Find(Method).Adaptive ? null : Settings.Step,
            OutputEvery = OutputEvery,
            Stabilization = DerivePrint.stabilizationText(Stabilization),
            DataSets =
            [
                .. Model.DataSets.Select(d => new DataSetConfiguration(
                    d.Name,
                    d.Path,
                    d.Seed,
                    d.Split,
                    d.Epochs,
                    d.Present,
                    d.Mollify,
                    d.Standardize,
                    d.Shuffle
                )),
            ],
            KernelHash = KernelCache.Key(Kernel.Source),
            Kernel = KernelChoice,
            KernelCacheHit = Kernel.CacheHit,
        };
    }

    /// <summary>The version of the StlpSymbolic libraries (informational version of this assembly).</summary>
    public static string ToolVersion { get; } =
        typeof(PreparedRun)
            .Assembly.GetCustomAttributes(typeof(AssemblyInformationalVersionAttribute), false)
            .OfType<AssemblyInformationalVersionAttribute>()
            .FirstOrDefault()
            ?.InformationalVersion
        ?? "unknown";

    /// <summary>The networks as the plots see them, and the data-set target signals they compare outputs with.</summary>
    private (NetworkView[] Views, PresentedSignal[] Targets) NetworkViews()
    {
        // By name in a dictionary: a list search per weight is O(n^2) at 10^5 coordinates.
        var index = CoordinateNames.Select((name, i) => (name, i)).ToDictionary(p => p.name, p => p.i);
        var targets = new List<PresentedSignal>();
        var views = new List<NetworkView>();
        foreach (var network in Model.Networks)
        {
            var layers = network.Layers.Select(l => l.ToHashSet()).ToList();
            int[][] byLayer =
            [
                .. layers
                    .Select(layer => network.Neurons.Where(u => layer.Contains(u.Name)).SelectMany(u => u.Weights))
                    .Select(ws => ws.Select(w => index.GetValueOrDefault(w, -1)).ToArray())
                    .Where(ws => ws.Length > 0),
            ];
            var dataIndex = Model.DataSets.ToList().FindIndex(d => d.Name == network.DataSetName);
            var outputTargets = new int[network.Outputs.Length];
            for (var k = 0; k < outputTargets.Length; k++)
            {
                outputTargets[k] = -1;
                if (dataIndex >= 0 && k < Model.DataSets[dataIndex].Targets.Length)
                {
                    outputTargets[k] = targets.Count;
                    targets.Add(DataSets[dataIndex].Signal(Model.DataSets[dataIndex].TargetSignal(k)));
                }
            }
            views.Add(
                new NetworkView(
                    network.Name,
                    byLayer,
                    [.. network.Outputs.Select(o => index.GetValueOrDefault(o, -1))],
                    [.. network.Outputs],
                    outputTargets
                )
            );
        }
        return ([.. views], [.. targets]);
    }

    private static double MaxAbs(double[] xs)
    {
        var max = 0.0;
        foreach (var x in xs)
        {
            max = Math.Max(max, Math.Abs(x));
        }
        return max;
    }

    private static double? TenthMean(List<double> series, bool last)
    {
        if (series.Count == 0)
        {
            return null;
        }
        var count = Math.Max(1, series.Count / 10);
        var mean = (last ? series.Skip(series.Count - count) : series.Take(count)).Average();
        return double.IsFinite(mean) ? mean : null;
    }

    /// <summary>
    /// The coordinates at the first sample, at the last sample at or before each epoch's end
    /// of each trained network's data set, and at the last sample: what the learning evaluation reads.
    /// </summary>
    private sealed class EpochSnapshots(PreparedRun run)
    {
        private readonly int n = run.Kernel.Shape.N;
        private readonly List<(NetworkInfo Network, DataSet Spec, DataSetSignals Data, double[] Ends)> trained =
        [
            .. run
                .Model.Networks.Where(net => net.DataSetName is not null)
                .Select(net =>
                {
                    var index = run.Model.DataSets.ToList().FindIndex(d => d.Name == net.DataSetName);
                    var spec = run.Model.DataSets[index];
                    var data = run.DataSets[index];
                    var epochLength = data.Duration / Math.Max(1, spec.Epochs);
                    double[] ends = [.. Enumerable.Range(1, spec.Epochs).Select(e => run.T0 + e * epochLength)];
                    return (net, spec, data, ends);
                }),
        ];
        private readonly SortedDictionary<double, double[]?> atEnds = [];
        private double[]? previous;
        private double previousTime = double.NegativeInfinity;

        public double[]? First { get; private set; }
        public double[] Last => previous ?? throw new InvalidOperationException("nothing recorded");

        public void Record(double t, ReadOnlySpan<double> y)
        {
            if (trained.Count > 0)
            {
                foreach (var (_, _, _, ends) in trained)
                {
                    foreach (var end in ends)
                    {
                        // The last sample at or before the end: the previous one, once a sample passes it.
                        if (previous is not null && previousTime <= end + 1e-9 && t > end + 1e-9)
                        {
                            atEnds[end] = previous;
                        }
                    }
                }
            }
            previous = y[..n].ToArray();
            previousTime = t;
            First ??= previous;
        }

        public IReadOnlyList<NetworkLearning> Evaluate()
        {
            var results = new List<NetworkLearning>();
            foreach (var (network, spec, data, ends) in trained)
            {
                var reachedEnds = new List<double[]>();
                foreach (var end in ends)
                {
                    if (end > previousTime + 1e-9)
                    {
                        break;
                    }
                    reachedEnds.Add(atEnds.TryGetValue(end, out var q) && q is not null ? q : Last);
                }
                var names = run.CoordinateNames;
                var rate = spec.Present / run.BackpropLimit(network).Gamma;
                var evaluation = new LearningEvaluation(run.Derivation, network, spec, data, names);
                results.Add(evaluation.Evaluate(First!, reachedEnds, Last, rate));
            }
            return results;
        }
    }
}
