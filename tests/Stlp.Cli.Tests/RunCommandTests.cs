using System.Text.Json;
using Stlp.Cli;
using Xunit;

namespace Stlp.Cli.Tests;

public sealed class RunCommandTests : IDisposable
{
    private readonly string directory = Path.Combine(Path.GetTempPath(), $"stlp-run-{Guid.NewGuid():N}");

    public void Dispose()
    {
        if (Directory.Exists(directory))
        {
            Directory.Delete(directory, recursive: true);
        }
    }

    [Fact]
    public void ANetworkRunsOnTheStructuredKernelAndSaysSoAndEitherKernelCanBeForced()
    {
        var (code, output, _) = Cli.Run(
            "run",
            Cli.Sample("recurrent.stlp"),
            "--out",
            directory,
            "--no-cache",
            "--t1",
            "2"
        );
        Assert.Equal(0, code);
        Assert.Contains("recurrent: kernel structured (dense solve; 4 rows, 6 edges)", output);
        using (var summary = JsonDocument.Parse(File.ReadAllText(Path.Combine(directory, "summary.json"))))
        {
            Assert.StartsWith(
                "structured",
                summary.RootElement.GetProperty("configuration").GetProperty("kernel").GetString()
            );
        }
        (code, output, _) = Cli.Run(
            "run",
            Cli.Sample("recurrent.stlp"),
            "--out",
            directory,
            "--no-cache",
            "--t1",
            "2",
            "--kernel",
            "straight-line"
        );
        Assert.Equal(0, code);
        Assert.Contains("recurrent: kernel straight-line", output);
    }

    [Fact]
    public void AKernelOrSolverThatDoesNotApplyIsAUsageErrorThatSaysWhy()
    {
        var (code, _, error) = Cli.Run(
            "run",
            Cli.Sample("fig3b.stlp"),
            "--out",
            directory,
            "--no-cache",
            "--kernel",
            "structured"
        );
        Assert.Equal(1, code);
        Assert.Contains(
            "the structured kernel does not apply to this model: the model has no network statement",
            error
        );
        (code, _, error) = Cli.Run(
            "run",
            Cli.Sample("recurrent.stlp"),
            "--out",
            directory,
            "--no-cache",
            "--solver",
            "block"
        );
        Assert.Equal(1, code);
        Assert.Contains("--solver block: the block solve needs a feedforward network", error);
        Assert.DoesNotContain("   at ", error);
    }

    [Fact]
    public void Fig2aLearnsAndWritesCsvSummaryAndPlots()
    {
        var (code, output, _) = Cli.Run("run", Cli.Sample("fig2a.stlp"), "--out", directory, "--no-cache");
        Assert.Equal(0, code);
        Assert.Contains("fig2a: t = 0 .. 20", output);
        var lines = File.ReadAllLines(Path.Combine(directory, "trajectory.csv"));
        Assert.Equal("t,x,w,x_dot,w_dot,lambda_norm_x,max_abs_G,max_abs_Gdot,loss,varpi", lines[0]);
        Assert.Equal(401, lines.Length - 1); // every 0.05 from 0 to 20
        using var summary = JsonDocument.Parse(File.ReadAllText(Path.Combine(directory, "summary.json")));
        var root = summary.RootElement;
        Assert.Equal("completed", root.GetProperty("status").GetString());
        // The paper's Fig. 2(a): w -> 1 while x -> 3, on the constraint.
        Assert.Equal(1.0, root.GetProperty("final").GetProperty("w").GetDouble(), 2);
        Assert.Equal(3.0, root.GetProperty("final").GetProperty("x").GetDouble(), 2);
        Assert.True(root.GetProperty("max_abs_G").GetDouble() < 1e-8);
        Assert.True(root.GetProperty("steps_accepted").GetInt64() > 0);
        foreach (var key in new[] { "steps_rejected", "wall_time_s", "kernel", "initial_changes", "t_reached" })
        {
            Assert.True(root.TryGetProperty(key, out _), key);
        }
        foreach (var png in new[] { "coordinates.png", "residuals.png", "loss.png" })
        {
            var bytes = File.ReadAllBytes(Path.Combine(directory, png));
            Assert.Equal([0x89, (byte)'P', (byte)'N', (byte)'G'], bytes[..4]);
        }
    }

    [Fact]
    public void ABlowUpStopsWithExitCode3AndLeavesAPartialTrajectory()
    {
        var model = Path.Combine(Path.GetTempPath(), $"stlp-{Guid.NewGuid():N}.stlp");
        File.WriteAllText(
            model,
            """
            # q'' = q^3 from q = 1, q' = 1/sqrt(2): blows up at t = sqrt(2).
            coord q mass 1 init 1 velocity 0.7071067811865476
            coord z mass 1 init 0
            constraint pin: z = 0
            loss -q^4/4
            simulate from 0 to 3, method dopri5, rtol 1e-8, output every 0.01
            """
        );
        try
        {
            var (code, _, error) = Cli.Run("run", model, "--out", directory, "--no-cache");
            Assert.Equal(ExitCodes.NumericalFailure, code);
            Assert.Contains("numerical failure at t = 1.41421", error);
            var lines = File.ReadAllLines(Path.Combine(directory, "trajectory.csv"));
            Assert.True(lines.Length > 100);
            Assert.All(lines[1..], l => Assert.Equal(10, l.Split(',').Length));
            using var summary = JsonDocument.Parse(File.ReadAllText(Path.Combine(directory, "summary.json")));
            Assert.Equal("failed", summary.RootElement.GetProperty("status").GetString());
            Assert.InRange(summary.RootElement.GetProperty("t_reached").GetDouble(), 1.3, 1.4143);
        }
        finally
        {
            File.Delete(model);
        }
    }

