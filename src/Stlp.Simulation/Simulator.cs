using System.Diagnostics;
using Stlp.Codegen;
using Stlp.Ir;
using Stlp.Model;
using Stlp.Runtime.Integration;
using Stlp.Runtime.Signals;
using Stlp.Simulation.Recording;

namespace Stlp.Simulation;

/// <summary>
/// Runs a model: <see cref="Prepare"/> derives, starts, compiles and binds; <see cref="Run"/>
/// does that and integrates; <see cref="RunToDirectory"/> also writes what <c>stlp run</c>
/// writes (trajectory.csv, summary.json, weights.json, plots). One call each, for the CLI, the
/// bench, the tests, notebooks and the samples alike.
/// </summary>
public static class Simulator
{
    /// <summary>Derives, completes the consistent start, compiles the kernel and binds signals and data sets.</summary>
    public static PreparedRun Prepare(ModelDefinition model, SimulationOptions? options = null) =>
        Prepare(model, options, basis: null);

    /// <summary>
    /// Like <see cref="Prepare(ModelDefinition, SimulationOptions?)"/>, but reusing the derivation and the compiled
    /// kernel of <paramref name="basis"/> when <paramref name="model"/> differs from its model only in values
    /// (parameters, starts, data seeds), as in a sweep: no derivation, no compilation, a fresh kernel instance.
    /// </summary>
    public static PreparedRun Prepare(ModelDefinition model, SimulationOptions? options, PreparedRun? basis)
    {
        options ??= new SimulationOptions();
        var method = options.Method ?? model.Simulation.Method;
        Integrators.Find(method);
        var stabilization = options.Stabilization ?? model.Simulation.Stabilize;
        options.Progress?.Report(new RunProgress(RunPhase.Derive, model.Simulation.T0, 0));
        var watch = Stopwatch.StartNew();
        var reused =
            basis is not null && basis.Stabilization.Equals(stabilization)
                ? Derivations.Rebind(basis.Derivation, model)
                : null;
        var derivation = reused ?? Derivations.Derive(model, stabilization);

        // Training sets become signals (docs/equations.md §8): presented, cycled, mollified.
        var dataSets = model
            .DataSets.Select(d => new DataSetSignals(
                new DataSetSpec(d.Name, d.OneHot, d.Present, d.Mollify, d.Epochs, d.Split, d.Seed, d.Standardize),
                d.Table.Features,
                d.Table.Labels
            ))
            .ToList();
        var signals = new FormulaSignals(model);
        if (dataSets.Count > 0)
        {
            signals.External = (name, order, t) => dataSets.First(d => d.Has(name)).Value(name, order, t);
        }
        options.Progress?.Report(new RunProgress(RunPhase.Start, model.Simulation.T0, 0));
        var initial = Derivations.Start(derivation, signals);
        var deriveTime = watch.Elapsed;

        options.Progress?.Report(new RunProgress(RunPhase.Compile, model.Simulation.T0, 0));
        var kernel = reused is null
            ? KernelFactory.Create(Lower.lower(derivation), options.Cache)
            : Fresh(basis!.Kernel);
        var program = kernel.Program;
        // The model's values: a rebound model's parameters differ from those the kernel was lowered with.
        var parameters = model.ParameterValues;
        double[] parameterValues = [.. program.ParameterNames.Select(name => parameters[name])];
        // Resolved once: the right-hand side evaluates these on every stage.
        var sources = program
            .SignalInputs.Select(s => (Signal: dataSets.First(d => d.Has(s.Name)).Signal(s.Name), s.Order))
            .ToArray();
        Action<double, double[]>? fillSignals =
            sources.Length == 0
                ? null
                : (t, values) =>
                {
                    for (var k = 0; k < sources.Length; k++)
                    {
                        values[k] = sources[k].Signal.At(t, sources[k].Order);
                    }
                };
        var system = new KernelSystem(kernel.Kernel, parameterValues, fillSignals)
        {
            // One set's switches; with several sets of different timing, the first one's.
            Windows = dataSets.Count > 0 ? dataSets[0].Windows : null,
            TimeKernelCalls = options.TimeKernelCalls,
        };
        var observables = new Observables(derivation, parameterValues, dataSets);
        Action<double, double[]>? afterStep = null;
        if (stabilization.IsProjection)
        {
            var masses = observables.Masses(model.Simulation.T0);
            afterStep = new Projection(kernel.Kernel, parameterValues, masses, fillSignals).Apply;
        }
        return new PreparedRun(
            model,
            options,
            derivation,
            stabilization,
            initial,
            kernel,
            dataSets,
            system,
            observables,
            afterStep,
            deriveTime,
            reused is not null
        );
    }

    /// <summary>
    /// Another instance of an already compiled kernel (kernels keep scratch arrays, so runs in
    /// parallel need one each): no generation, no compilation.
    /// </summary>
    private static CompiledKernel Fresh(CompiledKernel compiled) =>
        compiled with
        {
            Kernel = (Runtime.Kernels.IKernel)Activator.CreateInstance(compiled.Kernel.GetType())!,
            CacheHit = true,
            GenerateTime = TimeSpan.Zero,
            CompileTime = TimeSpan.Zero,
        };

    /// <summary>The files <see cref="RunToDirectory"/> writes; a rerun removes them first.</summary>
    public static IReadOnlyList<string> OutputFiles { get; } =
    [
        "trajectory.csv",
        "summary.json",
        "weights.json",
        "coordinates.png",
        "residuals.png",
        "loss.png",
        "plot.png",
        "learning.png",
    ];

    /// <summary>Prepares and integrates the model, streaming to the recorders.</summary>
    public static RunResult Run(
        ModelDefinition model,
        SimulationOptions? options = null,
        IEnumerable<IRunRecorder>? recorders = null,
        CancellationToken cancel = default
    ) => Prepare(model, options).Run(recorders, cancel);

    /// <summary>
    /// Runs the model and writes into <paramref name="directory"/> what <c>stlp run</c> writes:
    /// trajectory.csv (row by row), summary.json, weights.json and the PNG plots. A failure or
    /// an interrupt still leaves the partial trajectory and the summary.
    /// </summary>
    /// <param name="extraRecorders">More recorders, after the CSV, the plots and the summary.</param>
    public static RunResult RunToDirectory(
        ModelDefinition model,
        string directory,
        SimulationOptions? options = null,
        CancellationToken cancel = default,
        IEnumerable<IRunRecorder>? extraRecorders = null
    )
    {
        return RunToDirectory(Prepare(model, options), directory, cancel, extraRecorders);
    }

    /// <summary>A prepared run written into <paramref name="directory"/> as <c>stlp run</c> writes it.</summary>
    public static RunResult RunToDirectory(
        PreparedRun prepared,
        string directory,
        CancellationToken cancel = default,
        IEnumerable<IRunRecorder>? extraRecorders = null
    )
    {
        Directory.CreateDirectory(directory);
        // A rerun into the same folder leaves nothing of the earlier run (a plot it drew and this one does not).
        foreach (var stale in OutputFiles)
        {
            File.Delete(Path.Combine(directory, stale));
        }
        IRunRecorder[] recorders =
        [
            new CsvTrajectoryRecorder(Path.Combine(directory, "trajectory.csv")),
            new PlotRecorder(directory),
            new SummaryRecorder(directory),
            .. extraRecorders ?? [],
        ];
        return prepared.Run(recorders, cancel);
    }
}
