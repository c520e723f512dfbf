using Stlp.Codegen;
using Stlp.Model;
using Xunit;

namespace Stlp.Codegen.Tests;

/// <summary>Generated kernels against the IR interpreter at 1e-13 relative, on random states.</summary>
public class GeneratedVsInterpreterTests
{
    public static TheoryData<string> SampleFiles() => Harness.StraightLineSamples();

    [Theory]
    [MemberData(nameof(SampleFiles))]
    public void EverySampleAgreesWithTheInterpreter(string file) =>
        AgreeWithInterpreter(Harness.CompileSample(file).Compiled, seed: file.Length);

    internal static void AgreeWithInterpreter(ModelDefinition model, int seed, int count = 200) =>
        AgreeWithInterpreter(Harness.Compile(model), seed, count);

    internal static void AgreeWithInterpreter(CompiledKernel compiled, int seed, int count = 200)
    {
        var interpreter = new Interpreter(compiled.Program);
        var p = compiled.Program.ParameterDefaults;
        foreach (var (t, q, qdot, s) in Harness.States(compiled.Program, count, seed))
        {
            var a = Harness.Run(compiled.Kernel, t, q, qdot, p, s);
            var b = Harness.Run(interpreter, t, q, qdot, p, s);
            Harness.AssertClose(b.Qddot, a.Qddot, 1e-13, "qddot");
            Harness.AssertClose(b.Lambda, a.Lambda, 1e-13, "lambda~");
            Harness.AssertClose(b.G, a.G, 1e-13, "G");
            Harness.AssertClose(b.Gdot, a.Gdot, 1e-13, "Gdot");
            Assert.Equal(b.Varpi, a.Varpi, 13);
        }
    }

    [Fact]
    public void AVelocityDependentFTakesTheDensePathInBoth()
    {
        var model = Harness.FromText(
            """
            param k = 2
            coord q mass 1
            coord r mass 2 init 0.1
            constraint tie: q - sin(r) = 0
            F = -k*q^2/2 + 0.3*q'*r' + 0.1*q*r'^2
            dissipation 1 + t^2
            loss (r - 1)^2/2
            """
        );
        var compiled = Harness.Compile(model);
        Assert.False(compiled.Program.IsHDiagonal);
        Assert.Contains("DenseMultipliers.Solve", compiled.Source);
        AgreeWithInterpreter(model, seed: 5);
    }

    [Fact]
    public void TheInterpreterAgreesWithTheDerivationsNumericalEvaluation()
    {
        var model = Harness.Load("fig3b.stlp");
        var d = Harness.Derive(model);
        var interpreter = new Interpreter(Lower.lower(d));
        var signals = new FormulaSignals(model);
        foreach (var (t, q, qdot, s) in Harness.States(Lower.lower(d), 50, 9))
        {
            var fromIr = Harness.Run(interpreter, t, q, qdot, [1.0, 1.0], s);
            var reference = Numerics.evaluate(d, signals, model.ParameterValues, new State(t, q, qdot));
            Harness.AssertClose(reference.Qddot, fromIr.Qddot, 1e-12, "qddot");
            Harness.AssertClose(reference.LambdaNormalized, fromIr.Lambda, 1e-12, "lambda~");
        }
    }
}
