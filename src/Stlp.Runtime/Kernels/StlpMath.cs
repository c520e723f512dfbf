namespace Stlp.Runtime.Kernels;

/// <summary>Primitive functions that System.Math lacks, as the primitive table's C# templates name them.</summary>
public static class StlpMath
{
    public static double Sigmoid(double x)
    {
        if (x >= 0)
        {
            return 1.0 / (1.0 + Math.Exp(-x));
        }
        var e = Math.Exp(x);
        return e / (1.0 + e);
    }

    /// <summary>log(1 + e^x) without overflow.</summary>
    public static double Softplus(double x) => Math.Max(x, 0.0) + Math.Log(1.0 + Math.Exp(-Math.Abs(x)));
}
