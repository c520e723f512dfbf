using Stlp.Model;
using Xunit;

namespace Stlp.Codegen.Tests;

/// <summary>
/// The generated source of two samples, byte for byte against the files checked in under
/// <c>tests/Stlp.Codegen.Tests/golden/</c>, so a change to the emitter shows in review as a diff of
/// the code it writes. After an intended change, rewrite them with
/// <c>STLP_UPDATE_GOLDEN=1 dotnet test tests/Stlp.Codegen.Tests --filter GoldenSourceTests</c>
/// and review the diff.
/// </summary>
public class GoldenSourceTests
{
    public static TheoryData<string, string> Goldens() =>
        new() { { "fig3b.stlp", "fig3b.kernel.cs.txt" }, { "mlp.stlp", "mlp.kernel.cs.txt" } };

    private static string GoldenDirectory =>
        Path.Combine(Path.GetDirectoryName(Harness.Samples)!, "tests", "Stlp.Codegen.Tests", "golden");

    [Theory]
    [MemberData(nameof(Goldens))]
    public void TheGeneratedSourceIsTheCheckedInOne(string sample, string golden)
    {
        var source = KernelEmitter.Emit(Lower.lower(Harness.Derive(Harness.Load(sample))));
        var path = Path.Combine(GoldenDirectory, golden);
        if (Environment.GetEnvironmentVariable("STLP_UPDATE_GOLDEN") == "1")
        {
            File.WriteAllText(path, source);
        }
        Assert.True(File.Exists(path), $"{path} is missing; run with STLP_UPDATE_GOLDEN=1 to write it");
        var expected = File.ReadAllBytes(path);
        var actual = System.Text.Encoding.UTF8.GetBytes(source);
        if (!expected.AsSpan().SequenceEqual(actual))
        {
            // The first differing line, for the message.
            var a = File.ReadAllText(path).Split('\n');
            var b = source.Split('\n');
            var k = 0;
            while (k < Math.Min(a.Length, b.Length) && a[k] == b[k])
            {
                k++;
            }
            Assert.Fail(
                $"{golden} differs at line {k + 1} (STLP_UPDATE_GOLDEN=1 rewrites it):\n"
                    + $"  golden:    {(k < a.Length ? a[k] : "<end>")}\n"
                    + $"  generated: {(k < b.Length ? b[k] : "<end>")}"
            );
        }
    }
}
