using System.Numerics.Tensors;
using Stlp.Ir;
using Stlp.Runtime.Kernels;
using Stlp.Runtime.Kernels.Structured;

namespace Stlp.Codegen.Structured;

/// <summary>How a structured kernel solves its multiplier equation A lambda~ = b.</summary>
public enum MultiplierSolver
{
    /// <summary>Block elimination for a layered network, else dense Cholesky up to <see cref="StructuredKernel.DenseLimit"/> rows, else conjugate gradients.</summary>
    Auto,

    /// <summary>The layer-wise block elimination of docs/equations.md §6.1 (feedforward networks).</summary>
    Block,

    /// <summary>A assembled densely from the rows, then Cholesky: the reference.</summary>
    Dense,

    /// <summary>Jacobi-preconditioned conjugate gradients on the matrix-free product (neighbour-only passes).</summary>
    ConjugateGradient,
}

/// <summary>
/// The kernel of a network model from its loop IR: the rows' values from the form loops
/// (generated or interpreted), then, all in O(edges) apart from the solve,
/// u = M^-1 f~ = -(varpi'/varpi) qdot - M^-1 V_q, b = G_q u + gamma, A lambda~ = b with
/// A = G_q M^-1 G_q' never written entry by entry, and qddot = u - M^-1 G_q' lambda~
/// (docs/equations.md §3 and §6.1). Not thread-safe (it keeps scratch space).
/// </summary>
public sealed class StructuredKernel : IKernel
{
    /// <summary>The most rows <see cref="MultiplierSolver.Auto"/> solves densely when the block solve does not apply.</summary>
    public const int DenseLimit = 1500;

    private readonly LoopProgram program;
    private readonly double tolerance;
    private readonly IFormLoops loops;
    private readonly NetworkRows rows;
    private readonly CompiledObservable potential;
    private readonly double[] potentialValues;
    private readonly double[] u;
    private readonly double[] b;
    private readonly int[] rangeForm;
    private readonly int[] rangeStart;
    private readonly int[] rangeCount;
    private readonly double[] groupInverse;

    // Block elimination: the rows scaled to the unit-diagonal form the §6.1 solver takes. When
    // each layer's neurons share one mass the scaled W is the rows' source partials times a
    // per-row factor (S), and the solver reads them where they lie; else W is written out.
    private readonly LayeredNetwork? sharedPartials;
    private readonly LayeredBlockSolver? sharedSolver;
    private (LayeredNetwork Network, LayeredBlockSolver Solver, double[][] Weights)? copied;
    private bool uniformLayers;
    private readonly double[] inverseScale = [];
    private readonly double[] rootInverse;

    // The back substitution takes the accelerations along (one pass over each layer's rows for
    // both) when every weight is private and no scalar is a neuron's output.
    private readonly bool accelerateInBackSubstitution;
    private readonly double[] backProduct = [];

    private readonly ConjugateGradientSolver? gradients;
    private readonly double[] dense = [];

    /// <param name="program">The loop IR.</param>
    /// <param name="loops">Its form loops, emitted or interpreted.</param>
    /// <param name="solver">How to solve the multiplier equation.</param>
    /// <param name="tolerance">Conjugate gradients: the relative residual to reach.</param>
    public StructuredKernel(
        LoopProgram program,
        IFormLoops loops,
        MultiplierSolver solver = MultiplierSolver.Auto,
        double tolerance = 1e-13
    )
        : this(program, loops, solver, tolerance, null) { }

