using Stlp.Model;

namespace CSharpApi;

/// <summary>samples/fig3b.stlp, written in C#: the same model, built by the same checks.</summary>
public static class Fig3b
{
    public static ModelDefinition Build()
    {
        var theta = Sym.Param("theta");
        var c = Sym.Param("c");
        var (x1, x2, w) = (Sym.Coord("x1"), Sym.Coord("x2"), Sym.Coord("w"));
        var e = Sym.Signal("e");
        var t = Sym.T;

        return new ModelBuilder("fig3b")
            .Param("theta", 1.0)
            .Param("c", 1.0)
            .Signal("e", 3 * (1 - Sym.Exp(-t)))
            .Input("x1", e, 1)
            .Neuron("x2", Sym.Tanh(w * x1), 1)
            .Weight("w", 1, 0)
            .Dissipation(Sym.Exp(theta * t))
            .Loss(Expr.Pow(x2 - Sym.Tanh(3), 2) / 2 + c * Expr.Pow(x2 - Sym.Tanh(w * x1), 2) / 2)
            .Simulate(0, 200, "dopri5", rtol: 1e-10, atol: 1e-12, outputEvery: 0.1)
            .Build();
    }
}
