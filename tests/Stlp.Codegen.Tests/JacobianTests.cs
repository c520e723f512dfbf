using Stlp.Codegen;
using Stlp.Runtime.Kernels;
using Xunit;

namespace Stlp.Codegen.Tests;

/// <summary>The Jacobian of the first-order right-hand side: tangents against central differences,
/// and generated against interpreted.</summary>
public class JacobianTests
{
    [Theory]
    [InlineData("fig2a.stlp")]
    [InlineData("fig3b.stlp")]
    [InlineData("mlp.stlp")]
    [InlineData("xor.stlp")]
    [InlineData("recurrent.stlp")]
    public void TangentsMatchCentralDifferencesAndGeneratedMatchesInterpreted(string file)
    {
        var compiled = Harness.Compile(Harness.Load(file));
        var interpreter = new Interpreter(compiled.Program);
        var generated = Assert.IsAssignableFrom<IJacobianKernel>(compiled.Kernel);
        var n = compiled.Program.N;
        var p = compiled.Program.ParameterDefaults;
        foreach (var (t, q, qdot, s) in Harness.States(compiled.Program, 10, 31))
        {
            var exact = new double[4 * n * n];
            var fromGenerated = new double[4 * n * n];
            var differences = new double[4 * n * n];
            interpreter.Jacobian(t, q, qdot, p, s, exact);
            generated.Jacobian(t, q, qdot, p, s, fromGenerated);
            FiniteDifferenceJacobian.Compute(interpreter, t, q, qdot, p, s, differences);
            Harness.AssertClose(differences, exact, 1e-6, "J (tangent vs difference)");
            Harness.AssertClose(exact, fromGenerated, 1e-13, "J (generated vs interpreted)");
        }
    }
}

public class DenseJacobianTests
{
    [Fact]
    public void AVelocityDependentFGetsADifferenceJacobianThatAgrees()
    {
        var model = Harness.FromText(
            """
            coord q mass 1
            coord r mass 2 init 0.1
            constraint tie: q - sin(r) = 0
            F = -q^2 + 0.3*q'*r'
            loss (r - 1)^2/2
            """
        );
        var compiled = Harness.Compile(model);
        Assert.Contains("FiniteDifferenceJacobian.Compute", compiled.Source);
        var generated = (IJacobianKernel)compiled.Kernel;
        var interpreter = new Interpreter(compiled.Program);
        var a = new double[16];
        var b = new double[16];
        generated.Jacobian(0.3, [0.2, 0.1], [0.1, -0.2], [], [], a);
        interpreter.Jacobian(0.3, [0.2, 0.1], [0.1, -0.2], [], [], b);
        Harness.AssertClose(b, a, 1e-9, "J");
        Assert.Equal(1.0, a[0 * 4 + 2]);
    }
}
