using System.CommandLine;
using System.Diagnostics;
using System.Text.Json;
using System.Text.Json.Nodes;
using Microsoft.FSharp.Core;
using Stlp.Codegen;
using Stlp.Ir;
using Stlp.Model;
using Stlp.Runtime.Integration;
using Stlp.Runtime.Kernels;
using Stlp.Runtime.Recording;
using Stlp.Runtime.Signals;

namespace Stlp.Cli;

/// <summary>
/// <c>stlp run FILE</c>: derive, compile, start consistently, integrate, and write
/// trajectory.csv (as it goes), summary.json and PNG plots into the output directory.
/// </summary>
public static class RunCommand
{
    public static Command Create(TextWriter output, TextWriter error)
    {
        var file = new Argument<string>("file") { Description = "The .stlp model file." };
        var outDir = new Option<string?>("--out", "-o") { Description = "Output directory (default out/<model>)." };
        var t1 = new Option<double?>("--t1") { Description = "End time (default: the model's simulate line)." };
        var method = new Option<string?>("--method")
        {
            Description = "rk4, dopri5, or for stiff runs (small masses) sdirk or rosenbrock (default: the model's).",
        };
        method.AcceptOnlyFromAmong("rk4", "dopri5", "rosenbrock", "sdirk");
        var step = new Option<double?>("--step")
        {
            Description = "Step for rk4 (default: the model's, else (t1-t0)/2000).",
        };
        var stabilize = new Option<string?>("--stabilize")
        {
            Description = "none, 'penalty C', 'baumgarte ALPHA BETA' or projection (default: the model's).",
        };
        var noCache = new Option<bool>("--no-cache") { Description = "Do not use the compiled-kernel cache." };
        var set = CommonOptions.Set();
        var command = new Command("run", "Integrate a model and write its trajectory, summary and plots.")
        {
            file,
            outDir,
            t1,
            method,
            step,
            stabilize,
            noCache,
            set,
        };
        command.SetAction(parse =>
        {
            var path = parse.GetValue(file)!;
            var model = ModelLoader.TryLoad(path, parse.GetValue(set) ?? [], error);
            if (model is null)
            {
                return ExitCodes.ModelError;
            }
            try
            {
                var stab = parse.GetValue(stabilize) is { } s
                    ? Derivations.ParseStabilization(s)
                    : model.Simulation.Stabilize;
                var options = new RunOptions(
                    parse.GetValue(outDir) ?? Path.Combine("out", model.Name),
                    parse.GetValue(t1) ?? model.Simulation.T1,
                    parse.GetValue(method) ?? model.Simulation.Method,
                    parse.GetValue(step),
                    parse.GetValue(noCache)
                );
                return Run(path, model, stab, options, output, error);
            }
            catch (InputError e)
            {
                error.WriteLine($"error: {e.Message}");
                return ExitCodes.Usage;
            }
            catch (ArgumentException e)
            {
                error.WriteLine($"error: {e.Message}");
                return ExitCodes.Usage;
            }
            catch (Exception e) when (Derivations.Describe(e) is { } message)
            {
                error.WriteLine($"{path}: derivation error: {message.Value}");
                return ExitCodes.ModelError;
            }
        });
        return command;
    }

    public sealed record RunOptions(string Directory, double T1, string Method, double? Step, bool NoCache);