    [Fact]
    public void Rk4WithAGivenStepAndEndTime()
    {
        var (code, _, _) = Cli.Run(
            "run",
            Cli.Sample("fig3a.stlp"),
            "--out",
            directory,
            "--t1",
            "5",
            "--method",
            "rk4",
            "--step",
            "0.01",
            "--no-cache"
        );
        Assert.Equal(0, code);
        using var summary = JsonDocument.Parse(File.ReadAllText(Path.Combine(directory, "summary.json")));
        Assert.Equal(500, summary.RootElement.GetProperty("steps_accepted").GetInt64());
        Assert.Equal(5.0, summary.RootElement.GetProperty("t_reached").GetDouble(), 9);
    }

    [Theory]
    [InlineData("none", 1e-8, 1e-6)]
    [InlineData("baumgarte 5 5", 0, 1e-8)]
    [InlineData("projection", 0, 1e-12)]
    public void DriftControlOnFig3(string stabilize, double atLeast, double atMost)
    {
        // Fixed RK4 steps on fig3a to t = 200: without control G drifts linearly.
        var (code, _, _) = Cli.Run(
            "run",
            Cli.Sample("fig3a.stlp"),
            "--out",
            directory,
            "--stabilize",
            stabilize,
            "--no-cache"
        );
        Assert.Equal(0, code);
        using var summary = JsonDocument.Parse(File.ReadAllText(Path.Combine(directory, "summary.json")));
        var maxG = summary.RootElement.GetProperty("max_abs_G").GetDouble();
        Assert.InRange(maxG, atLeast, atMost);
    }
}

public sealed class DataSetRunTests : IDisposable
{
    private readonly string directory = Path.Combine(Path.GetTempPath(), $"stlp-datarun-{Guid.NewGuid():N}");

    public void Dispose()
    {
        if (Directory.Exists(directory))
        {
            Directory.Delete(directory, recursive: true);
        }
    }

    [Fact]
    public void ATrainingSetDrivesTheInputNeurons()
    {
        Directory.CreateDirectory(directory);
        File.WriteAllText(Path.Combine(directory, "d.csv"), "a,b,class\n1,0,x\n0,1,y\n1,1,x\n0,0,y\n");
        var model = Path.Combine(directory, "d.stlp");
        File.WriteAllText(
            model,
            """
            param theta = 1
            data d = csv "d.csv", target class onehot, present 1, mollify 0.1, epochs 2, split 1/2, seed 3
            network feedforward 2-2 {
                data d
                mass x 0.5 w 1
                init weights random 0.5 seed 1
            }
            dissipation exp(theta*t)
            simulate from 0 to 8, method dopri5, rtol 1e-8, output every 0.5
            """
        );
        var code = StlpApp.Run(
            ["run", model, "--out", Path.Combine(directory, "out"), "--no-cache"],
            new StringWriter(),
            new StringWriter()
        );
        Assert.Equal(0, code);
        var lines = File.ReadAllLines(Path.Combine(directory, "out", "trajectory.csv"));
        var header = lines[0].Split(',');
        var a = Array.IndexOf(header, "x0_1");
        var b = Array.IndexOf(header, "x0_2");
        // Mid-presentation (t = 0.5, 1.5, ...) the input neurons hold a data row's features.
        var rows = new HashSet<(double, double)> { (1, 0), (0, 1), (1, 1), (0, 0) };
        foreach (var line in lines.Skip(1).Where((_, i) => i % 2 == 1))
        {
            var cells = line.Split(',')
                .Select(c => double.Parse(c, System.Globalization.CultureInfo.InvariantCulture))
                .ToArray();
            Assert.Contains((Math.Round(cells[a], 6), Math.Round(cells[b], 6)), rows);
        }
        // The trained map is evaluated on the held-out rows, per epoch too; the weights are saved.
        using var summary = System.Text.Json.JsonDocument.Parse(
            File.ReadAllText(Path.Combine(directory, "out", "summary.json"))
        );
        var evaluation = summary.RootElement.GetProperty("evaluation")[0];
        Assert.Equal("accuracy", evaluation.GetProperty("metric").GetString());
        Assert.Equal(2, evaluation.GetProperty("held_out_rows").GetInt32());
        Assert.InRange(evaluation.GetProperty("held_out").GetDouble(), 0, 1);
        Assert.Equal(2, evaluation.GetProperty("held_out_by_epoch").GetArrayLength());
        using var weights = System.Text.Json.JsonDocument.Parse(
            File.ReadAllText(Path.Combine(directory, "out", "weights.json"))
        );
        Assert.Equal(4, weights.RootElement.EnumerateObject().Count());
        Assert.True(File.Exists(Path.Combine(directory, "out", "learning.png")));
    }
}
