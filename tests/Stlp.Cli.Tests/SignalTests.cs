using System.Diagnostics;
using System.Text.Json;
using Xunit;

namespace Stlp.Cli.Tests;

/// <summary>SIGTERM, as a batch scheduler sends it, leaves the same clean partial output as Ctrl-C.</summary>
public sealed class SignalTests : IDisposable
{
    private readonly string directory = Path.Combine(Path.GetTempPath(), $"stlp-sigterm-{Guid.NewGuid():N}");

    public void Dispose()
    {
        if (Directory.Exists(directory))
        {
            Directory.Delete(directory, recursive: true);
        }
    }

    [Fact]
    public void SigtermStopsARunWithExitCode130AndASummary()
    {
        if (OperatingSystem.IsWindows())
        {
            return;
        }
        Directory.CreateDirectory(directory);
        var model = Path.Combine(directory, "long.stlp");
        File.WriteAllText(
            model,
            """
            model long
            coord x mass 1 init 1
            coord y mass 1 init 0
            constraint tie: x - y - 1 = 0
            loss x^2/2 + y^2/2
            simulate from 0 to 1e6, rtol 1e-10, output every 0.05
            """
        );
        var output = Path.Combine(directory, "out");
        var start = new ProcessStartInfo("dotnet")
        {
            ArgumentList =
            {
                Path.Combine(AppContext.BaseDirectory, "stlp.dll"),
                "run",
                model,
                "--out",
                output,
                "--no-cache",
            },
            RedirectStandardError = true,
            RedirectStandardOutput = true,
        };
        using var process = Process.Start(start)!;
        var trajectory = Path.Combine(output, "trajectory.csv");
        // Wait until it integrates (a few rows on disk), polling at most 1,200 times 50 ms.
        for (var poll = 0; poll < 1200 && !(File.Exists(trajectory) && new FileInfo(trajectory).Length > 2000); poll++)
        {
            Thread.Sleep(50);
        }
        Process.Start("kill", ["-TERM", process.Id.ToString()]).WaitForExit();
        Assert.True(process.WaitForExit(30_000), "the run did not stop on SIGTERM");
        var error = process.StandardError.ReadToEnd();
        Assert.Equal(130, process.ExitCode);
        Assert.Contains("interrupted at t =", error);
        using var summary = JsonDocument.Parse(File.ReadAllText(Path.Combine(output, "summary.json")));
        Assert.Equal("interrupted", summary.RootElement.GetProperty("status").GetString());
        var rows = File.ReadAllLines(trajectory);
        Assert.True(rows.Length > 10);
        // The last row is whole: as many cells as the header.
        Assert.Equal(rows[0].Split(',').Length, rows[^1].Split(',').Length);
    }
}
