using System.Diagnostics;
using Stlp.Model;
using Stlp.Simulation;

namespace Stlp.Bench;

/// <summary>
/// Where a run's time goes, phase by phase (load, derive, start, compile, integrate, evaluate),
/// with the right-hand sides, the peak working set and the learning per epoch: for big models.
/// </summary>
public static class RunPhases
{
    private sealed class Phases(TextWriter output, Stopwatch watch) : IProgress<RunProgress>
    {
        private RunPhase? last;

        public void Report(RunProgress value)
        {
            if (value.Phase != last)
            {
                output.WriteLine($"{watch.Elapsed.TotalSeconds, 8:F1} s  {value.Phase} (t = {value.Time:G4})");
                last = value.Phase;
            }
        }
    }

    public static void Print(string modelFile, double? t1, TextWriter output)
    {
        var watch = Stopwatch.StartNew();
        var model = ModelFile.Load(modelFile, new Dictionary<string, double>());
        output.WriteLine($"{watch.Elapsed.TotalSeconds, 8:F1} s  loaded {model.Coordinates.Length} coordinates");
        var result = Simulator.Run(
            model,
            new SimulationOptions
            {
                T1 = t1,
                Progress = new Phases(output, watch),
                TimeKernelCalls = true,
            }
        );
        output.WriteLine(
            $"{watch.Elapsed.TotalSeconds, 8:F1} s  {result.Status}: t = {result.TReached:G6}, {result.RhsEvaluations} right-hand sides, {result.StepsAccepted} steps"
        );
        var times = result.Timings;
        output.WriteLine(
            $"derive {times.Derive.TotalSeconds:F1} s, generate {times.Generate.TotalSeconds:F2} s, compile {times.Compile.TotalSeconds:F2} s, integrate {times.Integrate.TotalSeconds:F1} s (kernel {times.Kernel.TotalSeconds:F1} s), evaluate {times.Evaluate.TotalSeconds:F1} s"
        );
        output.WriteLine(
            $"kernel: {result.Configuration.Kernel}; peak working set {Process.GetCurrentProcess().PeakWorkingSet64 / 1e9:F2} GB"
        );
        foreach (var line in result.Learning.SelectMany(learning => learning.Lines()))
        {
            output.WriteLine($"  {line}");
        }
    }
}