    private StructuredKernel(
        LoopProgram program,
        IFormLoops loops,
        MultiplierSolver solver,
        double tolerance,
        CompiledObservable? potential
    )
    {
        this.program = program ?? throw new ArgumentNullException(nameof(program));
        this.tolerance = tolerance;
        this.loops = loops ?? throw new ArgumentNullException(nameof(loops));
        rows = new NetworkRows(
            program.N,
            program.RowOutput,
            program.RowEdgeStart,
            program.EdgeSource,
            program.EdgeWeight,
            program.RowScalarStart,
            program.ScalarCoordinate,
            program.ConstraintNames
        );
        // Compiled (not interpreted): for a small net the potential is a tenth of the call.
        this.potential = potential?.Fresh() ?? new CompiledObservable(program.Potential);
        potentialValues = new double[program.Potential.Outputs.Length];
        u = new double[program.N];
        b = new double[program.R];
        rangeForm = [.. program.Ranges.Select(r => r.Form)];
        rangeStart = [.. program.Ranges.Select(r => r.Start)];
        rangeCount = [.. program.Ranges.Select(r => r.Count)];
        groupInverse = new double[program.MassGroupCount];
        Array.Fill(groupInverse, double.NaN);
        rootInverse = new double[program.R];
        var layeredShape = IsLayered(program);
        Solver = solver switch
        {
            MultiplierSolver.Auto when layeredShape => MultiplierSolver.Block,
            MultiplierSolver.Auto => program.R <= DenseLimit
                ? MultiplierSolver.Dense
                : MultiplierSolver.ConjugateGradient,
            MultiplierSolver.Block when !layeredShape => throw new ArgumentException(
                "the block solve needs a feedforward network whose rows come layer by layer, each fed by the whole layer before"
            ),
            _ => solver,
        };
        switch (Solver)
        {
            case MultiplierSolver.Block:
                var sizes = program.LayerSizes;
                var layerStart = 0;
                var partials = new List<ArraySegment<double>>();
                for (var l = 1; l < sizes.Length; l++)
                {
                    layerStart += sizes[l - 1];
                    var first = program.RowEdgeStart[layerStart];
                    partials.Add(new ArraySegment<double>(rows.EdgeSourcePartial, first, sizes[l] * sizes[l - 1]));
                }
                sharedPartials = new LayeredNetwork(sizes, partials, 1, 1);
                sharedSolver = new LayeredBlockSolver(sharedPartials);
                inverseScale = new double[program.R];
                accelerateInBackSubstitution =
                    rows.HasPrivateWeights && !program.ScalarCoordinate.Intersect(program.RowOutput).Any();
                backProduct = new double[sizes.Max()];
                break;
            case MultiplierSolver.Dense:
                dense = new double[program.R * program.R];
                break;
            case MultiplierSolver.ConjugateGradient:
                gradients = new ConjugateGradientSolver(rows, tolerance);
                break;
        }
    }

    /// <summary>Another instance (kernels keep scratch space: parallel runs need one each), no recompilation.</summary>
    public StructuredKernel Fresh() =>
        new(program, loops is LoopInterpreter ? new LoopInterpreter(program) : loops, Solver, tolerance, potential);

    /// <summary>The solver in use (<see cref="MultiplierSolver.Auto"/> resolved).</summary>
    public MultiplierSolver Solver { get; }

    /// <summary>Conjugate gradients: the iterations of the last solve; 0 otherwise.</summary>
    public int LastIterations => gradients?.Iterations ?? 0;

    /// <summary>Conjugate gradients: the relative residual the last solve reached; 0 otherwise.</summary>
    public double LastResidual => gradients?.RelativeResidual ?? 0;

    /// <summary>Whether <see cref="PhaseTicks"/> is kept (a profile for the bench; off in runs).</summary>
    public bool Profiling { get; set; }

    /// <summary>
    /// Stopwatch ticks spent per phase: the potential, u, the form loops, b (with the block
    /// solve's scaled rows), the solve, the accelerations (for the block solve with private
    /// weights: the factor and forward sweep, then the back substitution with the accelerations).
    /// </summary>
    public long[] PhaseTicks { get; } = new long[6];

    private long mark;

    private void Lap(int phase)
    {
        if (Profiling)
        {
            var now = System.Diagnostics.Stopwatch.GetTimestamp();
            PhaseTicks[phase] += now - mark;
            mark = now;
        }
    }

    /// <summary>The rows' structure and last values.</summary>
    public NetworkRows Rows => rows;

    public int CoordinateCount => program.N;
    public int ConstraintCount => program.R;
    public int ParameterCount => program.ParameterNames.Length;
    public int SignalCount => program.SignalInputs.Length;

