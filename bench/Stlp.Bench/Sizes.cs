using Stlp.Model;

namespace Stlp.Bench;

/// <summary>DAG node counts of derivatives, with the fitted growth per unit of problem size.</summary>
public static class Sizes
{
    public static void Print(TextWriter output)
    {
        output.WriteLine("Derivative of a deep tanh composition (DAG nodes of d/dx):");
        output.WriteLine("depth,expr_nodes,derivative_nodes");
        var points = new List<(double, double)>();
        foreach (var depth in new[] { 25, 50, 100, 200, 400 })
        {
            var e = Workloads.DeepTanh(depth);
            var d = Calculus.diff(Workloads.X, e);
            var n = Calculus.dagSize([d]);
            points.Add((depth, n));
            output.WriteLine($"{depth},{Calculus.dagSize([e])},{n}");
        }
        output.WriteLine($"fitted nodes per level: {Slope(points):F2} (constant => linear growth)");

        output.WriteLine();
        output.WriteLine("Gradient of an MLP loss (DAG nodes of all partial derivatives together):");
        output.WriteLine("sizes,weights,loss_nodes,gradient_nodes");
        points.Clear();
        foreach (var sizes in new[] { new[] { 2, 3, 2 }, [5, 5, 5], [8, 8, 8], [10, 12, 10], [16, 16, 16] })
        {
            var (loss, weights) = Workloads.MlpLoss(sizes);
            var gradient = Sym.Gradient(loss, weights);
            var n = Calculus.dagSize(gradient);
            var w = Workloads.WeightCount(sizes);
            points.Add((w, n));
            output.WriteLine($"{string.Join('-', sizes)},{w},{Calculus.dagSize([loss])},{n}");
        }
        output.WriteLine($"fitted gradient nodes per weight: {Slope(points):F2}");
    }

    /// <summary>Least-squares slope of y against x.</summary>
    private static double Slope(List<(double X, double Y)> p)
    {
        var mx = p.Average(q => q.X);
        var my = p.Average(q => q.Y);
        return p.Sum(q => (q.X - mx) * (q.Y - my)) / p.Sum(q => (q.X - mx) * (q.X - mx));
    }
}
