using Stlp.Codegen;
using Stlp.Model;
using Xunit;

namespace Stlp.Codegen.Tests;

/// <summary>Kernels written by hand from the paper's equations (samples/hand) against the derived ones.</summary>
public class HandKernelTests
{
    [Theory]
    [InlineData("fig2a.stlp", "Fig2aKernel.cs")]
    [InlineData("fig3b.stlp", "Fig3bKernel.cs")]
    [InlineData("mlp.stlp", "MlpKernels.cs")]
    [InlineData("mlp4882.stlp", "MlpKernels.cs")]
    public void HandKernelsAgreeWithGeneratedAndInterpreted(string model, string hand)
    {
        var derivation = Harness.Derive(Harness.Load(model));
        var compiled = KernelFactory.Create(Lower.lower(derivation), null);
        var source = File.ReadAllText(Path.Combine(Harness.Samples, "hand", hand));
        var handKernel = HandKernels.Compile(
            source,
            Path.GetFileNameWithoutExtension(hand),
            compiled.Program.N,
            compiled.Program.R
        );
        Assert.Equal(compiled.Program.N, handKernel.CoordinateCount);
        var report = Stlp.Simulation.KernelComparison.Check(
            derivation,
            compiled.Program,
            new Interpreter(compiled.Program),
            [("generated", compiled.Kernel), ("hand", handKernel)],
            count: 200,
            seed: 17
        );
        foreach (var d in report)
        {
            var limit = d.Kernel == "generated" ? 1e-13 : 1e-12;
            Assert.True(d.MaxScaled <= limit, $"{d.Kernel} {d.Output}: {d.MaxScaled:E2}");
        }
    }

    [Fact]
    public void AHandKernelThatDoesNotCompileSaysWhere()
    {
        var e = Assert.Throws<HandKernelException>(() =>
            HandKernels.Compile("public class Broken : Stlp.Runtime.Kernels.IKernel { }", "Broken")
        );
        Assert.StartsWith("Broken.cs does not compile:", e.Message);
        Assert.Contains("Broken.cs(1,", e.Message);
        Assert.Contains("CS0535", e.Message);
    }
}
