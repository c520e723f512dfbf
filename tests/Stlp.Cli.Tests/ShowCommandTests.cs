using System.Text.Json;
using Stlp.Cli;
using Stlp.Model;
using Xunit;

namespace Stlp.Cli.Tests;

public class ShowCommandTests
{
    [Fact]
    public void ShowPrintsConstraintsAndLoss()
    {
        var (code, output, _) = Cli.Run("show", Path.Combine(Cli.Samples, "fig3b.stlp"));
        Assert.Equal(0, code);
        Assert.Contains("G[x2] = x2 - tanh(w*x1)", output);
        Assert.Contains("varpi = exp(t*theta)", output);
    }

    [Fact]
    public void ShowJsonIsParseableAndKeyedByName()
    {
        var (code, output, _) = Cli.Run(
            "show",
            Path.Combine(Cli.Samples, "fig3b.stlp"),
            "--format",
            "json",
            "--set",
            "theta=2"
        );
        Assert.Equal(0, code);
        using var doc = JsonDocument.Parse(output);
        Assert.Equal(2.0, doc.RootElement.GetProperty("parameters").GetProperty("theta").GetDouble());
        Assert.Equal("x1 - e(t)", doc.RootElement.GetProperty("constraints").GetProperty("x1").GetString());
    }

    [Fact]
    public void AModelErrorExitsWithCode2AndShowsTheLine()
    {
        var path = Path.Combine(Path.GetTempPath(), $"stlp-bad-{Guid.NewGuid():N}.stlp");
        File.WriteAllText(path, "param a = 1\nweight w mass * 2\n");
        try
        {
            var (code, _, error) = Cli.Run("show", path);
            Assert.Equal(ExitCodes.ModelError, code);
            Assert.Contains($"{path}:2:15: error: expected an expression", error);
            Assert.Contains(" 2 | weight w mass * 2", error);
        }
        finally
        {
            File.Delete(path);
        }
    }

    [Fact]
    public void AnUnknownParameterOverrideIsAModelError()
    {
        var (code, _, error) = Cli.Run("show", Path.Combine(Cli.Samples, "fig3b.stlp"), "--set", "gamma=1");
        Assert.Equal(ExitCodes.ModelError, code);
        Assert.Contains("no parameter 'gamma'", error);
    }

    [Fact]
    public void TheCSharpApiSampleBuildsTheSameModelAsTheFile()
    {
        var fromFile = ModelFile.Load(Path.Combine(Cli.Samples, "fig3b.stlp"), new Dictionary<string, double>());
        Assert.Equal(Describe.text(fromFile), Describe.text(CSharpApi.Fig3b.Build()));
    }
}
