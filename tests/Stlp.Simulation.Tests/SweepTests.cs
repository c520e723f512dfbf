using Stlp.Simulation.Sweeps;
using Xunit;

namespace Stlp.Simulation.Tests;

public sealed class SweepTests : IDisposable
{
    private readonly string directory = Path.Combine(Path.GetTempPath(), $"stlp-sweep-{Guid.NewGuid():N}");

    public void Dispose()
    {
        if (Directory.Exists(directory))
        {
            Directory.Delete(directory, recursive: true);
        }
    }

    private static string Fig3b => Path.Combine(Models.Samples, "fig3b.stlp");

    [Theory]
    [InlineData("theta=1,2,4", new[] { 1.0, 2, 4 })]
    [InlineData("seed=1..5", new[] { 1.0, 2, 3, 4, 5 })]
    [InlineData("a=0:0.5:2", new[] { 0.0, 0.5, 1, 1.5, 2 })]
    [InlineData("a = 0.1:0.1:0.3", new[] { 0.1, 0.2, 0.30000000000000004 })]
    public void AxesParse(string text, double[] values) => Assert.Equal(values, SweepAxis.Parse(text).Values);

    [Theory]
    [InlineData("theta")]
    [InlineData("theta=")]
    [InlineData("theta=1,x")]
    [InlineData("theta=5..1")]
    [InlineData("theta=0:0:1")]
    [InlineData("theta=1,NaN")]
    public void BadAxesAreInputErrors(string text) => Assert.Throws<InputError>(() => SweepAxis.Parse(text));

    [Fact]
    public void TheGridIsEveryCombinationFirstAxisSlowestAndShardsPartitionIt()
    {
        var points = Sweep.Grid([SweepAxis.Parse("a=1,2"), SweepAxis.Parse("b=1..3")]);
        Assert.Equal(6, points.Count);
        Assert.Equal("0004_a=2_b=2", points[4].Folder);
        var shards = Enumerable.Range(1, 4).Select(k => Sweep.Shard(points, k, 4)).ToList();
        Assert.Equal(points.Select(p => p.Index), shards.SelectMany(s => s).Select(p => p.Index).Order());
        Assert.Throws<InputError>(() => Sweep.Shard(points, 5, 4));
        Assert.Throws<InputError>(() => Sweep.Grid([SweepAxis.Parse("a=1"), SweepAxis.Parse("a=2")]));
    }

    [Fact]
    public void TenConfigurationsTakeOneDerivationAndMatchSeparateRuns()
    {
        var options = new SimulationOptions { T1 = 20, Cache = null };
        var points = Sweep.Grid([SweepAxis.Parse("theta=0.5,1,2,4,8"), SweepAxis.Parse("c=0.5,1")]);
        var outcome = Sweep.Run(Fig3b, new Dictionary<string, double>(), points, directory, options, jobs: 2);
        Assert.Equal(10, outcome.Rows.Count);
        Assert.Equal(1, outcome.Derivations);
        Assert.Equal(1, outcome.Compilations);
        Assert.All(outcome.Rows, r => Assert.Equal(RunStatus.Completed, r.Status));
        // The reused derivation and kernel give what a run of its own gives.
        foreach (var row in outcome.Rows.Where(r => r.Point.Index % 3 == 0))
        {
            var alone = Simulator.Run(Models.Sample("fig3b.stlp", row.Point.Values.ToDictionary()), options);
            Assert.Equal(alone.FinalLoss, row.FinalLoss);
            var summary = File.ReadAllText(Path.Combine(directory, row.Point.Folder, "summary.json"));
            Assert.Contains("\"overridden\": true", summary);
        }
        var csv = File.ReadAllLines(outcome.CsvPath);
        Assert.Equal("index,theta,c,status,final_loss,held_out,metric,wall_s,folder,message", csv[0]);
        Assert.Equal(11, csv.Length);
    }

    [Fact]
    public void TwoShardsMergeIntoTheSweepOfOneUnshardedRun()
    {
        var options = new SimulationOptions { T1 = 5, Cache = null };
        var points = Sweep.Grid([SweepAxis.Parse("theta=1,2,3"), SweepAxis.Parse("c=0.5,1")]);
        var fixedValues = new Dictionary<string, double>();
        var whole = Sweep.Run(Fig3b, fixedValues, points, Path.Combine(directory, "whole"), options, 2);
        var first = Sweep.Run(Fig3b, fixedValues, Sweep.Shard(points, 1, 2), Path.Combine(directory, "s1"), options, 1);
        var second = Sweep.Run(
            Fig3b,
            fixedValues,
            Sweep.Shard(points, 2, 2),
            Path.Combine(directory, "s2"),
            options,
            1
        );
        var merged = Path.Combine(directory, "merged.csv");
        Assert.Equal(6, Sweep.Merge([second.CsvPath, first.CsvPath], merged));
        // Equal but for the wall time column.
        static string[][] Cells(string path) =>
            [.. File.ReadAllLines(path).Select(l => l.Split(',').Where((_, k) => k != 7).ToArray())];
        Assert.Equal(Cells(whole.CsvPath), Cells(merged));
        Assert.Throws<InputError>(() => Sweep.Merge([first.CsvPath, first.CsvPath], merged));
    }
}
