using System.Text;
using Stlp.Model;

namespace Stlp.Bench;

/// <summary>Feedforward network models of a given shape, as model-file text, for derivation benchmarks.</summary>
public static class NetworkModels
{
    public static string Text(int[] sizes)
    {
        var sb = new StringBuilder();
        sb.AppendLine("param theta = 1");
        var inputs = new List<string>();
        var targets = new List<string>();
        for (var i = 1; i <= sizes[0]; i++)
        {
            sb.AppendLine($"signal u{i}(t) = sin({i}*t)");
            inputs.Add($"u{i}(t)");
        }
        for (var k = 1; k <= sizes[^1]; k++)
        {
            sb.AppendLine($"signal y{k}(t) = cos({k}*t)/2");
            targets.Add($"y{k}(t)");
        }
        sb.AppendLine($"network feedforward net {string.Join('-', sizes)} {{");
        sb.AppendLine("  activation tanh");
        sb.AppendLine($"  inputs {string.Join(", ", inputs)}");
        sb.AppendLine($"  targets {string.Join(", ", targets)}");
        sb.AppendLine("  mass x 0.1 w 1");
        sb.AppendLine("  init weights random 0.5 seed 1");
        sb.AppendLine("}");
        sb.AppendLine("dissipation exp(theta*t)");
        return sb.ToString();
    }

    public static ModelDefinition Build(int[] sizes) => ModelFile.FromText(Text(sizes));

    public static int Weights(int[] sizes) => sizes.Zip(sizes.Skip(1), (a, b) => a * b).Sum();
}
