using System.Text.Json;
using System.Text.Json.Nodes;
using Stlp.Simulation.Learning;

namespace Stlp.Simulation.Recording;

/// <summary>
/// summary.json (status, times, residuals, step statistics, timings, learning scores) and
/// weights.json (the weights reached), written at the end of the run, also after a failure or an
/// interrupt. Non-finite numbers are written as null.
/// </summary>
public sealed class SummaryRecorder(string directory) : IRunRecorder
{
    private static readonly JsonSerializerOptions Indented = new() { WriteIndented = true };

    public void Begin(RunLayout layout) { }

    public void Record(RunSample sample) { }

    public void End(RunResult result)
    {
        var weights = new JsonObject();
        foreach (var (name, value) in result.FinalWeights)
        {
            weights[name] = Finite(value);
        }
        File.WriteAllText(Path.Combine(directory, "weights.json"), weights.ToJsonString(Indented));
        File.WriteAllText(Path.Combine(directory, "summary.json"), ToJson(result).ToJsonString(Indented));
    }

    /// <summary>The summary as JSON, in the layout of <c>summary.json</c>.</summary>
    public static JsonObject ToJson(RunResult result)
    {
        var final = new JsonObject();
        foreach (var (name, value) in result.Final)
        {
            final[name] = Finite(value);
        }
        return new JsonObject
        {
            ["evaluation"] = new JsonArray([.. result.Learning.Select(Learning)]),
            ["model"] = result.Model,
            ["file"] = result.Configuration.ModelFile,
            ["status"] = result.Status.ToString().ToLowerInvariant(),
            ["message"] = result.Message,
            ["notes"] = new JsonArray([.. result.Notes.Select(n => JsonValue.Create(n))]),
            ["method"] = result.Method,
            ["stabilization"] = result.Stabilization,
            ["t0"] = Finite(result.T0),
            ["t1"] = Finite(result.T1),
            ["t_reached"] = Finite(result.TReached),
            ["steps_accepted"] = result.StepsAccepted,
            ["steps_rejected"] = result.StepsRejected,
            ["smallest_step"] = Finite(result.SmallestStep),
            ["rhs_evaluations"] = result.RhsEvaluations,
            ["max_abs_G"] = Finite(result.MaxAbsG),
            ["max_abs_Gdot"] = Finite(result.MaxAbsGdot),
            ["final_loss"] = Finite(result.FinalLoss),
            // For online learning from signals: the loss averaged over the first and last tenth of the outputs.
            ["loss_mean_first_tenth"] = Finite(result.LossMeanFirstTenth),
            ["loss_mean_last_tenth"] = Finite(result.LossMeanLastTenth),
            ["final"] = final,
            ["initial_changes"] = new JsonArray([.. result.InitialChanges.Select(c => JsonValue.Create(c))]),
            ["kernel"] = new JsonObject
            {
                ["generate_ms"] = result.Timings.Generate.TotalMilliseconds,
                ["compile_ms"] = result.Timings.Compile.TotalMilliseconds,
                ["cache_hit"] = result.KernelCacheHit,
                ["temporaries"] = result.KernelTemporaries,
            },
            ["wall_time_s"] = result.Timings.Wall.TotalSeconds,
            // The integrator's loop alone (kernel calls, signals, recording), without derive and compile.
            ["integration_s"] = result.Timings.Integrate.TotalSeconds,
            ["configuration"] = Configuration(result.Configuration),
        };
    }

    private static JsonObject Configuration(RunConfiguration c)
    {
        var parameters = new JsonObject();
        foreach (var (name, value) in c.Parameters)
        {
            parameters[name] = new JsonObject
            {
                ["value"] = Finite(value),
                ["overridden"] = c.Overridden.Contains(name),
            };
        }
        return new JsonObject
        {
            ["tool_version"] = c.ToolVersion,
            ["model_file"] = c.ModelFile,
            ["model_sha256"] = c.ModelSha256,
            ["parameters"] = parameters,
            ["method"] = c.Method,
            ["rtol"] = c.RelativeTolerance,
            ["atol"] = c.AbsoluteTolerance,
            ["step"] = Finite(c.Step),
            ["output_every"] = Finite(c.OutputEvery),
            ["stabilization"] = c.Stabilization,
            ["data_sets"] = new JsonArray(
                [
                    .. c.DataSets.Select(d => new JsonObject
                    {
                        ["name"] = d.Name,
                        ["file"] = d.File,
                        ["seed"] = d.Seed,
                        ["split"] = d.Split,
                        ["epochs"] = d.Epochs,
                        ["present"] = d.Present,
                        ["mollify"] = d.Mollify,
                        ["standardize"] = d.Standardize,
                        ["shuffle"] = d.Shuffle,
                    }),
                ]
            ),
            ["kernel_hash"] = c.KernelHash,
            ["kernel_cache_hit"] = c.KernelCacheHit,
            ["kernel"] = c.Kernel,
        };
    }

    private static JsonObject Learning(NetworkLearning learning) =>
        new()
        {
            ["network"] = learning.Network,
            ["data_set"] = learning.DataSet,
            ["train_rows"] = learning.TrainRows,
            ["held_out_rows"] = learning.HeldOutRows,
            ["metric"] = learning.Metric,
            ["held_out"] = Finite(learning.HeldOut),
            ["train"] = Finite(learning.Train),
            // Epoch 0: the initial weights, before training.
            ["held_out_initial"] = Finite(learning.Initial.HeldOut),
            ["train_loss_initial"] = Finite(learning.Initial.TrainLoss),
            ["held_out_by_epoch"] = new JsonArray([.. learning.Epochs.Select(e => Finite(e.HeldOut))]),
            ["train_loss_by_epoch"] = new JsonArray([.. learning.Epochs.Select(e => Finite(e.TrainLoss))]),
            ["backprop"] = Backprop(learning.Backprop),
        };

    private static JsonObject Backprop(BackpropOutcome b) =>
        b.Available
            ? new JsonObject
            {
                ["available"] = true,
                ["method"] = "online gradient descent, hand-written backprop, same initial weights, order and epochs",
                ["rate_per_example"] = Finite(b.RatePerExample),
                ["held_out"] = Finite(b.HeldOut),
                ["train"] = Finite(b.Train),
                ["held_out_by_epoch"] = new JsonArray([.. b.HeldOutByEpoch.Select(x => Finite(x))]),
                ["train_loss_by_epoch"] = new JsonArray([.. b.TrainLossByEpoch.Select(x => Finite(x))]),
                ["wall_time_s"] = b.WallTimeSeconds,
            }
            : new JsonObject { ["available"] = false, ["reason"] = b.Reason };

    private static JsonNode? Finite(double? x) => x is { } v && double.IsFinite(v) ? JsonValue.Create(v) : null;
}
