using System.Diagnostics;
using Stlp.Model;

namespace Stlp.Bench;

/// <summary>
/// Derivation time and DAG size for feedforward nets of about 10, 100, 1,000 and 10,000 weights,
/// with slopes fitted on a log-log scale against the number of nonzeros of G_q.
/// Wall-clock, one derivation per size after a warm-up on a small net: a scaling report, not a
/// statistical benchmark (BenchmarkDotNet's `DeriveBenchmarks` times the small nets).
/// </summary>
public static class DeriveScaling
{
    public static readonly int[][] Shapes =
    [
        [2, 2, 2],
        [5, 10, 5],
        [20, 30, 13],
        [64, 100, 36],
    ];

    public static void Print(TextWriter output)
    {
        Derive.derive(null, NetworkModels.Build([2, 2, 1]));
        output.WriteLine("shape,weights,constraints,nnz_Gq,nnz_A,derive_ms,dag_nodes_Gq_side,dag_nodes_all");
        var time = new List<(double, double)>();
        var nodes = new List<(double, double)>();
        foreach (var sizes in Shapes)
        {
            var model = NetworkModels.Build(sizes);
            var watch = Stopwatch.StartNew();
            var d = Derive.derive(null, model);
            watch.Stop();
            var nnz = d.Gq.Sum(row => row.Length);
            // Everything that is linear in G_q: f~, G, G_q, gamma, b, qddot.
            var linear = d
                .FNorm.Concat(d.G)
                .Concat(d.Gq.SelectMany(row => row.Select(e => e.Item2)))
                .Concat(d.Gamma)
                .Concat(d.B!.Value)
                .Concat(d.Qddot!.Value);
            var linearNodes = Calculus.dagSize(linear);
            var allNodes = Calculus.dagSize(linear.Concat(d.A!.Value.Select(a => a.Item2)));
            output.WriteLine(
                $"{string.Join('-', sizes)},{NetworkModels.Weights(sizes)},{d.R},{nnz},{d.A!.Value.Length},"
                    + $"{watch.Elapsed.TotalMilliseconds:F0},{linearNodes},{allNodes}"
            );
            time.Add((Math.Log(nnz), Math.Log(watch.Elapsed.TotalMilliseconds)));
            nodes.Add((Math.Log(nnz), Math.Log(linearNodes)));
        }
        output.WriteLine($"log-log slope of the G_q-side DAG size against nnz(G_q): {Slope(nodes):F2}");
        output.WriteLine($"log-log slope of derivation time against nnz(G_q): {Slope(time):F2}");
    }

    private static double Slope(List<(double X, double Y)> p)
    {
        var mx = p.Average(q => q.X);
        var my = p.Average(q => q.Y);
        return p.Sum(q => (q.X - mx) * (q.Y - my)) / p.Sum(q => (q.X - mx) * (q.X - mx));
    }
}
