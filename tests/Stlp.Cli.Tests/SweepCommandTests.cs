using Xunit;

namespace Stlp.Cli.Tests;

public sealed class SweepCommandTests : IDisposable
{
    private readonly string directory = Path.Combine(Path.GetTempPath(), $"stlp-sweep-cli-{Guid.NewGuid():N}");

    public void Dispose()
    {
        if (Directory.Exists(directory))
        {
            Directory.Delete(directory, recursive: true);
        }
    }

    [Fact]
    public void ShardedSweepsMergeAndSayHowManyDerivationsTheyTook()
    {
        string[] Args(string shard, string outDir) =>
            [
                "sweep",
                Cli.Sample("fig3b.stlp"),
                "--grid",
                "theta=1,2",
                "--grid",
                "c=1..2",
                "--t1",
                "2",
                "--shard",
                shard,
                "-o",
                outDir,
                "--no-cache",
            ];
        var (code, output, error) = Cli.Run(Args("1/2", Path.Combine(directory, "a")));
        Assert.True(code == 0, error);
        Assert.Contains("fig3b: 2 runs (0 not completed), 1 derivation(s), 1 compilation(s)", output);
        Assert.Equal(0, Cli.Run(Args("2/2", Path.Combine(directory, "b"))).Code);
        var merged = Path.Combine(directory, "sweep.csv");
        var (mergeCode, mergeOutput, _) = Cli.Run(
            "sweep-merge",
            Path.Combine(directory, "a", "sweep.csv"),
            Path.Combine(directory, "b", "sweep.csv"),
            "-o",
            merged
        );
        Assert.Equal(0, mergeCode);
        Assert.Contains("4 runs", mergeOutput);
        Assert.Equal(["0", "1", "2", "3"], File.ReadAllLines(merged).Skip(1).Select(l => l.Split(',')[0]));
    }

    [Theory]
    [InlineData("--grid", "theta=1..x")]
    [InlineData("--shard", "3/2")]
    [InlineData("--jobs", "0")]
    public void BadSweepOptionsAreUsageErrors(string option, string value)
    {
        var args = new List<string> { "sweep", Cli.Sample("fig3b.stlp"), "-o", directory, option, value };
        if (option != "--grid")
        {
            args.AddRange(["--grid", "theta=1"]);
        }
        var (code, _, error) = Cli.Run([.. args]);
        Assert.Equal(ExitCodes.Usage, code);
        Assert.StartsWith("error: ", error);
    }

    [Fact]
    public void AnUnknownSweptParameterIsAModelError()
    {
        var (code, _, error) = Cli.Run("sweep", Cli.Sample("fig3b.stlp"), "-o", directory, "--grid", "nope=1,2");
        Assert.Equal(ExitCodes.ModelError, code);
        Assert.Contains("nope", error);
    }
}