    public static int Run(
        string path,
        Stlp.Model.Model model,
        Stabilization stabilization,
        RunOptions options,
        TextWriter output,
        TextWriter error
    )
    {
        var wall = Stopwatch.StartNew();
        var derivation = Stlp.Model.Derive.derive(FSharpOption<Stabilization>.Some(stabilization), model);
        var projecting = stabilization.IsProjection;
        var signals = new FormulaSignals(model);
        var parameters = model.ParameterValues;
        // Training sets become signals (MATH.md §8): presented, cycled, mollified.
        var dataSets = model
            .DataSets.Select(d => new DataSetSignals(
                new DataSetSpec(
                    d.Name,
                    d.Path,
                    d.TargetColumn,
                    d.OneHot,
                    d.Present,
                    d.Mollify,
                    d.Epochs,
                    d.Split,
                    d.Seed,
                    d.Standardize
                )
            ))
            .ToList();
        double DataSignal(string name, int order, double t) => dataSets.First(d => d.Has(name)).Value(name, order, t);
        if (dataSets.Count > 0)
        {
            signals.External = DataSignal;
        }
        var initial = InitialConditionsModule.complete(derivation, signals, parameters);
        var compiled = KernelFactory.Create(Lower.lower(derivation), options.NoCache ? null : KernelCache.Default());
        var program = compiled.Program;
        var n = program.N;
        var signalInputs = program.SignalInputs;
        // Resolved once: the right-hand side evaluates these on every stage.
        var signalSources = signalInputs
            .Select(s => (Signal: dataSets.First(d => d.Has(s.Name)).Signal(s.Name), Order: s.Order))
            .ToArray();
        Action<double, double[]>? fillSignals =
            signalInputs.Length == 0
                ? null
                : (t, values) =>
                {
                    for (var k = 0; k < signalSources.Length; k++)
                    {
                        values[k] = signalSources[k].Signal.At(t, signalSources[k].Order);
                    }
                };
        var system = new KernelSystem(compiled.Kernel, program.ParameterDefaults, fillSignals)
        {
            // One set's switches; with several sets of different timing, the first one's.
            Windows = dataSets.Count > 0 ? dataSets[0].Windows : null,
        };
        Action<double, double[]>? afterStep = null;
        if (projecting)
        {
            var masses = model
                .Coordinates.Select(c =>
                    Evaluate.eval(
                        signals.Values(model.Simulation.T0, parameters, new Dictionary<Stlp.Model.Symbol, double>()),
                        c.Mass
                    )
                )
                .ToArray();
            var projection = new Projection(compiled.Kernel, program.ParameterDefaults, masses, fillSignals);
            afterStep = projection.Apply;
        }
        Directory.CreateDirectory(options.Directory);

        var sim = model.Simulation;
        var t0 = sim.T0;
        var t1 = options.T1;
        var outputEvery = sim.OutputEvery is { } every ? every.Value : (t1 - t0) / 500;
        var columns = new List<string> { "t" };
        columns.AddRange(program.CoordinateNames);
        columns.AddRange(program.CoordinateNames.Select(c => c + "'"));
        columns.AddRange(program.ConstraintNames.Select(c => "lambda~_" + c));
        columns.AddRange(["max_abs_G", "max_abs_Gdot", "loss", "varpi"]);

        var times = new List<double>();
        var coordinateSeries = program.CoordinateNames.Select(c => (c, new List<double>())).ToList();
        var gSeries = new List<double>();
        var gdotSeries = new List<double>();
        var lossSeries = new List<double>();
        var plotExpressions = model.Simulation.Plots.ToArray();
        var plotSeries = plotExpressions.Select(_ => new List<double>()).ToArray();
        double maxG = 0,
            maxGdot = 0;
        var row = new double[columns.Count];
        var scratch = new double[2 * n];
        var values = new Dictionary<Stlp.Model.Symbol, double>();
        var progress = error == Console.Error && !Console.IsErrorRedirected;
        var lastProgress = Stopwatch.StartNew();
        double reached = t0;

        using var cancel = new CancellationTokenSource();
        ConsoleCancelEventHandler onCancel = (_, e) =>
        {
            e.Cancel = true;
            cancel.Cancel();
        };
        Console.CancelKeyPress += onCancel;

        var status = "completed";
        var integration = new Stopwatch();
        string? failure = null;
        IntegrationStatistics? stats = null;
        using (var csv = new TrajectoryWriter(Path.Combine(options.Directory, "trajectory.csv"), columns))
        {
            void Record(double t, ReadOnlySpan<double> y)
            {
                system.Derivative(t, y, scratch);
                var g = system.G.Length == 0 ? 0 : system.G.Max(Math.Abs);
                var gdot = system.Gdot.Length == 0 ? 0 : system.Gdot.Max(Math.Abs);
                for (var i = 0; i < n; i++)
                {
                    values[derivation.Q[i]] = y[i];
                }
                for (var i = 0; i < n; i++)
                {
                    values[derivation.Qdot[i]] = y[n + i];
                }
                var leaves = signals.Values(t, parameters, values);
                var loss = Evaluate.eval(leaves, derivation.Loss);
                for (var k2 = 0; k2 < plotExpressions.Length; k2++)
                {
                    plotSeries[k2].Add(Evaluate.eval(leaves, plotExpressions[k2]));
                }
                var k = 0;
                row[k++] = t;
                for (var i = 0; i < 2 * n; i++)
                {
                    row[k++] = y[i];
                }
                foreach (var l in system.LambdaNormalized)
                {
                    row[k++] = l;
                }
                row[k++] = g;
                row[k++] = gdot;
                row[k++] = loss;
                row[k] = system.Varpi;
                csv.Write(row);
                times.Add(t);
                for (var i = 0; i < n; i++)
                {
                    coordinateSeries[i].Item2.Add(y[i]);
                }
                gSeries.Add(g);
                gdotSeries.Add(gdot);
                lossSeries.Add(loss);
                maxG = Math.Max(maxG, g);
                maxGdot = Math.Max(maxGdot, gdot);
                reached = t;
                if (progress && lastProgress.ElapsedMilliseconds > 100)
                {
                    var fraction = Math.Clamp((t - t0) / (t1 - t0), 0, 1);
                    var bar = new string('#', (int)(30 * fraction)).PadRight(30);
                    error.Write($"\r[{bar}] {100 * fraction, 5:F1}%  t = {t:G6}  ");
                    lastProgress.Restart();
                }
            }

            var y = initial.State.Q.Concat(initial.State.Qdot).ToArray();
            integration.Start();
            try
            {
                if (options.Method == "rk4")
                {
                    var h = options.Step ?? sim.Step?.Value ?? (t1 - t0) / 2000;
                    stats = Rk4.Integrate(system, t0, y, t1, h, outputEvery, Record, afterStep, cancel.Token);
                }
                else
                {
                    IAdaptiveIntegrator integrator = options.Method switch
                    {
                        "sdirk" => new Sdirk(sim.RelTol, sim.AbsTol),
                        "rosenbrock" => new Rosenbrock(sim.RelTol, sim.AbsTol),
                        _ => new DormandPrince(sim.RelTol, sim.AbsTol),
                    };
                    stats = integrator.Integrate(system, t0, y, t1, outputEvery, Record, afterStep, cancel.Token);
                }
                if (cancel.IsCancellationRequested)
                {
                    status = "interrupted";
                    failure = $"interrupted at t = {reached:R}";
                }
            }
            catch (IntegrationFailure e)
            {
                status = "failed";
                failure = e.Message;
            }
            catch (NumericalFailure e)
            {
                status = "failed";
                failure = KernelFailures.Named(e, program).Message;
            }
        }
        integration.Stop();
        Console.CancelKeyPress -= onCancel;
        if (progress)
        {
            error.WriteLine();
        }

        if (times.Count > 1)
        {
            RunPlots.Write(options.Directory, model.Name, times, coordinateSeries, gSeries, gdotSeries, lossSeries);
            if (plotExpressions.Length > 0)
            {
                RunPlots.WriteExpressions(
                    options.Directory,
                    model.Name,
                    times,
                    [.. plotExpressions.Select((e, k) => (Print.text(e), plotSeries[k]))]
                );
            }
        }
        var curve = new List<NetworkEvaluation.EpochPoint>();
        var evaluation = NetworkEvaluation.Evaluate(
            model,
            dataSets,
            program.CoordinateNames,
            times,
            coordinateSeries,
            curve,
            (t, e) => Evaluate.eval(signals.Values(t, parameters, values), e)
        );
        if (curve.Count > 0)
        {
            RunPlots.WriteLearningCurve(options.Directory, model.Name, curve);
        }
        var weights = new JsonObject();
        for (var i = 0; i < n && times.Count > 0; i++)
        {
            if (model.Coordinates[i].Kind.IsWeightCoord)
            {
                weights[program.CoordinateNames[i]] = coordinateSeries[i].Item2[^1];
            }
        }
        File.WriteAllText(
            Path.Combine(options.Directory, "weights.json"),
            weights.ToJsonString(new JsonSerializerOptions { WriteIndented = true })
        );
        var summary = new JsonObject
        {
            ["evaluation"] = evaluation,
            ["model"] = model.Name,
            ["file"] = Path.GetFullPath(path),
            ["status"] = status,
            ["message"] = failure,
            ["method"] = options.Method,
            ["stabilization"] = DerivePrint.stabilizationText(stabilization),
            ["t0"] = t0,
            ["t1"] = t1,
            ["t_reached"] = reached,
            ["steps_accepted"] = stats?.Accepted,
            ["steps_rejected"] = stats?.Rejected,
            ["smallest_step"] = stats is null || double.IsInfinity(stats.SmallestStep) ? null : stats.SmallestStep,
            ["rhs_evaluations"] = system.Evaluations,
            ["max_abs_G"] = maxG,
            ["max_abs_Gdot"] = maxGdot,
            ["final_loss"] = lossSeries.Count > 0 ? lossSeries[^1] : null,
            // For online learning from signals: the loss averaged over the first and last tenth of the outputs.
            ["loss_mean_first_tenth"] = TenthMean(lossSeries, last: false),
            ["loss_mean_last_tenth"] = TenthMean(lossSeries, last: true),
            ["final"] = Final(program, coordinateSeries, times),
            ["initial_changes"] = new JsonArray([.. initial.Changes.Select(c => JsonValue.Create(c))]),
            ["kernel"] = new JsonObject
            {
                ["generate_ms"] = compiled.GenerateTime.TotalMilliseconds,
                ["compile_ms"] = compiled.CompileTime.TotalMilliseconds,
                ["cache_hit"] = compiled.CacheHit,
                ["temporaries"] = program.Instructions.Length,
            },
            ["wall_time_s"] = wall.Elapsed.TotalSeconds,
            // The integrator's loop alone (kernel calls, signals, recording), without derive and compile.
            ["integration_s"] = integration.Elapsed.TotalSeconds,
        };
        File.WriteAllText(
            Path.Combine(options.Directory, "summary.json"),
            summary.ToJsonString(new JsonSerializerOptions { WriteIndented = true })
        );
        if (failure is not null)
        {
            error.WriteLine($"{path}: {(status == "failed" ? "numerical failure " : "")}{failure}");
            error.WriteLine($"partial results in {options.Directory}");
            return status == "failed" ? ExitCodes.NumericalFailure : ExitCodes.Interrupted;
        }
        output.WriteLine(
            $"{model.Name}: t = {t0} .. {reached}, {stats?.Accepted} steps ({stats?.Rejected} rejected), "
                + $"max |G| = {maxG:E2}, max |Gdot| = {maxGdot:E2}, {wall.Elapsed.TotalSeconds:F1} s -> {options.Directory}"
        );
        return ExitCodes.Ok;
    }

    private static double? TenthMean(List<double> series, bool last)
    {
        var count = Math.Max(1, series.Count / 10);
        if (series.Count == 0)
        {
            return null;
        }
        var mean = (last ? series.Skip(series.Count - count) : series.Take(count)).Average();
        return double.IsFinite(mean) ? mean : null;
    }

    private static JsonObject Final(IrProgram p, List<(string, List<double>)> series, List<double> times)
    {
        var final = new JsonObject();
        if (times.Count == 0)
        {
            return final;
        }
        for (var i = 0; i < p.N; i++)
        {
            final[p.CoordinateNames[i]] = series[i].Item2[^1];
        }
        return final;
    }
}
