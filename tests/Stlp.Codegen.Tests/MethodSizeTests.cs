using Xunit;

namespace Stlp.Codegen.Tests;

/// <summary>
/// Every generated method is small enough for the JIT to optimize. The JIT (coreclr
/// jit/compiler.cpp, DEFAULT_MIN_OPTS_*) compiles a method without optimization (MinOpts) above
/// 60,000 bytes of IL, 20,000 IL instructions, 8,000 references to locals and arguments, 2,000
/// basic blocks or 2,000 locals; such a method ran about ten times slower. The bounds checked
/// here: IL (and the whole body) under 60,000 bytes, instructions under 20,000, local references
/// under 8,000, branches and throws under 1,000 (each ends a basic block), and fewer than 512
/// locals (half the 1,024 the JIT tracks in registers). The emitter aims at a third to a half of
/// these by estimate (<see cref="MethodCost"/>).
/// </summary>
public class MethodSizeTests
{
    /// <summary>Every sample (each compiled once, shared with the test against the interpreter).</summary>
    public static TheoryData<string> Samples() => Harness.StraightLineSamples();

    [Theory]
    [MemberData(nameof(Samples))]
    public void EveryGeneratedMethodIsOptimizable(string file)
    {
        var sample = Harness.CompileSample(file);
        var sizes = MethodBodies.Measure(sample.Assembly);
        Assert.Contains(sizes, m => m.Name == "Kernel.Evaluate");
        foreach (var m in sizes)
        {
            Assert.True(m.BodyBytes < 60_000 && m.IlBytes < 60_000, $"{file}: {m}");
            Assert.True(m.Instructions < 20_000, $"{file}: {m}");
            Assert.True(m.LocalReferences < 8_000, $"{file}: {m}");
            Assert.True(m.Branches < 1_000, $"{file}: {m}");
            Assert.True(m.Locals < 512, $"{file}: {m}");
        }
    }

    [Fact]
    public void AKernelTooLargeForOneMethodIsSplit()
    {
        var sizes = MethodBodies.Measure(Harness.CompileSample("mlp4882.stlp").Assembly);
        Assert.Contains(sizes, m => m.Name == "Kernel.Part1");
        // The measure sees what it should: the parts together hold far more than one method may.
        Assert.True(sizes.Where(m => m.Name.StartsWith("Kernel.Part")).Sum(m => m.IlBytes) > 60_000);
    }
}
