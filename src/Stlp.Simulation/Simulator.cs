using System.Diagnostics;
using Stlp.Codegen;
using Stlp.Codegen.Structured;
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
    /// The model's signals: formulas, and its training sets as the paper's presented, cycled,
    /// mollified signals (docs/equations.md §8), bound so the model layer can evaluate them.
    /// </summary>
    public static (FormulaSignals Signals, List<DataSetSignals> DataSets) Signals(ModelDefinition model)
    {
        var dataSets = model
            .DataSets.Select(d => new DataSetSignals(
                new DataSetSpec(
                    d.Name,
                    d.OneHot,
                    d.Present,
                    d.Mollify,
                    d.Epochs,
                    d.Split,
                    d.Seed,
                    d.Standardize,
                    d.Shuffle
                ),
                d.Table.Features,
                d.Table.Labels
            ))
            .ToList();
        var signals = new FormulaSignals(model);
        if (dataSets.Count > 0)
        {
            signals.External = (name, order, t) => dataSets.First(d => d.Has(name)).Value(name, order, t);
        }
        return (signals, dataSets);
    }

    /// <summary>
    /// Like <see cref="Prepare(ModelDefinition, SimulationOptions?)"/>, but reusing the derivation and the compiled
    /// kernel of <paramref name="basis"/> when <paramref name="model"/> differs from its model only in values
    /// (parameters, starts, data seeds), as in a sweep: no derivation, no compilation, a fresh kernel instance.
    /// </summary>
    public static PreparedRun Prepare(ModelDefinition model, SimulationOptions? options, PreparedRun? basis)
    {
        options ??= new SimulationOptions();
        Validate(model, options);
        var method = options.Method ?? model.Simulation.Method;
        var stabilization = options.Stabilization ?? model.Simulation.Stabilize;
        options.Progress?.Report(new RunProgress(RunPhase.Derive, model.Simulation.T0, 0));
        CheckDataSets(model);
        var watch = Stopwatch.StartNew();
        var reused =
            basis is not null && basis.Stabilization.Equals(stabilization)
                ? Derivations.Rebind(basis.Derivation, model)
                : null;
        var (derivation, loops, why) = reused is null
            ? Derive(model, stabilization, options.Kernel)
            : (reused, basis!.Kernel.Loops, null);

        var (signals, dataSets) = Signals(model);
        options.Progress?.Report(new RunProgress(RunPhase.Start, model.Simulation.T0, 0));
        var initial = Derivations.Start(derivation, signals);
        var deriveTime = watch.Elapsed;

        options.Progress?.Report(new RunProgress(RunPhase.Compile, model.Simulation.T0, 0));
        var kernel =
            reused is not null ? Fresh(basis!.Kernel)
            : loops is not null ? Structured(loops, options)
            : KernelFactory.Create(Lower.lower(derivation), options.Cache);
        var program = kernel.Shape;
        // The model's values: a rebound model's parameters differ from those the kernel was lowered with.
        var parameters = model.ParameterValues;
        double[] parameterValues = [.. program.ParameterNames.Select(name => parameters[name])];
        // Resolved once: the right-hand side evaluates these on every stage.
        // Each presented signal once per t (its value and derivatives come together), written
        // into the slots of the orders the kernel reads (-1: not read).
        var sources = program
            .SignalInputs.Select(s => dataSets.First(d => d.Has(s.Name)).Signal(s.Name))
            .Distinct()
            .ToArray();
        var slots = sources.Select(_ => new[] { -1, -1, -1 }).ToArray();
        for (var k = 0; k < program.SignalInputs.Length; k++)
        {
            var input = program.SignalInputs[k];
            var signal = dataSets.First(d => d.Has(input.Name)).Signal(input.Name);
            if (input.Order > 2)
            {
                throw new InputError(
                    $"signal {input.Name}{new string('\'', input.Order)}: only the first two derivatives of a training-set signal are known"
                );
            }
            slots[Array.IndexOf(sources, signal)][input.Order] = k;
        }
        Action<double, double[]>? fillSignals =
            sources.Length == 0
                ? null
                : (t, values) =>
                {
                    for (var k = 0; k < sources.Length; k++)
                    {
                        var (value, rate, acceleration) = sources[k].At(t);
                        var slot = slots[k];
                        if (slot[0] >= 0)
                        {
                            values[slot[0]] = value;
                        }
                        if (slot[1] >= 0)
                        {
                            values[slot[1]] = rate;
                        }
                        if (slot[2] >= 0)
                        {
                            values[slot[2]] = acceleration;
                        }
                    }
                };
        var system = new KernelSystem(kernel.Kernel, parameterValues, fillSignals)
        {
            // One set's switches; with several sets of different timing, the first one's.
            Windows = dataSets.Count > 0 ? dataSets[0].Windows : null,
            TimeKernelCalls = options.TimeKernelCalls,
            CoordinateNames = program.CoordinateNames,
            // A failure names its cause: a non-finite quantity and the time, not the pivot it broke.
            Explain = (e, t, q, qdot, p, s) => KernelFailures.Explain(e, program, t, q, qdot, p, s),
        };
        var observables = new Observables(derivation, parameterValues, dataSets);
        Action<double, double[]>? afterStep = null;
        if (stabilization.IsProjection)
        {
            var masses = observables.Masses(model.Simulation.T0);
            afterStep = new Projection(kernel.Kernel, parameterValues, masses, fillSignals).Apply;
        }
        var choice = reused is not null ? basis!.KernelChoice : Choice(kernel.Kernel, why);
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
        )
        {
            KernelChoice = choice,
        };
    }

    /// <summary>The kernel a run uses, in words (and why not structured, when it could have been asked).</summary>
    private static string Choice(Runtime.Kernels.IKernel kernel, string? why) =>
        kernel is StructuredKernel structured
            ? $"structured ({SolverName(structured.Solver)} solve; {structured.Rows.Size} rows, {structured.Rows.EdgeCount} edges)"
        : why is null ? "straight-line"
        : $"straight-line ({why})";

    /// <summary>
    /// The kernel a run of <paramref name="model"/> would use (structured or straight-line, as
    /// <see cref="SimulationOptions.Kernel"/> chooses), without starting or running it, with the
    /// interpreter of the same IR as its reference: what <c>stlp eval</c> and <c>stlp check</c>
    /// evaluate. With <paramref name="interpretedOnly"/> nothing is compiled and the kernel is the reference.
    /// </summary>
    public static ModelKernel Kernel(
        ModelDefinition model,
        Stabilization stabilization,
        SimulationOptions? options = null,
        bool interpretedOnly = false
    )
    {
        options ??= new SimulationOptions();
        var (derivation, loops, why) = Derive(model, stabilization, options.Kernel);
        if (loops is not null)
        {
            var reference = Structured(loops, options with { InterpretLoops = true }).Kernel;
            var compiled = interpretedOnly ? null : Structured(loops, options with { InterpretLoops = false });
            var kernel = compiled?.Kernel ?? reference;
            return new ModelKernel(derivation, loops, kernel, reference, Choice(kernel, why), compiled);
        }
        var program = Lower.lower(derivation);
        var interpreter = new Interpreter(program);
        var straight = interpretedOnly ? null : KernelFactory.Create(program, options.Cache);
        var chosen = straight?.Kernel ?? interpreter;
        return new ModelKernel(derivation, program, chosen, interpreter, Choice(chosen, why), straight);
    }

    /// <summary>
    /// The C# source of the kernel a run of <paramref name="model"/> would compile (the form loops
    /// of a structured kernel, else the straight-line kernel), generated without compiling, and
    /// what it is, in words.
    /// </summary>
    public static (string Source, string What) KernelSource(
        ModelDefinition model,
        Stabilization stabilization,
        KernelPath path = KernelPath.Auto
    )
    {
        var (derivation, loops, why) = Derive(model, stabilization, path);
        if (loops is not null)
        {
            return (
                LoopEmitter.Emit(loops),
                $"structured form loops: {loops.Forms.Length} forms over {loops.R} rows and {loops.EdgeCount} edges"
            );
        }
        var program = Lower.lower(derivation);
        var what = $"straight-line kernel: {program.Instructions.Length} temporaries";
        return (KernelEmitter.Emit(program), why is null ? what : $"{what} ({why})");
    }

    private static CompiledKernel Structured(LoopProgram loops, SimulationOptions options)
    {
        try
        {
            return KernelFactory.CreateStructured(loops, options.Cache, options.Solver, options.InterpretLoops);
        }
        catch (ArgumentException e)
        {
            // A solver that does not apply to this network (block on a digraph).
            throw new InputError($"--solver {SolverName(options.Solver)}: {e.Message}");
        }
    }

    /// <summary>The solver as the CLI and summaries spell it.</summary>
    public static string SolverName(MultiplierSolver solver) =>
        solver switch
        {
            MultiplierSolver.Block => "block",
            MultiplierSolver.Dense => "dense",
            MultiplierSolver.ConjugateGradient => "cg",
            _ => "auto",
        };

    /// <summary>
    /// The derivation a run of <paramref name="model"/> uses: for a structured kernel without the
    /// symbolic multiplier equation (its forms, <c>Loops.equations</c>, stand for it); whether the
    /// kernel is structured, and why not where it could have been.
    /// </summary>
    public static (Derivation Derivation, bool Structured, string? Why) Derivation(
        ModelDefinition model,
        Stabilization stabilization,
        KernelPath path = KernelPath.Auto
    )
    {
        var (derivation, loops, why) = Derive(model, stabilization, path);
        return (derivation, loops is not null, why);
    }

    /// <summary>
    /// The derivation, and the loop IR when the structured kernel is taken (then the symbolic
    /// multiplier equation, which grows as the square of a layer, is never formed); otherwise
    /// why not (null for a model without networks, or when the straight-line kernel was asked for).
    /// </summary>
    private static (Derivation Derivation, LoopProgram? Loops, string? Why) Derive(
        ModelDefinition model,
        Stabilization stabilization,
        KernelPath path
    )
    {
        if (path == KernelPath.StraightLine || (path == KernelPath.Auto && model.Networks.IsEmpty))
        {
            return (Derivations.Derive(model, stabilization), null, null);
        }
        var light = Derivations.DeriveForLoops(model, stabilization);
        var refusal = Loops.refusal(light);
        if (refusal is null)
        {
            return (light, Loops.lower(light), null);
        }
        if (path == KernelPath.Structured)
        {
            throw new InputError($"the structured kernel does not apply to this model: {refusal.Value}");
        }
        return (Derivations.Derive(model, stabilization), null, refusal.Value);
    }

    /// <summary>
    /// The most coordinates an implicit method (sdirk, rosenbrock) takes: they factor a dense
    /// Jacobian of the whole state, 2n x 2n (3,000 coordinates: 288 MB and about 10 s per factorization).
    /// </summary>
    public const int MaxImplicitCoordinates = 3000;

    /// <summary>The most fixed steps, or recorded samples, a run may take: more is refused before any work.</summary>
    public const double MaxSteps = 1e9;

    /// <summary>The most samples a run may record.</summary>
    public const double MaxSamples = 1e8;

    /// <summary>
    /// Checks the options against the model before any work (no derivation, no compilation): an
    /// <see cref="InputError"/> names the setting (its command-line option in parentheses) and the value.
    /// </summary>
    public static void Validate(ModelDefinition model, SimulationOptions options)
    {
        var sim = model.Simulation;
        var method = options.Method ?? sim.Method;
        // An unknown method is an ArgumentException listing the registered ones.
        var info = Integrators.Find(method);
        var coordinates = model.Coordinates.Length;
        if (info.Implicit && coordinates > MaxImplicitCoordinates)
        {
            throw new InputError(
                $"{method} (--method) solves with a dense Jacobian of all 2n = {2 * coordinates} state variables: "
                    + $"O(n^2) memory and O(n^3) per factorization, refused above {MaxImplicitCoordinates} coordinates "
                    + $"(this model has {coordinates}); use dopri5 or rk4, whose steps cost one structured right-hand side each, O(edges)"
            );
        }
        var t0 = sim.T0;
        var t1 = options.T1 ?? sim.T1;
        if (!double.IsFinite(t1) || !(t1 > t0))
        {
            throw new InputError(
                $"the end time (--t1) must be a finite number after the start t0 = {t0:R}, got {t1:R}"
            );
        }
        Positive(options.RelativeTolerance, "the relative tolerance (--rtol)");
        Positive(options.AbsoluteTolerance, "the absolute tolerance (--atol)");
        Positive(options.Step, "the step (--step)");
        Positive(options.OutputEvery, "the output interval");
        var span = t1 - t0;
        if (!info.Adaptive)
        {
            var step = options.Step ?? sim.FixedStep ?? span / 2000;
            if (span / step > MaxSteps)
            {
                throw new InputError(
                    $"{method} with step {step:R} from {t0:R} to {t1:R} takes {span / step:G3} steps; at most {MaxSteps:G3} (a larger --step, or an adaptive method)"
                );
            }
        }
        var every = options.OutputEvery ?? sim.OutputInterval ?? span / 500;
        if (span / every > MaxSamples)
        {
            throw new InputError(
                $"recording every {every:R} from {t0:R} to {t1:R} makes {span / every:G3} samples; at most {MaxSamples:G3} (a smaller --t1, or a larger output interval in the model)"
            );
        }
    }

    /// <summary>
    /// Targets the runtime cannot use, refused before any work as model errors naming the data set:
    /// a one-hot target of one class, a target that is not a number without one-hot.
    /// </summary>
    private static void CheckDataSets(ModelDefinition model)
    {
        static string Shown(string cell) => cell.Length > 40 ? cell[..40] + "..." : cell;
        foreach (var d in model.DataSets)
        {
            var labels = d.Table.Labels;
            string Where() => $"data set '{d.Name}' ({d.Path}), target column '{d.TargetColumn}'";
            if (d.OneHot && labels.Distinct().Count() < 2)
            {
                throw new ModelError(
                    ErrorKind.InvalidModel,
                    null,
                    $"{Where()}: a one-hot target needs at least two classes, but every row is of one class"
                        + (labels.Length > 0 ? $" ('{Shown(labels[0])}')" : "")
                );
            }
            if (!d.OneHot)
            {
                for (var r = 0; r < labels.Length; r++)
                {
                    if (
                        !double.TryParse(
                            labels[r],
                            System.Globalization.NumberStyles.Float,
                            System.Globalization.CultureInfo.InvariantCulture,
                            out var value
                        ) || !double.IsFinite(value)
                    )
                    {
                        throw new ModelError(
                            ErrorKind.InvalidModel,
                            null,
                            $"{Where()}, row {r + 1}: the target '{Shown(labels[r])}' is not a finite number (declare the target one-hot for class labels)"
                        );
                    }
                }
            }
        }
    }

    private static void Positive(double? value, string what)
    {
        if (value is { } x && !(double.IsFinite(x) && x > 0))
        {
            throw new InputError($"{what} must be a positive finite number, got {x:R}");
        }
    }

    /// <summary>
    /// Another instance of an already compiled kernel (kernels keep scratch arrays, so runs in
    /// parallel need one each): no generation, no compilation.
    /// </summary>
    private static CompiledKernel Fresh(CompiledKernel compiled) =>
        compiled with
        {
            Kernel = compiled.Kernel is StructuredKernel structured
                ? structured.Fresh()
                : (Runtime.Kernels.IKernel)Activator.CreateInstance(compiled.Kernel.GetType())!,
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
        // The folder first: an unusable one is reported before any work.
        CreateOutputDirectory(directory);
        return RunToDirectory(Prepare(model, options), directory, cancel, extraRecorders);
    }

    /// <summary>Creates the output folder, or throws an <see cref="InputError"/> saying why it cannot be used.</summary>
    internal static void CreateOutputDirectory(string directory)
    {
        if (File.Exists(directory))
        {
            throw new InputError($"{directory}: the output directory is a file");
        }
        try
        {
            Directory.CreateDirectory(directory);
            // Writable? A run that fails to write its first file has done its work for nothing.
            var probe = Path.Combine(directory, $".stlp-{Guid.NewGuid():N}.tmp");
            File.WriteAllBytes(probe, []);
            File.Delete(probe);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or NotSupportedException)
        {
            throw new InputError($"{directory}: cannot write the output directory: {e.Message}");
        }
    }

    /// <summary>A prepared run written into <paramref name="directory"/> as <c>stlp run</c> writes it.</summary>
    public static RunResult RunToDirectory(
        PreparedRun prepared,
        string directory,
        CancellationToken cancel = default,
        IEnumerable<IRunRecorder>? extraRecorders = null
    )
    {
        CreateOutputDirectory(directory);
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
