using Stlp.Codegen;
using Stlp.Codegen.Structured;
using Stlp.Ir;
using Stlp.Runtime.Kernels;
using Stlp.Runtime.Signals;
using Xunit;

namespace Stlp.Simulation.Tests;

/// <summary>
/// The structured kernel (loop IR: forms derived once, rows and edges as data) held to the
/// straight-line kernel on every network sample, the emitted loops to the interpreted ones, and
/// every multiplier solver to the dense one, at random states around each sample's start. Each
/// output is compared relative to its largest entry; the accelerations, a difference of the force
/// and constraint terms (which with m_x = 1e-5 are 1e5 times larger than it), relative to the
/// larger of those terms.
/// </summary>
public class StructuredKernelTests
{
    public static TheoryData<string> NetworkSamples =>
        [
            "xor.stlp",
            "xor_learn.stlp",
            "moons.stlp",
            "iris.stlp",
            "mlp.stlp",
            "mlp4882.stlp",
            "first_network.stlp",
            "backprop_limit.stlp",
            "recurrent.stlp",
            "digits.stlp",
        ];

    /// <summary>Every output of two kernels at the same states, as the largest difference relative to each output's size.</summary>
    private static double Disagreement(PreparedRun reference, PreparedRun other, int states, int seed)
    {
        var worst = 0.0;
        var rng = new Random(seed);
        var start = reference.StartState;
        var n = reference.Kernel.Shape.N;
        var a = Outputs.For(reference);
        var b = Outputs.For(other);
        for (var k = 0; k < states; k++)
        {
            var t = reference.T0 + rng.NextDouble() * Math.Min(20, reference.T1 - reference.T0);
            var q = new double[n];
            var qdot = new double[n];
            for (var i = 0; i < n; i++)
            {
                q[i] = start[i] + 0.2 * (rng.NextDouble() - 0.5);
                qdot[i] = 0.2 * (rng.NextDouble() - 0.5);
            }
            a.Evaluate(t, q, qdot);
            b.Evaluate(t, q, qdot);
            worst = Math.Max(worst, Outputs.Difference(a, b));
        }
        return worst;
    }

    [Theory]
    [MemberData(nameof(NetworkSamples))]
    public void StructuredKernelAgreesWithTheStraightLineOne(string sample)
    {
        var model = Models.Sample(sample);
        var straight = Simulator.Prepare(
            model,
            new SimulationOptions { Cache = null, Kernel = KernelPath.StraightLine }
        );
        var structured = Simulator.Prepare(
            model,
            new SimulationOptions { Cache = null, Kernel = KernelPath.Structured }
        );
        Assert.True(structured.Kernel.IsStructured);
        Assert.StartsWith("structured", structured.KernelChoice);
        // The same start: the derivations differ only in the symbolic A, which completion does not use.
        Assert.Equal(straight.StartState, structured.StartState);
        Assert.True(
            Disagreement(straight, structured, 20, 1) <= 1e-12,
            $"{sample}: {Disagreement(straight, structured, 20, 1):R}"
        );
    }

    [Theory]
    [InlineData("iris.stlp")]
    [InlineData("recurrent.stlp")]
    [InlineData("backprop_limit.stlp")]
    public void EmittedLoopsAgreeWithTheInterpreterAndEverySolverWithTheDenseOne(string sample)
    {
        var model = Models.Sample(sample);
        PreparedRun Prepare(MultiplierSolver solver, bool interpret) =>
            Simulator.Prepare(
                model,
                new SimulationOptions
                {
                    Cache = null,
                    Kernel = KernelPath.Structured,
                    Solver = solver,
                    InterpretLoops = interpret,
                }
            );
        var dense = Prepare(MultiplierSolver.Dense, interpret: true);
        Assert.True(Disagreement(dense, Prepare(MultiplierSolver.Dense, interpret: false), 10, 2) <= 1e-13);
        Assert.True(Disagreement(dense, Prepare(MultiplierSolver.ConjugateGradient, interpret: false), 10, 3) <= 1e-10);
        if (sample != "recurrent.stlp")
        {
            Assert.True(Disagreement(dense, Prepare(MultiplierSolver.Block, interpret: false), 10, 4) <= 1e-10);
        }
    }

