using System.Globalization;
using Stlp.Codegen;
using Stlp.Model;
using Stlp.Simulation;

namespace Stlp.Bench;

/// <summary>
/// How the structured kernel scales (issue: scale), side by side in one run: for layered tanh
/// MLPs with biases from about 10^2 to 10^5 weights, the time of one right-hand side (one kernel
/// Evaluate at a state of the run) against a hand-written backprop pass (forward and backward,
/// allocation-free) of the same network, timed in alternating batches (the ratio is the median of
/// the rounds' ratios), the cold generation and compile time of the form loops,
/// and the fitted log-log slope of time against weights. With <c>--straight-line</c> also the
/// straight-line kernel of the smaller nets (its compile grows with the net: 64-32-10 takes tens of seconds).
/// </summary>
public static class StructuredScaling
{
    public static readonly int[][] Nets =
    [
        [4, 8, 8, 2],
        [4, 16, 16, 3],
        [16, 16, 10],
        [64, 32, 10],
        [128, 64, 10],
        [256, 100, 10],
        [392, 100, 10],
        [784, 100, 10],
        [784, 128, 10],
    ];

    /// <summary>A model of the net on a random data set (written next to it), as the samples write networks.</summary>
    public static ModelDefinition Model(int[] sizes, string directory)
    {
        var inputs = sizes[0];
        var classes = sizes[^1];
        var csv = Path.Combine(directory, $"random{inputs}x{classes}.csv");
        if (!File.Exists(csv))
        {
            var random = new Random(1);
            using var w = new StreamWriter(csv);
            w.WriteLine(string.Join(",", Enumerable.Range(1, inputs).Select(i => $"f{i}")) + ",class");
            for (var r = 0; r < 50; r++)
            {
                w.WriteLine(
                    string.Join(
                        ",",
                        Enumerable
                            .Range(0, inputs)
                            .Select(_ => random.NextDouble().ToString("F4", CultureInfo.InvariantCulture))
                    ) + $",c{r % classes}"
                );
            }
        }
        var text = $$"""
            model scaling
            param theta = 16
            data d = csv "{{Path.GetFileName(
                csv
            )}}", target class onehot, present 0.5, mollify 0.05, epochs 1, split 1, seed 1, standardize
            form biased(x; in[], w[], b) = x - sigma(sum(w[i]*in[i]) + b)
            network feedforward net {{string.Join("-", sizes)}} {
                activation tanh
                form biased
                data d
                mass x 0.00001 w 1
                init weights random 0.1 seed 3
            }
            dissipation exp(theta*t)
            simulate method dopri5, rtol 1e-5, atol 1e-6, stabilize baumgarte 10 10
            """;
        return ModelFile.FromText(text, directory);
    }

    /// <param name="only">The nets to measure (layer sizes, as "4-8-8-2"); <see cref="Nets"/> when empty.</param>
    public static void Print(TextWriter output, bool straightLine, IReadOnlyCollection<string>? only = null)
    {
        var directory = Path.Combine(Path.GetTempPath(), "stlp-scaling");
        Directory.CreateDirectory(directory);
        output.WriteLine(
            "net,weights,coordinates,derive_s,generate_compile_s,kernel,source_kb,us_per_rhs,us_per_rhs_cpu,us_kernel_cpu,us_backprop_pass,ratio_to_backprop"
        );
        var points = new List<(double Weights, double Time)>();
        var nets = only is { Count: > 0 } ? only.Select(net => net.Split('-').Select(int.Parse).ToArray()) : Nets;
        foreach (var sizes in nets)
        {
            var name = string.Join("-", sizes);
            var model = Model(sizes, directory);
            var weights = Enumerable.Range(1, sizes.Length - 1).Sum(l => sizes[l] * (sizes[l - 1] + 1));
            var backprop = new HandBackprop(sizes);
            var paths =
                straightLine && weights <= 3000
                    ? new[] { KernelPath.Structured, KernelPath.StraightLine }
                    : [KernelPath.Structured];
            foreach (var path in paths)
            {
                var watch = System.Diagnostics.Stopwatch.StartNew();
                // Cold: no cache, so the form loops are generated and compiled for every net.
                var run = Simulator.Prepare(model, new SimulationOptions { Cache = null, Kernel = path });
                var derive =
                    watch.Elapsed.TotalSeconds
                    - run.Kernel.GenerateTime.TotalSeconds
                    - run.Kernel.CompileTime.TotalSeconds;
                var call = RightHandSide(run);
                var rhs = KernelCalls.PerCall(call);
                // The ratio from rounds that alternate the backprop pass and the right-hand side.
                var (pass, rhsPaired, ratio) = KernelCalls.Paired(backprop.Pass, call);
                var kernelOnly = KernelCalls.PerCall(KernelCall(run));
                if (run.Kernel.Kernel is Stlp.Codegen.Structured.StructuredKernel profiled)
                {
                    profiled.Profiling = true;
                    var call2 = KernelCall(run);
                    const int calls = 2000;
                    for (var k = 0; k < calls; k++)
                    {
                        call2();
                    }
                    var total = (double)profiled.PhaseTicks.Sum();
                    var microseconds = 1e6 / System.Diagnostics.Stopwatch.Frequency / calls;
                    output.WriteLine(
                        "# "
                            + name
                            + " kernel share: "
                            + string.Join(
                                ", ",
                                new[] { "potential", "u", "form loops", "b", "solve", "accelerations" }.Zip(
                                    profiled.PhaseTicks,
                                    (what, ticks) => $"{what} {ticks / total:P0} ({ticks * microseconds:F2} us)"
                                )
                            )
                    );
                    profiled.Profiling = false;
                }
                if (path == KernelPath.Structured)
                {
                    points.Add((weights, rhsPaired));
                }
                output.WriteLine(
                    $"{name},{weights},{run.Kernel.Shape.N},{derive:F1},"
                        + $"{(run.Kernel.GenerateTime + run.Kernel.CompileTime).TotalSeconds:F2},{(path == KernelPath.Structured ? "structured" : "straight-line")},{run.Kernel.Source.Length / 1024.0:F0},"
                        + $"{rhs.Median:F1},{rhsPaired:F1},{kernelOnly.Cpu:F1},{pass:F1},{ratio:F2}"
                );
            }
        }
        // Least squares of log time on log weights.
        var xs = points.Select(p => Math.Log(p.Weights)).ToArray();
        var ys = points.Select(p => Math.Log(p.Time)).ToArray();
        double mx = xs.Average(),
            my = ys.Average();
        var slope = xs.Zip(ys, (x, y) => (x - mx) * (y - my)).Sum() / xs.Sum(x => (x - mx) * (x - mx));
        output.WriteLine($"# log-log slope of time per right-hand side against weights: {slope:F3}");
    }

