using Stlp.Model;

namespace Stlp.Bench;

/// <summary>The expressions the derivation benchmarks differentiate.</summary>
public static class Workloads
{
    public static readonly Symbol X = new("x", SymbolKind.Coordinate);

    /// <summary>tanh(tanh(...tanh(x)...)), <paramref name="depth"/> deep.</summary>
    public static Expr DeepTanh(int depth)
    {
        var e = Sym.Coord(X.Name);
        for (var i = 0; i < depth; i++)
        {
            e = Functions.tanh(e);
        }
        return e;
    }

    /// <summary>
    /// The quadratic loss of a tanh MLP as a function of its weights (the feedforward map
    /// composed, as backprop sees it), with the weight symbols. Layer sizes 5-5-5 give 50 weights.
    /// </summary>
    public static (Expr Loss, Symbol[] Weights) MlpLoss(int[] sizes)
    {
        var weights = new List<Symbol>();
        var layer = Enumerable.Range(1, sizes[0]).Select(i => Sym.Param($"u{i}")).ToArray();
        for (var l = 1; l < sizes.Length; l++)
        {
            var next = new Expr[sizes[l]];
            for (var j = 0; j < sizes[l]; j++)
            {
                var terms = new List<Expr>();
                for (var k = 0; k < layer.Length; k++)
                {
                    var w = new Symbol($"w{l}_{j + 1}_{k + 1}", SymbolKind.Coordinate);
                    weights.Add(w);
                    terms.Add(Sym.Coord(w.Name) * layer[k]);
                }
                next[j] = Functions.tanh(Sym.Sum([.. terms]));
            }
            layer = next;
        }
        var loss = Sym.Sum([.. layer.Select((o, j) => Sym.Square(o - Sym.Param($"y{j + 1}")) / 2)]);
        return (loss, [.. weights]);
    }

    public static int WeightCount(int[] sizes) => sizes.Zip(sizes.Skip(1), (a, b) => a * b).Sum();
}