    /// <summary>
    /// The block solve reads the rows' source partials where the form loops left them when each
    /// layer's neurons share one mass, and writes W out when they do not: with one hidden neuron
    /// moved into the weights' mass group (in the loop IR), it still agrees with the dense solve.
    /// </summary>
    [Fact]
    public void TheBlockSolveAgreesWithTheDenseOneWhenALayersNeuronsDifferInMass()
    {
        var run = Simulator.Prepare(
            Models.Sample("mlp4882.stlp"),
            new SimulationOptions { Cache = null, Kernel = KernelPath.Structured }
        );
        var program = run.Kernel.Loops!;
        var group = (int[])program.MassGroup.Clone();
        var hidden = program.RowOutput[program.LayerSizes[0] + 1];
        group[hidden] = group[program.EdgeWeight[0]];
        Assert.NotEqual(program.MassGroup[hidden], group[hidden]);
        var uneven = program with { MassGroup = group };
        var block = KernelFactory.CreateStructured(uneven, null, MultiplierSolver.Block).Kernel;
        var dense = KernelFactory.CreateStructured(uneven, null, MultiplierSolver.Dense, interpreted: true).Kernel;
        var random = new Random(7);
        var n = program.N;
        for (var k = 0; k < 5; k++)
        {
            var t = random.NextDouble() * 10;
            var q = run.StartState.Take(n).Select(v => v + 0.2 * (random.NextDouble() - 0.5)).ToArray();
            var qdot = Enumerable.Range(0, n).Select(_ => 0.2 * (random.NextDouble() - 0.5)).ToArray();
            double[] Solve(IKernel kernel, out double[] lambda)
            {
                var qddot = new double[n];
                lambda = new double[program.R];
                kernel.Evaluate(
                    t,
                    q,
                    qdot,
                    run.System.Parameters,
                    run.System.SignalsAt(t),
                    qddot,
                    lambda,
                    new double[program.R],
                    new double[program.R],
                    out _
                );
                return qddot;
            }
            var expected = Solve(dense, out var expectedLambda);
            var actual = Solve(block, out var actualLambda);
            var lambdaScale = expectedLambda.Max(Math.Abs);
            Assert.All(
                expectedLambda.Zip(actualLambda),
                pair => Assert.True(Math.Abs(pair.First - pair.Second) <= 1e-10 * lambdaScale)
            );
            // qddot = u - M^-1 G_q' lambda~: relative to the constraint term's size.
            var force = new double[n];
            ((StructuredKernel)dense).Rows.AddTransposed(expectedLambda, 1, force);
            var forceScale = force.Select((v, i) => Math.Abs(v * ((StructuredKernel)dense).Rows.InverseMass[i])).Max();
            Assert.All(
                expected.Zip(actual),
                pair => Assert.True(Math.Abs(pair.First - pair.Second) <= 1e-10 * forceScale)
            );
        }
    }

    /// <summary>
    /// Rows of 5 and 7 edges (the emitted loops take Vector&lt;double&gt;.Count edges per pass and
    /// the rest one by one; the first layer's sources are consecutive, the second's gathered)
    /// and summands with and without a vector form: tanh has one (VectorMath), sin none, so
    /// that form's loop takes every edge one by one. The rows' values go four rows at a time
    /// (one per lane, with VectorMath's tanh) and the rest one by one.
    /// </summary>
    [Theory]
    [InlineData("w[i]*in[i]")]
    [InlineData("w[i]*in[i]/(2 + in[i]*in[i]) - 0.1*w[i]*w[i]*w[i]")]
    [InlineData("w[i]*tanh(in[i])")]
    [InlineData("w[i]*sin(in[i])")]
    public void EmittedLoopsAgreeWithTheInterpreterForAnySummandAndRowLength(string summand)
    {
        var model = Models.FromText(
            $$"""
            model summands
            signal u(t) = sin(t)
            form custom(x; in[], w[], b) = x - sigma(sum({{summand}}) + b)
            network feedforward f 5-7-3 {
                activation tanh
                form custom
                inputs u(t), cos(t), u(t)*u(t), 0.5, sin(2*t)
                targets 0.5, -0.5, 0
                mass x 0.001 w 1
                init weights random 0.5 seed 2
            }
            dissipation exp(2*t)
            simulate from 0 to 1
            """
        );
        PreparedRun Prepare(bool interpret) =>
            Simulator.Prepare(
                model,
                new SimulationOptions
                {
                    Cache = null,
                    Kernel = KernelPath.Structured,
                    Solver = MultiplierSolver.Dense,
                    InterpretLoops = interpret,
                }
            );
        Assert.True(Disagreement(Prepare(interpret: true), Prepare(interpret: false), 10, 5) <= 1e-13);
    }

