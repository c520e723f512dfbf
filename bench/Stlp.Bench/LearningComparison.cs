using System.Text.Json;
using Stlp.Cli;

namespace Stlp.Bench;

/// <summary>
/// Training time of the STLP dynamics against plain backprop for the same network, data, initial
/// weights, order and epochs, side by side in one run: each sample goes through <c>stlp run</c>
/// (which trains the backprop baseline beside it), three times, the fastest kept. Reports the
/// integration alone and the whole run (derive, cached kernel, start, integration, evaluation).
/// </summary>
public static class LearningComparison
{
    public static void Print(IEnumerable<string> samples, TextWriter output)
    {
        output.WriteLine(
            "sample,stlp_held_out,backprop_held_out,stlp_steps,stlp_integration_s,stlp_run_s,backprop_s,ratio_integration,ratio_run"
        );
        foreach (var sample in samples)
        {
            var directory = Path.Combine(Path.GetTempPath(), $"stlp-bench-learn-{Guid.NewGuid():N}");
            double integration = double.MaxValue,
                run = double.MaxValue,
                backprop = double.MaxValue;
            double stlpScore = 0,
                backpropScore = 0;
            long steps = 0;
            try
            {
                for (var k = 0; k < 3; k++)
                {
                    var code = StlpApp.Run(
                        ["run", Path.Combine(Repository.Root, "samples", sample), "--out", directory],
                        TextWriter.Null,
                        Console.Error
                    );
                    if (code != 0)
                    {
                        throw new InvalidOperationException($"stlp run {sample} exited with {code}");
                    }
                    using var summary = JsonDocument.Parse(File.ReadAllText(Path.Combine(directory, "summary.json")));
                    var root = summary.RootElement;
                    var evaluation = root.GetProperty("evaluation")[0];
                    var baseline = evaluation.GetProperty("backprop");
                    integration = Math.Min(integration, root.GetProperty("integration_s").GetDouble());
                    run = Math.Min(run, root.GetProperty("wall_time_s").GetDouble());
                    backprop = Math.Min(backprop, baseline.GetProperty("wall_time_s").GetDouble());
                    steps = root.GetProperty("steps_accepted").GetInt64();
                    stlpScore = Score(evaluation);
                    backpropScore = Score(baseline);
                }
            }
            finally
            {
                if (Directory.Exists(directory))
                {
                    Directory.Delete(directory, recursive: true);
                }
            }
            output.WriteLine(
                $"{sample},{stlpScore:F3},{backpropScore:F3},{steps},{integration:F3},{run:F3},{backprop:F5},{integration / backprop:F0},{run / backprop:F0}"
            );
        }
    }

    /// <summary>Held-out accuracy, or the training accuracy where nothing is held out (XOR).</summary>
    private static double Score(JsonElement e) =>
        e.GetProperty("held_out").ValueKind == JsonValueKind.Number
            ? e.GetProperty("held_out").GetDouble()
            : e.GetProperty("train").GetDouble();
}
