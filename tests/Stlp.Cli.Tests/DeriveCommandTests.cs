using System.Text.Json;
using Stlp.Cli;
using Xunit;

namespace Stlp.Cli.Tests;

public class DeriveCommandTests
{
    private static string TempModel(string text)
    {
        var path = Path.Combine(Path.GetTempPath(), $"stlp-{Guid.NewGuid():N}.stlp");
        File.WriteAllText(path, text);
        return path;
    }

    [Fact]
    public void TextPrintsOneEquationALineByName()
    {
        var (code, output, _) = Cli.Run("derive", Cli.Sample("fig2a.stlp"));
        Assert.Equal(0, code);
        var lines = output.Split('\n');
        Assert.Contains("H~[x,x] = 1", lines);
        Assert.Contains("G_q[x,w] = -e(t)", lines);
        Assert.Contains("A[x,x] = e(t)^2 + 1", lines);
        Assert.Contains("qddot[w] = lambda_x*e(t) - theta*w'", lines);
    }

    [Fact]
    public void JsonHasEveryExpressionTheSparsityAndTheStart()
    {
        var (code, output, _) = Cli.Run("derive", Cli.Sample("fig3b.stlp"), "--format", "json");
        Assert.Equal(0, code);
        using var doc = JsonDocument.Parse(output);
        var root = doc.RootElement;
        Assert.Equal("x2 - tanh(w*x1)", root.GetProperty("expressions").GetProperty("G[x2]").GetString());
        Assert.Equal(3, root.GetProperty("sparsity").GetProperty("touches").GetProperty("x2").GetArrayLength());
        Assert.Equal(3.0, root.GetProperty("initial").GetProperty("qdot").GetProperty("x1").GetDouble());
    }

    [Fact]
    public void StabilizationCanBeChosenOnTheCommandLine()
    {
        var (code, output, _) = Cli.Run("derive", Cli.Sample("fig3a.stlp"), "--stabilize", "baumgarte 2 3");
        Assert.Equal(0, code);
        Assert.Contains("# stabilization: Baumgarte alpha = 2, beta = 3", output);
    }

    [Fact]
    public void LatexIsAnAlignFragment()
    {
        var (code, output, _) = Cli.Run("derive", Cli.Sample("fig3b.stlp"), "--format", "latex");
        Assert.Equal(0, code);
        Assert.StartsWith("\\begin{align*}", output);
        Assert.Contains("\\tilde{H}_{x_{1} x_{1}} &= 1", output);
        Assert.EndsWith("\\end{align*}\n", output);
    }

    [Fact]
    public void ADerivationErrorExitsWith2AndNamesTheConstraint()
    {
        var path = TempModel("coord x mass 1 init 2\ncoord y mass 1\nconstraint pin: x - 1 = 0\n");
        try
        {
            var (code, _, error) = Cli.Run("derive", path);
            Assert.Equal(ExitCodes.ModelError, code);
            Assert.Contains("derivation error", error);
            Assert.Contains("constraint 'pin'", error);
        }
        finally
        {
            File.Delete(path);
        }
    }

    [Fact]
    public void AModelErrorExitsWith2WithItsLocation()
    {
        var path = TempModel("coord x mass 1\nconstraint c: x - y = 0\n");
        try
        {
            var (code, _, error) = Cli.Run("derive", path);
            Assert.Equal(ExitCodes.ModelError, code);
            Assert.Contains(":2:19: error: undefined name 'y'", error);
        }
        finally
        {
            File.Delete(path);
        }
    }
}

public sealed class DeriveDataModelTests
{
    [Fact]
    public void AModelWithADataSetDerivesWithItsSignalsAsSymbols()
    {
        var (code, output, error) = Cli.Run("derive", Cli.Sample("xor_learn.stlp"));
        Assert.True(code == 0, error);
        Assert.Contains("xor_in1", output);
        Assert.Contains("xor_y1", output);
    }

    [Fact]
    public void ANetworkPrintsItsFormsDerivedOnceInPlaceOfTheMultiplierEquation()
    {
        var (code, output, error) = Cli.Run("derive", Cli.Sample("iris.stlp"));
        Assert.True(code == 0, error);
        Assert.Contains("G[form biased/tanh] = #x - tanh(#a + #b)", output);
        Assert.Contains("dG/d#a[form biased/tanh] = -(1 - tanh(#a + #b)^2)", output);
        Assert.Contains("psi[form biased/tanh] = #in*#w", output);
        Assert.Contains("gamma[form input/tanh] = 100.0*(#x - #e) + 20.0*(#x' - #e') - #e''", output);
        // Each row's sum, once; its G_q entries are left to the forms, their places to the sparsity.
        Assert.Contains("G[x1_1] = x1_1 - tanh(", output);
        Assert.Contains("sparsity G[x1_1]: ", output);
        Assert.DoesNotContain("G_q[", output);
        Assert.DoesNotContain("\nA[", output);

        var (json, jsonOutput, _) = Cli.Run("derive", Cli.Sample("iris.stlp"), "--format", "json");
        Assert.Equal(0, json);
        using var document = System.Text.Json.JsonDocument.Parse(jsonOutput);
        Assert.Equal(
            "#in*#w",
            document.RootElement.GetProperty("forms").GetProperty("psi[form biased/tanh]").GetString()
        );

        var (straight, straightOutput, _) = Cli.Run("derive", Cli.Sample("iris.stlp"), "--kernel", "straight-line");
        Assert.Equal(0, straight);
        Assert.Contains("\nA[x0_1,x0_1] = ", straightOutput);
        Assert.Contains("G_q[x1_1,w1_1_1] = ", straightOutput);
        Assert.DoesNotContain("[form ", straightOutput);
    }
}