    /// <summary>
    /// The compiled potential and prediction map give the interpreter's values bit for bit: the
    /// same operations in the same order (with calls, powers and signals).
    /// </summary>
    [Theory]
    [InlineData("iris.stlp")]
    [InlineData("xor_learn.stlp")]
    [InlineData("moons.stlp")]
    public void CompiledStraightLineCodeGivesTheInterpretersValues(string sample)
    {
        var model = Models.Sample(sample);
        var programs = new List<ObservableProgram>();
        if (model.Networks.Length > 0)
        {
            programs.Add(
                Stlp.Model.Loops.lower(
                    Stlp.Model.Derivations.DeriveForLoops(model, model.Simulation.Stabilize)
                ).Potential
            );
        }
        var derivation = Stlp.Model.Derivations.Derive(model, model.Simulation.Stabilize);
        programs.AddRange(model.Networks.Select(network => Stlp.Model.Prediction.program(derivation, network)));
        Assert.NotEmpty(programs);
        var random = new Random(7);
        foreach (var program in programs)
        {
            var compiled = new CompiledObservable(program);
            var interpreted = new ObservableEvaluator(program);
            var n = program.CoordinateNames.Length;
            for (var k = 0; k < 5; k++)
            {
                double[] q = [.. Enumerable.Range(0, n).Select(_ => random.NextDouble() - 0.5)],
                    qdot = [.. Enumerable.Range(0, n).Select(_ => random.NextDouble() - 0.5)],
                    p = [.. program.ParameterNames.Select(_ => 1 + random.NextDouble())],
                    s = [.. program.SignalInputs.Select(_ => random.NextDouble())],
                    expected = new double[program.Outputs.Length],
                    actual = new double[program.Outputs.Length];
                var t = random.NextDouble();
                interpreted.Evaluate(t, q, qdot, p, s, expected);
                compiled.Fresh().Evaluate(t, q, qdot, p, s, actual);
                Assert.Equal(expected, actual);
            }
        }
    }

    [Fact]
    public void OneKernelServesNetworksOfTheSameStructure()
    {
        static string Net(string sizes) =>
            $$"""
                model sized
                signal u(t) = sin(t)
                form biased(x; in[], w[], b) = x - sigma(sum(w[i]*in[i]) + b)
                network feedforward f {{sizes}} {
                    activation tanh
                    form biased
                    inputs {{string.Join(", ", Enumerable.Repeat("u(t)", int.Parse(sizes.Split('-')[0])))}}
                    targets {{string.Join(", ", Enumerable.Repeat("0.5", int.Parse(sizes.Split('-')[^1])))}}
                    mass x 0.001 w 1
                }
                dissipation exp(2*t)
                simulate from 0 to 1
                """;
        var cache = new KernelCache(Path.Combine(Path.GetTempPath(), $"stlp-structure-{Guid.NewGuid():N}"));
        var small = Simulator.Prepare(Models.FromText(Net("6-5-3")), new SimulationOptions { Cache = cache });
        var large = Simulator.Prepare(Models.FromText(Net("40-30-3")), new SimulationOptions { Cache = cache });
        Assert.False(small.Kernel.CacheHit);
        Assert.True(large.Kernel.CacheHit);
        Assert.Equal(small.Kernel.Source, large.Kernel.Source);
    }

    [Fact]
    public void AModelWithoutNetworksIsRefusedTheStructuredKernelWithTheReason()
    {
        var e = Assert.Throws<InputError>(() =>
            Simulator.Prepare(
                Models.Sample("fig3b.stlp"),
                new SimulationOptions { Cache = null, Kernel = KernelPath.Structured }
            )
        );
        Assert.Contains("no network", e.Message);
        Assert.False(Simulator.Prepare(Models.Sample("fig3b.stlp"), Models.Short()).Kernel.IsStructured);
    }

