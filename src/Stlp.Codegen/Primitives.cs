using Stlp.Model;

namespace Stlp.Codegen;

/// <summary>Primitive functions for the interpreter, read from the model's one primitive table.</summary>
public static class Primitives
{
    public static double Call(string name, double[] args) => Functions.evaluate(name, args);
}
