using System.Diagnostics;
using Stlp.Codegen;
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
    public static PreparedRun Prepare(ModelDefinition model, SimulationOptions? options = null)
    {
        options ??= new SimulationOptions();
        var method = options.Method ?? model.Simulation.Method;
        Integrators.Find(method);
        var stabilization = options.Stabilization ?? model.Simulation.Stabilize;
        options.Progress?.Report(new RunProgress(RunPhase.Derive, model.Simulation.T0, 0));
        var watch = Stopwatch.StartNew();
        var derivation = Derivations.Derive(model, stabilization);

        // Training sets become signals (MATH.md §8): presented, cycled, mollified.
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
        var kernel = KernelFactory.Create(derivation, options.Cache);
        var program = kernel.Program;
        // Resolved once: the right-hand side evaluates these on every stage.
        var sources = program
            .SignalInputs.Select(s => (Signal: dataSets.First(d => d.Has(s.Item1)).Signal(s.Item1), Order: s.Item2))
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
        var system = new KernelSystem(kernel.Kernel, program.ParameterDefaults, fillSignals)
        {
            // One set's switches; with several sets of different timing, the first one's.
            Windows = dataSets.Count > 0 ? dataSets[0].Windows : null,
            TimeKernelCalls = options.TimeKernelCalls,
        };
        var observables = new Observables(derivation, signals);
        Action<double, double[]>? afterStep = null;
        if (stabilization.IsProjection)
        {
            var masses = observables.Masses(model.Simulation.T0);
            afterStep = new Projection(kernel.Kernel, program.ParameterDefaults, masses, fillSignals).Apply;
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
            deriveTime
        );
    }

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
    /// <param name="modelFile">The model's file, recorded in the summary (null for a model built in code).</param>
    /// <param name="extraRecorders">More recorders, after the CSV, the plots and the summary.</param>
    public static RunResult RunToDirectory(
        ModelDefinition model,
        string directory,
        SimulationOptions? options = null,
        string? modelFile = null,
        CancellationToken cancel = default,
        IEnumerable<IRunRecorder>? extraRecorders = null
    )
    {
        var prepared = Prepare(model, options);
        Directory.CreateDirectory(directory);
        IRunRecorder[] recorders =
        [
            new CsvTrajectoryRecorder(Path.Combine(directory, "trajectory.csv")),
            new PlotRecorder(directory),
            new SummaryRecorder(directory, modelFile),
            .. extraRecorders ?? [],
        ];
        return prepared.Run(recorders, cancel);
    }
}