    /// <summary>
    /// Whether the rows are a strictly layered feedforward network: layer 0 without edges, every
    /// row of layer l fed by each output of layer l - 1 in order, and nothing else.
    /// </summary>
    public static bool IsLayered(LoopProgram p)
    {
        var sizes = p.LayerSizes;
        if (sizes.Length < 2 || sizes.Sum() != p.R)
        {
            return false;
        }
        var offset = 0;
        for (var l = 0; l < sizes.Length; l++)
        {
            for (var i = 0; i < sizes[l]; i++)
            {
                var j = offset + i;
                var edges = p.RowEdgeStart[j + 1] - p.RowEdgeStart[j];
                if (edges != (l == 0 ? 0 : sizes[l - 1]))
                {
                    return false;
                }
                for (var k = 0; k < edges; k++)
                {
                    if (p.EdgeSource[p.RowEdgeStart[j] + k] != p.RowOutput[offset - sizes[l - 1] + k])
                    {
                        return false;
                    }
                }
            }
            offset += sizes[l];
        }
        return true;
    }

    public void Evaluate(
        double t,
        ReadOnlySpan<double> q,
        ReadOnlySpan<double> qdot,
        ReadOnlySpan<double> parameters,
        ReadOnlySpan<double> signals,
        Span<double> qddot,
        Span<double> lambdaNormalized,
        Span<double> g,
        Span<double> gdot,
        out double varpi
    )
    {
        if (Profiling)
        {
            mark = System.Diagnostics.Stopwatch.GetTimestamp();
        }
        // The potential: varpi, varpi'/varpi, the masses, V_q and the signal slots (straight-line).
        potential.Evaluate(t, q, qdot, parameters, signals, potentialValues);
        varpi = potentialValues[LoopProgram.VarpiOutput];
        var rate = potentialValues[LoopProgram.RateOutput];
        // The masses are constants of the parameters: spread over the coordinates when they change.
        var inverse = rows.InverseMass;
        var massesChanged = false;
        for (var k = 0; k < groupInverse.Length; k++)
        {
            var m = 1 / potentialValues[program.MassOutput + k];
            massesChanged |= !m.Equals(groupInverse[k]);
            groupInverse[k] = m;
        }
        if (massesChanged)
        {
            var group = program.MassGroup;
            for (var i = 0; i < inverse.Length; i++)
            {
                inverse[i] = groupInverse[group[i]];
            }
            for (var j = 0; j < rootInverse.Length; j++)
            {
                rootInverse[j] = Math.Sqrt(inverse[rows.RowOutput[j]]);
            }
            uniformLayers = Solver == MultiplierSolver.Block && UniformLayers();
        }

        Lap(0);
        // u = M^-1 f~ = -(varpi'/varpi) qdot - M^-1 V_q (equations.md §3).
        TensorPrimitives.Multiply(qdot[..u.Length], -rate, u);
        var gradient = program.GradientCoordinates;
        for (var k = 0; k < gradient.Length; k++)
        {
            var i = gradient[k];
            u[i] -= potentialValues[program.GradientOutput + k] * inverse[i];
        }

        Lap(1);
        // The rows: G, Gdot, gamma and the entries of G_q, one loop per form.
        loops.Evaluate(
            rows,
            rangeForm,
            rangeStart,
            rangeCount,
            program.RowSignalStart,
            t,
            q,
            qdot,
            u,
            parameters,
            potentialValues.AsSpan(program.SignalOutput)
        );

        Lap(2);
        // b = G_q M^-1 f~ + gamma (MULT), then A lambda~ = b (the block solve assembles b as it
        // scales the rows: one pass over the edges).
        if (Solver == MultiplierSolver.Block)
        {
            SolveLayered(t, lambdaNormalized, qddot[..u.Length]);
        }
        else
        {
            for (var j = 0; j < b.Length; j++)
            {
                b[j] = rows.Gamma[j] + rows.RowProduct(j, u);
            }
            Lap(3);
            Solve(t, lambdaNormalized);
        }

        // qddot = M^-1 (f~ - G_q' lambda~) = u - M^-1 G_q' lambda~ (EL).
        if (!(Solver == MultiplierSolver.Block && accelerateInBackSubstitution))
        {
            Lap(4);
            rows.Accelerations(lambdaNormalized, u, qddot[..u.Length]);
        }
        rows.G.CopyTo(g);
        rows.Gdot.CopyTo(gdot);
        Lap(5);
    }

