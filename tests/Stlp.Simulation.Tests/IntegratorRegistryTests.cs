using Stlp.Model;
using Stlp.Runtime.Integration;
using Xunit;

namespace Stlp.Simulation.Tests;

/// <summary>The one registry of methods: the model language, the library and every method agree on it.</summary>
public sealed class IntegratorRegistryTests
{
    private const string Oscillator = """
        model spring
        coord x mass 1 init 1
        coord y mass 1 init 0
        constraint tie: x - y - 1 = 0
        loss x^2/2 + y^2/2
        simulate from 0 to 3, step 0.001, rtol 1e-10, atol 1e-12, output every 0.5
        """;

    public static TheoryData<string> Methods => [.. Integrators.Names];

    [Theory]
    [MemberData(nameof(Methods))]
    public void EveryRegisteredMethodIsAcceptedByTheLanguageAndAgreesWithATightReference(string method)
    {
        var model = Models.FromText(Oscillator.Replace("output every", $"method {method}, output every"));
        Assert.Equal(method, model.Simulation.Method);
        var reference = Simulator.Run(model, new SimulationOptions { Method = "dopri5", Cache = null });
        var result = Simulator.Run(model, new SimulationOptions { Cache = null });
        Assert.Equal(RunStatus.Completed, result.Status);
        Assert.Equal(method, result.Method);
        Assert.Equal(reference.Final["x"], result.Final["x"], 6);
        Assert.Equal(reference.Final["y"], result.Final["y"], 6);
        Assert.Equal(Integrators.Find(method).Implicit, result.JacobianEvaluations > 0);
    }

    [Fact]
    public void TheLanguageRefusesAnUnknownMethodListingTheRegistry()
    {
        var e = Assert.Throws<ModelError>(() =>
            Models.FromText(Oscillator.Replace("output every", "method euler, output every"))
        );
        Assert.Contains($"unknown method 'euler' ({Integrators.NamesText})", e.message);
    }
}
