using System.Globalization;
using Stlp.Model;

namespace Stlp.Cli;

/// <summary>Loads a model file for a command, turning model errors into a message and exit code 2.</summary>
public static class ModelLoader
{
    /// <summary>Parses <c>name=value</c> pairs from <c>--set</c>.</summary>
    public static IReadOnlyDictionary<string, double> ParseOverrides(IEnumerable<string> pairs)
    {
        var result = new Dictionary<string, double>();
        foreach (var pair in pairs)
        {
            var eq = pair.IndexOf('=');
            if (
                eq <= 0
                || !double.TryParse(pair[(eq + 1)..], NumberStyles.Float, CultureInfo.InvariantCulture, out var value)
            )
            {
                throw new ArgumentException($"--set expects name=value with a number, got '{pair}'");
            }
            result[pair[..eq].Trim()] = value;
        }
        return result;
    }

    /// <summary>Loads the model, or writes the error to <paramref name="error"/> and returns null.</summary>
    public static ModelDefinition? TryLoad(string path, IEnumerable<string> overrides, TextWriter error)
    {
        if (!File.Exists(path))
        {
            error.WriteLine($"{path}: error: no such file");
            return null;
        }
        try
        {
            return ModelFile.Load(path, ParseOverrides(overrides));
        }
        catch (ArgumentException e)
        {
            error.WriteLine($"error: {e.Message}");
            return null;
        }
        catch (Exception e) when (ModelFile.Describe(path, e) is { } described)
        {
            error.WriteLine(described.Value.Item2);
            return null;
        }
    }
}