    private void Solve(double t, Span<double> lambda)
    {
        try
        {
            switch (Solver)
            {
                case MultiplierSolver.Dense:
                    rows.AssembleDense(dense);
                    var pivot = DenseCholesky.Factor(dense, program.R);
                    if (pivot >= 0)
                    {
                        throw Singular(t, pivot);
                    }
                    b.CopyTo(lambda);
                    DenseCholesky.Solve(dense, program.R, lambda);
                    break;
                default:
                    gradients!.Solve(t, b, lambda);
                    break;
            }
        }
        catch (NumericalFailure e)
            when (e.Quantity.StartsWith("A", StringComparison.Ordinal) && Solver != MultiplierSolver.Dense)
        {
            // Every solver reports a singular system the same way, naming where it broke.
            throw new NumericalFailure(t, e.Quantity, $"{PivotMessage} [{Solver}: {e.Message}]");
        }
    }

    /// <summary>The message every solver gives for a multiplier matrix that is not positive definite.</summary>
    public const string PivotMessage =
        "non-positive pivot of the multiplier matrix G_q H^-1 G_q' (constraints dependent)";

    private NumericalFailure Singular(double t, int row) =>
        new(t, $"A[{row},{row}] ({rows.Describe(row)})", PivotMessage);

    /// <summary>Whether each layer's neurons share one mass (so 1/sqrt(m) is one number per layer).</summary>
    private bool UniformLayers()
    {
        var j = 0;
        foreach (var size in program.LayerSizes)
        {
            for (var i = 1; i < size; i++)
            {
                if (!rootInverse[j + i].Equals(rootInverse[j]))
                {
                    return false;
                }
            }
            j += size;
        }
        return true;
    }

    /// <summary>The network with W written out, for layers whose neurons differ in mass (made when first needed).</summary>
    private (LayeredNetwork Network, LayeredBlockSolver Solver, double[][] Weights) Copied()
    {
        if (copied is null)
        {
            var sizes = program.LayerSizes;
            double[][] weights =
            [
                .. Enumerable.Range(1, sizes.Length - 1).Select(l => new double[sizes[l] * sizes[l - 1]]),
            ];
            var network = new LayeredNetwork(sizes, weights, 1, 1);
            Array.Fill(network.SigmaPrime, 1.0);
            copied = (network, new LayeredBlockSolver(network), weights);
        }
        return copied.Value;
    }

    /// <summary>
    /// §6.1 with per-neuron masses and coefficients: with Q = diag(p_j / sqrt(m_j)) (p_j = dG^j/dx_j),
    /// Q^-1 A Q^-1 = (I + What)(I + What)' + Dhat, What = Q^-1 E M_x^-1/2 (E: the edge entries on
    /// neuron columns) and Dhat = Q^-1 D Q^-1 (D: weights and scalars); that is the unit-mass
    /// network the block solver factors, with S W = -What. When each layer's neurons share one
    /// mass, What's row j is the row's source partials times -a_j r_{l-1} / (p_j r_l) (a_j =
    /// dphi/da_j, r = 1/sqrt(m)): S carries that factor and W is the partials where the form
    /// loops left them. Else W is written out with S = 1. b_j and D_j come from the sums the
    /// form loops took.
    /// </summary>
    private void SolveLayered(double t, Span<double> lambda, Span<double> qddot)
    {
        var (net, block, weights) = uniformLayers ? (sharedPartials!, sharedSolver!, null) : Copied();
        ScaleRows(t, net, weights, lambda);
        Lap(3);
        try
        {
            if (accelerateInBackSubstitution)
            {
                // The forward sweep of lambda = Q^-1 b taken along with the factorization.
                block.Factor(t, lambda);
            }
            else
            {
                block.Factor(t);
            }
        }
        catch (NumericalFailure e) when (e.Quantity.StartsWith("A", StringComparison.Ordinal))
        {
            throw new NumericalFailure(t, e.Quantity, $"{PivotMessage} [block: {e.Message}]");
        }
        if (!accelerateInBackSubstitution)
        {
            block.Solve(lambda, lambda);
            for (var k = 0; k < inverseScale.Length; k++)
            {
                lambda[k] *= inverseScale[k];
            }
            return;
        }
        Lap(4);
        BackSubstituteAccelerating(block, lambda, qddot);
    }

