using Xunit;

namespace Stlp.Cli.Tests;

/// <summary>Tests that set process-wide environment variables: run alone, after every parallel collection.</summary>
[CollectionDefinition(nameof(EnvironmentCollection), DisableParallelization = true)]
public sealed class EnvironmentCollection;

/// <summary>
/// A kernel cache that cannot be used (a file in its place, a forged entry, an unwritable place) is
/// a warning on stderr and the kernel is compiled in memory: the command still succeeds.
/// </summary>
[Collection(nameof(EnvironmentCollection))]
public sealed class CacheCorpusTests
{
    private static (int Code, string Err) RunWithCache(string cacheDirectory, params string[] args)
    {
        var before = Environment.GetEnvironmentVariable("STLP_CACHE_DIR");
        Environment.SetEnvironmentVariable("STLP_CACHE_DIR", cacheDirectory);
        try
        {
            var (code, _, error) = Cli.Run(args);
            return (code, error);
        }
        finally
        {
            Environment.SetEnvironmentVariable("STLP_CACHE_DIR", before);
        }
    }

    private static void AssertWarned(int code, string error, string about)
    {
        Assert.True(code == ExitCodes.Ok, $"exit {code}; stderr:\n{error}");
        Assert.Contains("warning: ", error);
        Assert.Contains(about, error);
        CorpusTests.AssertClean(error);
    }

    [Fact]
    public void ACachePathThatIsAFile()
    {
        using var box = new Sandbox();
        var file = box.Write("cache", "not a folder");
        var (code, error) = RunWithCache(file, "run", Cli.Sample("fig2a.stlp"), "--t1", "0.1", "-o", box.Path("out"));
        AssertWarned(code, error, file);
    }

    [Fact]
    public void AnUnwritableCache()
    {
        using var box = new Sandbox();
        var (code, error) = RunWithCache(
            "/proc/stlp-cache",
            "run",
            Cli.Sample("fig2a.stlp"),
            "--t1",
            "0.1",
            "-o",
            box.Path("out")
        );
        AssertWarned(code, error, "/proc/stlp-cache");
    }

    [Theory]
    [InlineData("garbage")]
    [InlineData("another assembly")]
    public void AForgedEntryWithAMatchingChecksum(string forgery)
    {
        using var box = new Sandbox();
        var cache = box.Directory("cache");
        var args = new[] { "eval", Cli.Sample("fig2a.stlp"), "--state", box.Write("s.json", State) };
        var (first, firstError) = RunWithCache(cache, args);
        Assert.True(first == 0, firstError);
        var dll = Directory.GetFiles(cache, "*.dll").Single();
        byte[] bytes =
            forgery == "garbage"
                ? "MZ not really"u8.ToArray()
                : File.ReadAllBytes(typeof(Stlp.Runtime.Kernels.IKernel).Assembly.Location);
        File.WriteAllBytes(dll, bytes);
        File.WriteAllText(
            Path.ChangeExtension(dll, ".sha256"),
            Convert.ToHexString(System.Security.Cryptography.SHA256.HashData(bytes))
        );
        var (code, error) = RunWithCache(cache, args);
        AssertWarned(code, error, Path.GetFileName(dll));
        // Rebuilt: the next run is quiet.
        var (again, quiet) = RunWithCache(cache, args);
        Assert.Equal(0, again);
        Assert.DoesNotContain("warning", quiet);
    }

    private const string State = """{"t": 0.5, "q": {"x": 0.1, "w": 0.2}, "qdot": {"x": 0, "w": 0}}""";
}
