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
                || !double.IsFinite(value)
            )
            {
                throw new ArgumentException($"--set expects name=value with a finite number, got '{pair}'");
            }
            result[pair[..eq].Trim()] = value;
        }
        return result;
    }

    /// <summary>Loads the model, or writes the error to <paramref name="error"/> and returns null.</summary>
    public static ModelDefinition? TryLoad(string path, IEnumerable<string> overrides, TextWriter error)
    {
        if (!File.Exists(path) && !Directory.Exists(path))
        {
            error.WriteLine($"{Text.Escape(path)}: error: no such file");
            return null;
        }
        if (Directory.Exists(path))
        {
            error.WriteLine($"{Text.Escape(path)}: error: a directory, not a model file");
            return null;
        }
        // A malformed --set is a usage error (exit 1), thrown to the caller.
        var values = ParseOverrides(overrides);
        try
        {
            return ModelFile.Load(path, values);
        }
        catch (Exception e) when (ModelFile.Describe(path, e) is { } described)
        {
            error.WriteLine(Text.Escape(described.Value.Item2));
            return null;
        }
    }
}