    /// <summary>
    /// One right-hand side of the net's model, prepared cold: for the A/B harness that loads two
    /// builds side by side (each in its own load context) and times them in alternating rounds.
    /// </summary>
    public static Action RightHandSideOf(int[] sizes)
    {
        var directory = Path.Combine(Path.GetTempPath(), "stlp-scaling");
        Directory.CreateDirectory(directory);
        var run = Simulator.Prepare(
            Model(sizes, directory),
            new SimulationOptions { Cache = null, Kernel = KernelPath.Structured }
        );
        return RightHandSide(run);
    }

    /// <summary>One right-hand side of the run at its start state (signals filled at t, as the integrator calls it).</summary>
    private static Action RightHandSide(PreparedRun run)
    {
        var n = run.Kernel.Shape.N;
        var state = run.StartState;
        var derivative = new double[2 * n];
        return () => run.System.Derivative(0.3, state, derivative);
    }

    /// <summary>The kernel alone, with the run's parameters and its signals at t = 0.3.</summary>
    private static Action KernelCall(PreparedRun run)
    {
        var shape = run.Kernel.Shape;
        var n = shape.N;
        var state = run.StartState;
        var parameters = run.System.Parameters.ToArray();
        var signals = run.System.SignalsAt(0.3);
        double[] qddot = new double[n],
            lambda = new double[shape.R],
            g = new double[shape.R],
            gdot = new double[shape.R];
        return () =>
            run.Kernel.Kernel.Evaluate(
                0.3,
                state.AsSpan(0, n),
                state.AsSpan(n),
                parameters,
                signals,
                qddot,
                lambda,
                g,
                gdot,
                out _
            );
    }

    /// <summary>A plain forward and backward pass of a tanh MLP with biases and quadratic loss, allocation-free.</summary>
    private sealed class HandBackprop
    {
        private readonly int[] sizes;
        private readonly double[][] w;
        private readonly double[][] gw;
        private readonly double[][] x;
        private readonly double[][] delta;
        private readonly double[] target;

        public HandBackprop(int[] sizes)
        {
            this.sizes = sizes;
            var random = new Random(1);
            w =
            [
                .. Enumerable
                    .Range(1, sizes.Length - 1)
                    .Select(l =>
                        Enumerable
                            .Range(0, sizes[l] * (sizes[l - 1] + 1))
                            .Select(_ => 0.1 * (random.NextDouble() - 0.5))
                            .ToArray()
                    ),
            ];
            gw = [.. w.Select(a => new double[a.Length])];
            x = [.. sizes.Select(s => new double[s])];
            delta = [.. sizes.Select(s => new double[s])];
            for (var i = 0; i < sizes[0]; i++)
            {
                x[0][i] = random.NextDouble();
            }
            target = new double[sizes[^1]];
            target[0] = 1;
        }

        public void Pass()
        {
            for (var l = 1; l < sizes.Length; l++)
            {
                int n = sizes[l],
                    m = sizes[l - 1];
                var wl = w[l - 1];
                for (var j = 0; j < n; j++)
                {
                    var row = j * (m + 1);
                    var a = wl[row + m];
                    for (var k = 0; k < m; k++)
                    {
                        a += wl[row + k] * x[l - 1][k];
                    }
                    x[l][j] = Math.Tanh(a);
                }
            }
            var last = sizes.Length - 1;
            for (var i = 0; i < sizes[last]; i++)
            {
                delta[last][i] = x[last][i] - target[i];
            }
            for (var l = last; l >= 1; l--)
            {
                int n = sizes[l],
                    m = sizes[l - 1];
                var wl = w[l - 1];
                var g = gw[l - 1];
                Array.Clear(delta[l - 1]);
                for (var j = 0; j < n; j++)
                {
                    var row = j * (m + 1);
                    var da = delta[l][j] * (1 - x[l][j] * x[l][j]);
                    for (var k = 0; k < m; k++)
                    {
                        g[row + k] = da * x[l - 1][k];
                        delta[l - 1][k] += da * wl[row + k];
                    }
                    g[row + m] = da;
                }
            }
        }
    }
}
