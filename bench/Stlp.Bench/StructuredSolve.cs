using System.Diagnostics;
using System.Globalization;
using Stlp.Runtime.Kernels;
using Stlp.Runtime.Kernels.Structured;

namespace Stlp.Bench;

/// <summary>
/// The multiplier solve of a layered network (equations.md §6.1) three ways: the dense Cholesky
/// the kernels use today (assembly and factor + solve timed apart), the layer-wise block
/// elimination (<see cref="LayeredBlockSolver"/>) and matrix-free conjugate gradients
/// (<see cref="ConjugateGradientSolver"/>, Jacobi-preconditioned and plain). Random nets: W
/// uniform in +-sqrt(6/(fan_in + fan_out)), sigma' in (0, 1], x in (0, 1), d from x, m_W = 1.
/// Two CSV tables: time per solve by net, then CG iterations against m_x/m_W and depth.
/// </summary>
public static class StructuredSolve
{
    private const double CgTolerance = 1e-10;

    public static void Print(TextWriter output)
    {
        output.WriteLine("# per-solve time (microseconds), m_x/m_W = 1e-2, CG relative residual 1e-10");
        output.WriteLine(
            "net,neurons,weights,dense_assemble_us,dense_factor_solve_us,block_factor_solve_us,block_solve_only_us,cg_jacobi_us,cg_jacobi_iterations,cg_plain_us,cg_plain_iterations,block_error,cg_error"
        );
        int[][] nets =
        [
            [4, 8, 3],
            [4, 8, 8, 2],
            [4, 16, 16, 3],
            [64, 32, 10],
            [64, 32, 32, 10],
            [784, 100, 10],
            [784, 128, 10],
            [784, 128, 64, 10],
            [784, 256, 128, 10],
        ];
        foreach (var sizes in nets)
        {
            TimeNet(output, sizes, 1e-2);
        }

        output.WriteLine();
        output.WriteLine("# CG iterations to relative residual 1e-10 against m_x/m_W and hidden depth");
        output.WriteLine(
            "net,hidden_layers,ratio,cg_jacobi_iterations,cg_plain_iterations,cg_jacobi_us,block_factor_solve_us,cg_vs_block_error"
        );
        foreach (var (input, width, output_) in new[] { (64, 32, 10), (784, 100, 10) })
        {
            for (var hidden = 1; hidden <= 4; hidden++)
            {
                var sizes = new int[hidden + 2];
                sizes[0] = input;
                for (var h = 1; h <= hidden; h++)
                {
                    sizes[h] = width;
                }
                sizes[^1] = output_;
                foreach (var ratio in new[] { 1, 1e-1, 1e-2, 1e-3, 1e-5 })
                {
                    IterationsRow(output, sizes, hidden, ratio);
                }
            }
        }
    }

    private static LayeredNetwork Net(int[] sizes, double ratio, int seed)
    {
        var random = new Random(seed);
        var weights = new double[sizes.Length - 1][];
        for (var l = 1; l < sizes.Length; l++)
        {
            var a = Math.Sqrt(6.0 / (sizes[l - 1] + sizes[l]));
            weights[l - 1] = new double[sizes[l] * sizes[l - 1]];
            for (var i = 0; i < weights[l - 1].Length; i++)
            {
                weights[l - 1][i] = a * (2 * random.NextDouble() - 1);
            }
        }
        var net = new LayeredNetwork(sizes, weights, ratio, 1);
        var x = new double[net.NeuronCount];
        for (var j = 0; j < x.Length; j++)
        {
            net.SigmaPrime[j] = 1 - random.NextDouble();
            x[j] = random.NextDouble();
        }
        net.ComputeD(x);
        return net;
    }

    private static double[] Rhs(int n, int seed)
    {
        var random = new Random(seed);
        var b = new double[n];
        for (var i = 0; i < n; i++)
        {
            b[i] = 2 * random.NextDouble() - 1;
        }
        return b;
    }

