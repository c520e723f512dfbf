using Stlp.Model;

namespace Stlp.Simulation.Tests;

/// <summary>Sample models and small models written in the tests.</summary>
public static class Models
{
    public static string Samples
    {
        get
        {
            var dir = new DirectoryInfo(AppContext.BaseDirectory);
            while (!File.Exists(Path.Combine(dir.FullName, "StlpSymbolic.sln")))
            {
                dir = dir.Parent!;
            }
            return Path.Combine(dir.FullName, "samples");
        }
    }

    public static ModelDefinition Sample(string name, IReadOnlyDictionary<string, double>? overrides = null) =>
        ModelFile.Load(Path.Combine(Samples, name), overrides ?? new Dictionary<string, double>());

    public static ModelDefinition FromText(string text) => ModelFile.FromText(text);

    /// <summary>fig3b with a short horizon, compiled in memory.</summary>
    public static SimulationOptions Short(double t1 = 5, string? method = null) =>
        new()
        {
            T1 = t1,
            Method = method,
            Cache = null,
        };
}
