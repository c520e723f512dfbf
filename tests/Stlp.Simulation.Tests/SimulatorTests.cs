using Stlp.Runtime.Integration;
using Stlp.Simulation.Recording;
using Xunit;

namespace Stlp.Simulation.Tests;

public sealed class SimulatorTests : IDisposable
{
    private readonly string directory = Path.Combine(Path.GetTempPath(), $"stlp-sim-{Guid.NewGuid():N}");

    public void Dispose()
    {
        if (Directory.Exists(directory))
        {
            Directory.Delete(directory, recursive: true);
        }
    }

    [Fact]
    public void Fig3bReachesThePapersWeightThroughOneLibraryCall()
    {
        var result = Simulator.Run(Models.Sample("fig3b.stlp"), new SimulationOptions { Cache = null });
        Assert.Equal(RunStatus.Completed, result.Status);
        Assert.Equal(200.0, result.TReached, 12);
        // Fig. 3(b): w settles where tanh(w * 3) = tanh(3), i.e. toward 1 (0.888 at t = 200 on the way).
        Assert.Equal(0.888341, result.Final["w"], 5);
        Assert.True(result.MaxAbsG < 1e-8, $"max |G| = {result.MaxAbsG}");
        Assert.True(result.StepsAccepted > 0 && result.RhsEvaluations > result.StepsAccepted);
    }

    [Fact]
    public void TheMemoryRecorderHoldsWhatTheCsvHolds()
    {
        var prepared = Simulator.Prepare(Models.Sample("fig3b.stlp"), Models.Short());
        var memory = new MemoryRecorder();
        var csvPath = Path.Combine(Directory.CreateDirectory(directory).FullName, "trajectory.csv");
        prepared.Run([memory, new CsvTrajectoryRecorder(csvPath)]);
        var lines = File.ReadAllLines(csvPath);
        Assert.Equal(string.Join(",", CsvTrajectoryRecorder.Columns(memory.Layout)), lines[0]);
        Assert.Equal(memory.Times.Count, lines.Length - 1);
        var w = memory["w"];
        var wdot = memory["w'"];
        var header = lines[0].Split(',');
        for (var k = 0; k < memory.Times.Count; k += 7)
        {
            var cells = lines[k + 1].Split(',').Select(double.Parse).ToArray();
            Assert.Equal(memory.Times[k], cells[0]);
            Assert.Equal(w[k], cells[Array.IndexOf(header, "w")]);
            Assert.Equal(wdot[k], cells[Array.IndexOf(header, "w_dot")]);
            Assert.Equal(memory.Loss[k], cells[Array.IndexOf(header, "loss")]);
        }
        // Every 0.1 from 0 to 5.
        Assert.Equal(51, memory.Times.Count);
        Assert.Throws<KeyNotFoundException>(() => memory["nope"]);
    }

    [Fact]
    public void APreparedRunRunsTwiceWithTheSameResultAndFreshCounters()
    {
        var prepared = Simulator.Prepare(Models.Sample("fig3b.stlp"), Models.Short());
        var first = prepared.Run();
        var second = prepared.Run();
        Assert.Equal(first.Final["w"], second.Final["w"]);
        Assert.Equal(first.RhsEvaluations, second.RhsEvaluations);
        Assert.Equal(first.StepsAccepted, second.StepsAccepted);
    }

    [Fact]
    public void ACancelledRunIsInterruptedAndKeepsWhatItReached()
    {
        using var cancel = new CancellationTokenSource();
        var samples = 0;
        var stopper = new CallbackRecorder(_ =>
        {
            if (++samples == 10)
            {
                cancel.Cancel();
            }
        });
        var result = Simulator.RunToDirectory(
            Models.Sample("fig3b.stlp"),
            directory,
            new SimulationOptions { Cache = null },
            cancel: cancel.Token,
            extraRecorders: [stopper]
        );
        Assert.Equal(RunStatus.Interrupted, result.Status);
        Assert.InRange(result.TReached, 0.8, 2.0);
        Assert.Contains("interrupted at t =", result.Message);
        Assert.True(File.Exists(Path.Combine(directory, "summary.json")));
        Assert.InRange(File.ReadAllLines(Path.Combine(directory, "trajectory.csv")).Length, 10, 20);
        Assert.Contains("\"status\": \"interrupted\"", File.ReadAllText(Path.Combine(directory, "summary.json")));
    }

    [Fact]
    public void ProgressReportsThePhasesInOrder()
    {
        var phases = new List<RunPhase>();
        var progress = new Progress(p =>
        {
            if (phases.Count == 0 || phases[^1] != p.Phase)
            {
                phases.Add(p.Phase);
            }
        });
        Simulator.Run(Models.Sample("fig3b.stlp"), Models.Short() with { Progress = progress });
        Assert.Equal(RunPhase.Derive, phases[0]);
        Assert.Equal(RunPhase.Compile, phases[2]);
        Assert.Equal(RunPhase.Evaluate, phases[^1]);
        Assert.Equal([.. phases.Order()], phases);
    }

    /// <summary>Synchronous, unlike <see cref="Progress{T}"/>, which posts to the thread pool.</summary>
    private sealed class Progress(Action<RunProgress> report) : IProgress<RunProgress>
    {
        public void Report(RunProgress value) => report(value);
    }

    private sealed class CallbackRecorder(Action<RunSample> onSample) : IRunRecorder
    {
        public void Begin(RunLayout layout) { }

        public void Record(RunSample sample) => onSample(sample);

        public void End(RunResult result) { }
    }

    [Fact]
    public void AnUnknownMethodNamesTheRegisteredOnes()
    {
        var e = Assert.Throws<ArgumentException>(() =>
            Simulator.Prepare(Models.Sample("fig3b.stlp"), Models.Short(method: "euler"))
        );
        Assert.Contains(Integrators.NamesText, e.Message);
    }
}