    /// <summary>Microseconds per call: one warm-up, then repeats until 0.3 s (at least 3).</summary>
    private static double Time(Action action)
    {
        action();
        var watch = Stopwatch.StartNew();
        var calls = 0;
        while (calls < 3 || watch.Elapsed.TotalSeconds < 0.3)
        {
            action();
            calls++;
        }
        return watch.Elapsed.TotalMicroseconds / calls;
    }

    private static double Error(double[] x, double[] reference)
    {
        double error = 0,
            scale = 0;
        for (var i = 0; i < x.Length; i++)
        {
            error = Math.Max(error, Math.Abs(x[i] - reference[i]));
            scale = Math.Max(scale, Math.Abs(reference[i]));
        }
        return error / scale;
    }

    private static void TimeNet(TextWriter output, int[] sizes, double ratio)
    {
        var net = Net(sizes, ratio, 1);
        var n = net.NeuronCount;
        var b = Rhs(n, 2);
        var a = new double[n * n];
        var dense = new double[n];
        var denseAssemble = Time(() => net.AssembleDense(a));
        var denseSolve = Time(() =>
        {
            net.AssembleDense(a);
            if (DenseCholesky.Factor(a, n) >= 0)
            {
                throw new InvalidOperationException("dense factor failed");
            }
            b.CopyTo(dense, 0);
            DenseCholesky.Solve(a, n, dense);
        });
        denseSolve -= denseAssemble;

        var block = new LayeredBlockSolver(net);
        var lambda = new double[n];
        var blockTime = Time(() => block.Solve(0, b, lambda));
        var blockSolveOnly = Time(() => block.Solve(b, lambda));
        var blockError = Error(lambda, dense);

        var jacobi = new ConjugateGradientSolver(net, CgTolerance, jacobi: true);
        var cgLambda = new double[n];
        var cgTime = Time(() => jacobi.Solve(0, b, cgLambda));
        var cgError = Error(cgLambda, dense);
        var plain = new ConjugateGradientSolver(net, CgTolerance, jacobi: false);
        var plainLambda = new double[n];
        var plainTime = Time(() => plain.Solve(0, b, plainLambda));

        output.WriteLine(
            string.Join(
                ",",
                string.Join("-", sizes),
                n.ToString(CultureInfo.InvariantCulture),
                net.EdgeCount.ToString(CultureInfo.InvariantCulture),
                F(denseAssemble),
                F(denseSolve),
                F(blockTime),
                F(blockSolveOnly),
                F(cgTime),
                jacobi.Iterations.ToString(CultureInfo.InvariantCulture),
                F(plainTime),
                plain.Iterations.ToString(CultureInfo.InvariantCulture),
                blockError.ToString("E1", CultureInfo.InvariantCulture),
                cgError.ToString("E1", CultureInfo.InvariantCulture)
            )
        );
        output.Flush();
    }

    private static void IterationsRow(TextWriter output, int[] sizes, int hidden, double ratio)
    {
        var net = Net(sizes, ratio, 3);
        var n = net.NeuronCount;
        var b = Rhs(n, 4);
        var block = new LayeredBlockSolver(net);
        var reference = new double[n];
        var blockTime = Time(() => block.Solve(0, b, reference));
        var jacobi = new ConjugateGradientSolver(net, CgTolerance, jacobi: true);
        var lambda = new double[n];
        var cgTime = Time(() => jacobi.Solve(0, b, lambda));
        var plain = new ConjugateGradientSolver(net, CgTolerance, jacobi: false);
        plain.Solve(0, b, new double[n]);
        output.WriteLine(
            string.Join(
                ",",
                string.Join("-", sizes),
                hidden.ToString(CultureInfo.InvariantCulture),
                ratio.ToString("G", CultureInfo.InvariantCulture),
                jacobi.Iterations.ToString(CultureInfo.InvariantCulture),
                plain.Iterations.ToString(CultureInfo.InvariantCulture),
                F(cgTime),
                F(blockTime),
                Error(lambda, reference).ToString("E1", CultureInfo.InvariantCulture)
            )
        );
        output.Flush();
    }

    private static string F(double microseconds) => microseconds.ToString("F1", CultureInfo.InvariantCulture);
}