    [Theory]
    [InlineData(MultiplierSolver.Dense)]
    [InlineData(MultiplierSolver.ConjugateGradient)]
    [InlineData(MultiplierSolver.Block)]
    public void EverySolverNamesASingularMultiplierMatrixTheSameWay(MultiplierSolver solver)
    {
        // A form without its neuron's output: with the input at 0 and zero weights the neuron's
        // row of G_q vanishes, and A = G_q M^-1 G_q' is singular there.
        var model = Models.FromText(
            """
            model singular
            signal u(t) = 0*t
            form blind(x; in[], w[]) = sigma(sum(w[i]*in[i]))
            network feedforward f 1-1 {
                activation tanh
                form blind
                inputs u(t)
                targets 0.5
                init weights 0
            }
            simulate from 0 to 1
            """
        );
        var loops = Stlp.Model.Loops.lower(Stlp.Model.Derivations.DeriveForLoops(model, model.Simulation.Stabilize));
        var kernel = KernelFactory.CreateStructured(loops, null, solver).Kernel;
        var (n, r) = (kernel.CoordinateCount, kernel.ConstraintCount);
        var e = Assert.Throws<NumericalFailure>(() =>
            kernel.Evaluate(
                0.5,
                new double[n],
                new double[n],
                [],
                [],
                new double[n],
                new double[r],
                new double[r],
                new double[r],
                out _
            )
        );
        Assert.Equal("A[1,1] (constraint 'x1_1')", e.Quantity);
        Assert.Contains(StructuredKernel.PivotMessage, e.Message);
    }

    [Fact]
    public void ImplicitMethodsAreRefusedAtScaleWithTheReasonAndWhatToUse()
    {
        var inputs = string.Join(", ", Enumerable.Repeat("u(t)", 60));
        var model = Models.FromText(
            $$"""
            model wide
            signal u(t) = sin(t)
            network feedforward f 60-50-2 {
                inputs {{inputs}}
                targets 0, 1
            }
            simulate from 0 to 1, method sdirk
            """
        );
        var e = Assert.Throws<InputError>(() => Simulator.Prepare(model, new SimulationOptions { Cache = null }));
        Assert.Contains("dense Jacobian", e.Message);
        Assert.Contains("use dopri5 or rk4", e.Message);
        Assert.True(
            Simulator.Prepare(model, new SimulationOptions { Cache = null, Method = "dopri5" }).Kernel.IsStructured
        );
    }

    /// <summary>A kernel's outputs at a state, its signals filled from the run's data sets by name.</summary>
    private sealed class Outputs
    {
        private readonly PreparedRun run;
        public double[] Qddot { get; }
        public double[] Lambda { get; }
        public double[] G { get; }
        public double[] Gdot { get; }
        public double Varpi;

        private Outputs(PreparedRun run)
        {
            this.run = run;
            var shape = run.Kernel.Shape;
            Qddot = new double[shape.N];
            Lambda = new double[shape.R];
            G = new double[shape.R];
            Gdot = new double[shape.R];
        }

        public static Outputs For(PreparedRun run) => new(run);

        /// <summary>max |M^-1 G_q' lambda~|, the constraint term of the accelerations (structured kernels); 0 otherwise.</summary>
        public double ConstraintForce()
        {
            if (run.Kernel.Kernel is not StructuredKernel kernel)
            {
                return 0;
            }
            var y = new double[Qddot.Length];
            kernel.Rows.AddTransposed(Lambda, 1, y);
            return y.Select((v, i) => Math.Abs(v * kernel.Rows.InverseMass[i])).Max();
        }

        /// <summary>The kernel at (t, q, qdot), with the run's parameters and its signals at t.</summary>
        public void Evaluate(double t, double[] q, double[] qdot) =>
            run.Kernel.Kernel.Evaluate(
                t,
                q,
                qdot,
                run.System.Parameters,
                run.System.SignalsAt(t),
                Qddot,
                Lambda,
                G,
                Gdot,
                out Varpi
            );

        public static double Difference(Outputs a, Outputs b)
        {
            static double Relative(double[] x, double[] y, double floor = 0)
            {
                var scale = Math.Max(1e-300, Math.Max(floor, x.Select(Math.Abs).DefaultIfEmpty(0).Max()));
                return x.Zip(y, (u, v) => Math.Abs(u - v)).DefaultIfEmpty(0).Max() / scale;
            }
            return new[]
            {
                // qddot = M^-1 (f~ - G_q' lambda~) is a difference: relative to the larger of its terms.
                Relative(a.Qddot, b.Qddot, Math.Max(a.ConstraintForce(), b.ConstraintForce())),
                Relative(a.Lambda, b.Lambda),
                Relative(a.G, b.G),
                Relative(a.Gdot, b.Gdot),
                Math.Abs(a.Varpi - b.Varpi) / Math.Abs(a.Varpi),
            }.Max();
        }
    }
}