    /// <summary>
    /// b, the scaled D and S (or W written out), and lambda = Q^-1 b, the block solve's
    /// right-hand side. A method of its own: a small frame, whatever the callers keep live.
    /// </summary>
    private void ScaleRows(double t, LayeredNetwork net, double[][]? weights, Span<double> lambda)
    {
        var inverse = rows.InverseMass;
        var sizes = program.LayerSizes;
        // The arrays in locals: the loop stores into arrays, so fields would be reloaded.
        int[] edgeStart = rows.RowEdgeStart,
            scalarStart = rows.RowScalarStart,
            scalarCoordinate = rows.ScalarCoordinate,
            output = rows.RowOutput;
        double[] sourcePartial = rows.EdgeSourcePartial,
            outputPartial = rows.OutputPartial,
            sumPartial = rows.SumPartial,
            gamma = rows.Gamma,
            edgeProduct = rows.EdgeProduct,
            edgeWeightMass = rows.EdgeWeightMass,
            scalarPartial = rows.ScalarPartial,
            d = net.D,
            slope = net.SigmaPrime,
            u = this.u,
            b = this.b,
            rootInverse = this.rootInverse,
            inverseScale = this.inverseScale;
        var j = 0;
        for (var l = 0; l < sizes.Length; l++)
        {
            var w = l == 0 || weights is null ? null : weights[l - 1];
            var previous = l == 0 ? 0 : j - sizes[l - 1];
            for (var i = 0; i < sizes[l]; i++, j++)
            {
                var p = outputPartial[j];
                if (p == 0 || !double.IsFinite(p))
                {
                    // The row's own coefficient vanishes: the block elimination has no pivot there.
                    throw new NumericalFailure(
                        t,
                        $"A[{j},{j}] ({rows.Describe(j)})",
                        $"{PivotMessage} [block: dG/dx = {p:R} there; the dense or cg solver may still apply]"
                    );
                }
                // 1/Q_jj = sqrt(m_j) / p_j: the scaling's divisions, once per row.
                var reciprocal = 1 / (p * rootInverse[j]);
                inverseScale[j] = reciprocal;
                var a = sumPartial[j];
                if (l > 0)
                {
                    if (w is null)
                    {
                        slope[j] = -a * rootInverse[previous] * reciprocal;
                    }
                    else
                    {
                        var first = edgeStart[j];
                        var count = edgeStart[j + 1] - first;
                        SmallDense.ScaledProduct(
                            -a * reciprocal,
                            sourcePartial.AsSpan(first, count),
                            rootInverse.AsSpan(previous, count),
                            w.AsSpan(i * count, count)
                        );
                    }
                }
                // b_j and D_j from the sums the form loops took over the edges.
                var bj = gamma[j] + p * u[output[j]] + a * edgeProduct[j];
                var dj = a * a * edgeWeightMass[j];
                for (var k = scalarStart[j]; k < scalarStart[j + 1]; k++)
                {
                    var gs = scalarPartial[k];
                    var c = scalarCoordinate[k];
                    bj += gs * u[c];
                    dj += gs * gs * inverse[c];
                }
                b[j] = bj;
                d[j] = dj * (reciprocal * reciprocal);
                lambda[j] = bj * reciprocal;
            }
        }
    }

    /// <summary>
    /// From the outputs down: a layer's multipliers, then its rows' accelerations, whose sums
    /// into their sources are the next layer's z = W' S lambda (scaled by the sources'
    /// M^-1/2): the solver's own pass over the rows is not needed.
    /// </summary>
    private void BackSubstituteAccelerating(LayeredBlockSolver block, Span<double> lambda, Span<double> qddot)
    {
        var sizes = program.LayerSizes;
        var output = rows.RowOutput;
        rows.BeginAccelerations(qddot);
        var end = program.R;
        for (var l = sizes.Length - 1; l >= 0; l--)
        {
            var start = end - sizes[l];
            var z = backProduct.AsSpan(0, sizes[l]);
            for (var i = 0; i < z.Length; i++)
            {
                // -(G_q' lambda) at the layer's outputs so far: the rows of layer l + 1 only.
                z[i] = l == sizes.Length - 1 ? 0 : rootInverse[start + i] * qddot[output[start + i]];
            }
            var layer = lambda[start..end];
            block.BackSubstitute(l, z, layer);
            for (var i = 0; i < layer.Length; i++)
            {
                layer[i] *= inverseScale[start + i];
            }
            rows.AccelerateRows(start, end, lambda, u, qddot);
            end = start;
        }
        rows.EndAccelerations(u, qddot);
    }
}
