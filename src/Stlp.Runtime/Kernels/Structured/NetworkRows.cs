using System.Numerics;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;

namespace Stlp.Runtime.Kernels.Structured;

/// <summary>
/// The rows of G_q of a network model as data (docs/equations.md §6): row j (a neuron's
/// constraint) touches its output x_j, the sources and weights of its in-edges (CSR), and its
/// coordinate scalars (bias, slack). The structure is fixed; the values (<see cref="OutputPartial"/>,
/// the edge and scalar partials, G, Gdot, gamma) are written by an <see cref="IFormLoops"/> at each
/// evaluation. With the inverse masses, this is the multiplier matrix A = G_q M^-1 G_q' without
/// forming it: <see cref="Multiply"/> is two passes over the rows, O(edges).
/// </summary>
public sealed class NetworkRows : IMultiplierOperator
{
    /// <param name="coordinateCount">n.</param>
    /// <param name="rowOutput">Each row's output coordinate.</param>
    /// <param name="rowEdgeStart">CSR offsets of the rows' edges (r + 1 entries).</param>
    /// <param name="edgeSource">Each edge's source coordinate.</param>
    /// <param name="edgeWeight">Each edge's weight coordinate.</param>
    /// <param name="rowScalarStart">CSR offsets of the rows' scalars (r + 1 entries).</param>
    /// <param name="scalarCoordinate">The scalar coordinates.</param>
    /// <param name="rowNames">The constraints' names, for messages.</param>
    public NetworkRows(
        int coordinateCount,
        int[] rowOutput,
        int[] rowEdgeStart,
        int[] edgeSource,
        int[] edgeWeight,
        int[] rowScalarStart,
        int[] scalarCoordinate,
        string[] rowNames
    )
    {
        Validate(coordinateCount, rowOutput, rowEdgeStart, edgeSource, edgeWeight, rowScalarStart, scalarCoordinate);
        CoordinateCount = coordinateCount;
        RowOutput = rowOutput;
        RowEdgeStart = rowEdgeStart;
        EdgeSource = edgeSource;
        EdgeWeight = edgeWeight;
        RowScalarStart = rowScalarStart;
        ScalarCoordinate = scalarCoordinate;
        RowNames = rowNames;
        var r = rowOutput.Length;
        G = new double[r];
        Gdot = new double[r];
        Gamma = new double[r];
        OutputPartial = new double[r];
        SumPartial = new double[r];
        ScalarPartial = new double[scalarCoordinate.Length];
        EdgeWeightPartial = new double[edgeSource.Length];
        EdgeSourcePartial = new double[edgeSource.Length];
        EdgeProduct = new double[r];
        EdgeWeightMass = new double[r];
        InverseMass = new double[coordinateCount];
        scratch = new double[coordinateCount];
        shared = SharedCoordinates(coordinateCount, rowOutput, edgeSource, edgeWeight, scalarCoordinate);
        RowWeightStart = ConsecutiveStarts(rowEdgeStart, edgeWeight);
        RowSourceStart = ConsecutiveStarts(rowEdgeStart, edgeSource);
        SumValue = new double[r];
        SumRate = new double[r];
        SumCurvature = new double[r];
    }

    /// <summary>Per row, a_j = the sum over its in-edges, kept by form loops that evaluate several rows at once.</summary>
    public double[] SumValue { get; }

    /// <summary>Per row, the rate of a_j (as <see cref="SumValue"/>).</summary>
    public double[] SumRate { get; }

    /// <summary>Per row, the second derivative of a_j without accelerations (as <see cref="SumValue"/>).</summary>
    public double[] SumCurvature { get; }

    /// <summary>
    /// Every coordinate below n and the CSR offsets well formed: the loops over the rows (the
    /// form loops and <see cref="Accelerations"/>) check their vectors' lengths once and then
    /// read at these coordinates without a check per access.
    /// </summary>
    private static void Validate(
        int n,
        int[] rowOutput,
        int[] rowEdgeStart,
        int[] edgeSource,
        int[] edgeWeight,
        int[] rowScalarStart,
        int[] scalarCoordinate
    )
    {
        var r = rowOutput.Length;
        if (edgeSource.Length != edgeWeight.Length)
        {
            throw new ArgumentException("the edges' sources and weights differ in number");
        }
        CheckOffsets(rowEdgeStart, r, edgeSource.Length, nameof(rowEdgeStart));
        CheckOffsets(rowScalarStart, r, scalarCoordinate.Length, nameof(rowScalarStart));
        foreach (var c in rowOutput.Concat(edgeSource).Concat(edgeWeight).Concat(scalarCoordinate))
        {
            if ((uint)c >= (uint)n)
            {
                throw new ArgumentException($"coordinate {c} is outside 0..{n - 1}");
            }
        }
    }

    private static void CheckOffsets(int[] start, int rows, int entries, string name)
    {
        if (start.Length != rows + 1 || start[0] != 0 || start[rows] != entries)
        {
            throw new ArgumentException(
                $"{name} is not a CSR offset array over {rows} rows and {entries} entries",
                name
            );
        }
        for (var j = 0; j < rows; j++)
        {
            if (start[j + 1] < start[j])
            {
                throw new ArgumentException($"{name} decreases at row {j}", name);
            }
        }
    }

    /// <summary>
    /// Per row, the coordinate of its first edge's entry when the row's entries are consecutive
    /// coordinates (entry k at start + k), else -1; 0 for a row without edges.
    /// </summary>
    private static int[] ConsecutiveStarts(int[] rowEdgeStart, int[] coordinate)
    {
        var starts = new int[rowEdgeStart.Length - 1];
        for (var j = 0; j < starts.Length; j++)
        {
            var first = rowEdgeStart[j];
            var count = rowEdgeStart[j + 1] - first;
            var start = count == 0 ? 0 : coordinate[first];
            for (var k = 1; k < count && start >= 0; k++)
            {
                if (coordinate[first + k] != start + k)
                {
                    start = -1;
                }
            }
            starts[j] = start;
        }
        return starts;
    }

    /// <summary>
    /// Row j's first weight coordinate when its weights are consecutive in q (edge k's weight at
    /// that plus k), else -1: the network builders lay weights out so, and the form loops and the
    /// accelerations then read them as slices, several at a time, instead of gathering.
    /// </summary>
    public int[] RowWeightStart { get; }

    /// <summary>Row j's first source coordinate when its sources are consecutive in q, else -1 (as <see cref="RowWeightStart"/>).</summary>
    public int[] RowSourceStart { get; }

    /// <summary>Whether row j's weights and sources are both consecutive (see <see cref="RowWeightStart"/>).</summary>
    public bool IsConsecutive(int j) => RowWeightStart[j] >= 0 && RowSourceStart[j] >= 0;

    private readonly double[] scratch;

    /// <summary>
    /// The coordinates that are not a private weight (null when some weight is shared): where
    /// G_q' lambda sums over several rows, or over none. A private weight (one edge's, and nothing
    /// else's) gets its acceleration straight from its one row.
    /// </summary>
    private readonly int[]? shared;

    private static int[]? SharedCoordinates(
        int n,
        int[] rowOutput,
        int[] edgeSource,
        int[] edgeWeight,
        int[] scalarCoordinate
    )
    {
        var uses = new int[n];
        foreach (var c in edgeWeight)
        {
            uses[c]++;
        }
        foreach (var c in edgeWeight)
        {
            if (uses[c] != 1)
            {
                return null;
            }
        }
        foreach (var c in rowOutput.Concat(edgeSource).Concat(scalarCoordinate))
        {
            if (uses[c] > 0)
            {
                return null;
            }
        }
        var isWeight = new bool[n];
        foreach (var c in edgeWeight)
        {
            isWeight[c] = true;
        }
        return [.. Enumerable.Range(0, n).Where(c => !isWeight[c])];
    }

    public int CoordinateCount { get; }
    public int[] RowOutput { get; }
    public int[] RowEdgeStart { get; }
    public int[] EdgeSource { get; }
    public int[] EdgeWeight { get; }
    public int[] RowScalarStart { get; }
    public int[] ScalarCoordinate { get; }
    public string[] RowNames { get; }

    /// <summary>The number of rows r.</summary>
    public int Size => RowOutput.Length;

    /// <summary>The number of edges.</summary>
    public int EdgeCount => EdgeSource.Length;

    // Written by the form loops at each evaluation.
    public double[] G { get; }
    public double[] Gdot { get; }
    public double[] Gamma { get; }

    /// <summary>dG^j/dx_j (the edge from x_j to itself, in a digraph, is an edge).</summary>
    public double[] OutputPartial { get; }

    /// <summary>dphi/da_j, the sum's coefficient: the edges' entries of G_q are it times theirs.</summary>
    public double[] SumPartial { get; }

    public double[] ScalarPartial { get; }

    /// <summary>dpsi/dw of edge e (row j's entry of G_q at w_e is SumPartial[j] times it).</summary>
    public double[] EdgeWeightPartial { get; }

    /// <summary>dpsi/din of edge e (row j's entry at its source is SumPartial[j] times it).</summary>
    public double[] EdgeSourcePartial { get; }

    /// <summary>
    /// Row j's in-edge part of G_q u, sum of dpsi/dw u_w + dpsi/din u_in, for the vector u the form
    /// loops were given (the unconstrained accelerations): b is assembled in the same pass over the edges.
    /// </summary>
    public double[] EdgeProduct { get; }

    /// <summary>Row j's sum of (dpsi/dw)^2 / m_w over its in-edges: its weights' part of the private diagonal.</summary>
    public double[] EdgeWeightMass { get; }

    /// <summary>1/m_i per coordinate, set by the kernel.</summary>
    public double[] InverseMass { get; }

    /// <summary>Row j of G_q dotted with a coordinate vector: (G_q v)_j.</summary>
    public double RowDot(int j, ReadOnlySpan<double> v)
    {
        var edges = 0.0;
        for (var e = RowEdgeStart[j]; e < RowEdgeStart[j + 1]; e++)
        {
            edges += EdgeWeightPartial[e] * v[EdgeWeight[e]] + EdgeSourcePartial[e] * v[EdgeSource[e]];
        }
        var s = OutputPartial[j] * v[RowOutput[j]] + SumPartial[j] * edges;
        for (var k = RowScalarStart[j]; k < RowScalarStart[j + 1]; k++)
        {
            s += ScalarPartial[k] * v[ScalarCoordinate[k]];
        }
        return s;
    }

    /// <summary>
    /// (G_q u)_j for the u the form loops were last given, from their <see cref="EdgeProduct"/>:
    /// no pass over the edges.
    /// </summary>
    public double RowProduct(int j, ReadOnlySpan<double> u)
    {
        var s = OutputPartial[j] * u[RowOutput[j]] + SumPartial[j] * EdgeProduct[j];
        for (var k = RowScalarStart[j]; k < RowScalarStart[j + 1]; k++)
        {
            s += ScalarPartial[k] * u[ScalarCoordinate[k]];
        }
        return s;
    }

    /// <summary>y += alpha G_q' lambda (a coordinate vector), scattered along the rows.</summary>
    public void AddTransposed(ReadOnlySpan<double> lambda, double alpha, Span<double> y)
    {
        // The arrays in locals: the loop stores into y, so fields would be reloaded every edge.
        int[] output = RowOutput,
            edgeStart = RowEdgeStart,
            edgeWeight = EdgeWeight,
            edgeSource = EdgeSource,
            scalarStart = RowScalarStart,
            scalarCoordinate = ScalarCoordinate;
        double[] own = OutputPartial,
            sum = SumPartial,
            weightPartial = EdgeWeightPartial,
            sourcePartial = EdgeSourcePartial,
            scalarPartial = ScalarPartial;
        for (var j = 0; j < output.Length; j++)
        {
            var l = alpha * lambda[j];
            if (l == 0)
            {
                continue;
            }
            y[output[j]] += own[j] * l;
            var la = sum[j] * l;
            for (var e = edgeStart[j]; e < edgeStart[j + 1]; e++)
            {
                y[edgeWeight[e]] += weightPartial[e] * la;
                y[edgeSource[e]] += sourcePartial[e] * la;
            }
            for (var k = scalarStart[j]; k < scalarStart[j + 1]; k++)
            {
                y[scalarCoordinate[k]] += scalarPartial[k] * l;
            }
        }
    }

    /// <summary>
    /// qddot = u - M^-1 G_q' lambda (equations.md §3, EL): one pass over the edges. When every
    /// weight is private (the networks' builders make them so), a weight's entry is written from
    /// its one row and only the other coordinates are accumulated; else G_q' lambda is scattered
    /// into <paramref name="qddot"/> first.
    /// </summary>
    public void Accelerations(ReadOnlySpan<double> lambda, ReadOnlySpan<double> u, Span<double> qddot)
    {
        var inverse = InverseMass;
        if (shared is null)
        {
            qddot.Clear();
            AddTransposed(lambda, -1, qddot);
            for (var i = 0; i < u.Length; i++)
            {
                qddot[i] = u[i] + qddot[i] * inverse[i];
            }
            return;
        }
        BeginAccelerations(qddot);
        AccelerateRows(0, RowOutput.Length, lambda, u, qddot);
        EndAccelerations(u, qddot);
    }

    /// <summary>
    /// Whether every weight is private (one edge's, and nothing else's): then the accelerations
    /// can be taken row range by row range, <see cref="BeginAccelerations"/>,
    /// <see cref="AccelerateRows"/> over the ranges in any order, <see cref="EndAccelerations"/>.
    /// </summary>
    public bool HasPrivateWeights => shared is not null;

    /// <summary>Clears the entries of qddot that rows accumulate into (all but the private weights').</summary>
    public void BeginAccelerations(Span<double> qddot)
    {
        foreach (var c in shared ?? throw new InvalidOperationException("a weight is shared"))
        {
            qddot[c] = 0;
        }
    }

    /// <summary>
    /// Rows start to end of <see cref="Accelerations"/>: each private weight's entry written,
    /// -(G_q' lambda) of the rows accumulated into the other entries (a source's entry then
    /// holds the sum over the rows fed by it taken so far).
    /// </summary>
    public void AccelerateRows(
        int start,
        int end,
        ReadOnlySpan<double> lambda,
        ReadOnlySpan<double> u,
        Span<double> qddot
    )
    {
        if (shared is null)
        {
            throw new InvalidOperationException("a weight is shared");
        }
        var inverse = InverseMass;
        int[] output = RowOutput,
            edgeStart = RowEdgeStart,
            edgeWeight = EdgeWeight,
            edgeSource = EdgeSource,
            scalarStart = RowScalarStart,
            scalarCoordinate = ScalarCoordinate;
        double[] own = OutputPartial,
            sum = SumPartial,
            weightPartial = EdgeWeightPartial,
            sourcePartial = EdgeSourcePartial,
            scalarPartial = ScalarPartial;
        int[] weightStart = RowWeightStart,
            sourceStart = RowSourceStart;
        // Lengths checked once: every coordinate the rows name is below n (the constructor
        // checked), so the loop reads and writes through references without a check per access.
        if (
            u.Length < CoordinateCount
            || qddot.Length < CoordinateCount
            || lambda.Length < output.Length
            || (uint)start > (uint)end
            || end > output.Length
        )
        {
            throw new ArgumentException(
                "u, qddot or lambda is shorter than the rows need, or the range is outside them"
            );
        }
        ref var u0 = ref MemoryMarshal.GetReference(u);
        ref var qddot0 = ref MemoryMarshal.GetReference(qddot);
        ref var inverse0 = ref MemoryMarshal.GetArrayDataReference(inverse);
        ref var weightPartial0 = ref MemoryMarshal.GetArrayDataReference(weightPartial);
        ref var sourcePartial0 = ref MemoryMarshal.GetArrayDataReference(sourcePartial);
        for (var j = start; j < end; j++)
        {
            var l = -lambda[j];
            Unsafe.Add(ref qddot0, output[j]) += own[j] * l;
            var la = sum[j] * l;
            var first = edgeStart[j];
            var count = edgeStart[j + 1] - first;
            int ws = weightStart[j],
                ss = sourceStart[j];
            if (count > 0 && (ws | ss) >= 0)
            {
                AccelerateConsecutive(
                    la,
                    ref Unsafe.Add(ref u0, ws),
                    ref Unsafe.Add(ref inverse0, ws),
                    ref Unsafe.Add(ref qddot0, ws),
                    ref Unsafe.Add(ref qddot0, ss),
                    ref Unsafe.Add(ref weightPartial0, first),
                    ref Unsafe.Add(ref sourcePartial0, first),
                    count
                );
            }
            else if (count > 0 && ws >= 0)
            {
                // Sources elsewhere (a deeper layer's: each neuron's output sits among its weights).
                AccelerateGathered(
                    la,
                    ref Unsafe.Add(ref u0, ws),
                    ref Unsafe.Add(ref inverse0, ws),
                    ref Unsafe.Add(ref qddot0, ws),
                    ref Unsafe.Add(ref weightPartial0, first),
                    ref Unsafe.Add(ref sourcePartial0, first),
                    ref Unsafe.Add(ref MemoryMarshal.GetArrayDataReference(edgeSource), first),
                    ref qddot0,
                    count
                );
            }
            else
            {
                for (var e = first; e < first + count; e++)
                {
                    var w = edgeWeight[e];
                    qddot[w] = u[w] + inverse[w] * (weightPartial[e] * la);
                    qddot[edgeSource[e]] += sourcePartial[e] * la;
                }
            }
            for (var k = scalarStart[j]; k < scalarStart[j + 1]; k++)
            {
                Unsafe.Add(ref qddot0, scalarCoordinate[k]) += scalarPartial[k] * l;
            }
        }
    }

    /// <summary>
    /// A row with consecutive weights and sources: its weights' accelerations written and its
    /// part of -(G_q' lambda) added at its sources, Vector&lt;double&gt;.Count edges per pass. A
    /// method of its own, not inlined: in the row loop, with the row arrays live, its six
    /// references were spilled and reloaded on every pass.
    /// </summary>
    [MethodImpl(MethodImplOptions.NoInlining)]
    private static void AccelerateConsecutive(
        double la,
        ref double uW,
        ref double inverseW,
        ref double qddotW,
        ref double qddotS,
        ref double partialW,
        ref double partialS,
        int count
    )
    {
        AccelerateWeights(la, ref uW, ref inverseW, ref qddotW, ref partialW, count);
        var k = 0;
        if (Vector.IsHardwareAccelerated)
        {
            var vla = new Vector<double>(la);
            for (; k + Vector<double>.Count <= count; k += Vector<double>.Count)
            {
                var at = (nuint)k;
                (Vector.LoadUnsafe(ref qddotS, at) + Vector.LoadUnsafe(ref partialS, at) * vla).StoreUnsafe(
                    ref qddotS,
                    at
                );
            }
        }
        for (; k < count; k++)
        {
            Unsafe.Add(ref qddotS, k) += Unsafe.Add(ref partialS, k) * la;
        }
    }

    /// <summary>
    /// A row with consecutive weights and sources anywhere: the weights' accelerations as in
    /// <see cref="AccelerateConsecutive"/>, the sources' parts added one by one at their indices.
    /// </summary>
    [MethodImpl(MethodImplOptions.NoInlining)]
    private static void AccelerateGathered(
        double la,
        ref double uW,
        ref double inverseW,
        ref double qddotW,
        ref double partialW,
        ref double partialS,
        ref int source,
        ref double qddot0,
        int count
    )
    {
        AccelerateWeights(la, ref uW, ref inverseW, ref qddotW, ref partialW, count);
        for (var k = 0; k < count; k++)
        {
            Unsafe.Add(ref qddot0, Unsafe.Add(ref source, k)) += Unsafe.Add(ref partialS, k) * la;
        }
    }

    /// <summary>
    /// A row's private weights: qddot = u + m^-1 (dG/dw) (-lambda dphi/da), Vector&lt;double&gt;.Count
    /// per pass.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void AccelerateWeights(
        double la,
        ref double uW,
        ref double inverseW,
        ref double qddotW,
        ref double partialW,
        int count
    )
    {
        var k = 0;
        if (Vector.IsHardwareAccelerated)
        {
            var vla = new Vector<double>(la);
            for (; k + Vector<double>.Count <= count; k += Vector<double>.Count)
            {
                var at = (nuint)k;
                (
                    Vector.LoadUnsafe(ref uW, at)
                    + Vector.LoadUnsafe(ref inverseW, at) * (Vector.LoadUnsafe(ref partialW, at) * vla)
                ).StoreUnsafe(ref qddotW, at);
            }
        }
        for (; k < count; k++)
        {
            Unsafe.Add(ref qddotW, k) =
                Unsafe.Add(ref uW, k) + Unsafe.Add(ref inverseW, k) * (Unsafe.Add(ref partialW, k) * la);
        }
    }

    /// <summary>Finishes the accumulated entries: qddot_c = u_c + (accumulated)_c / m_c.</summary>
    public void EndAccelerations(ReadOnlySpan<double> u, Span<double> qddot)
    {
        var inverse = InverseMass;
        foreach (var c in shared ?? throw new InvalidOperationException("a weight is shared"))
        {
            qddot[c] = u[c] + qddot[c] * inverse[c];
        }
    }

    /// <summary>result = A v = G_q M^-1 G_q' v in O(edges): one scatter, one gather.</summary>
    public void Multiply(ReadOnlySpan<double> v, Span<double> result)
    {
        var y = scratch.AsSpan();
        y.Clear();
        AddTransposed(v, 1, y);
        for (var i = 0; i < y.Length; i++)
        {
            y[i] *= InverseMass[i];
        }
        for (var j = 0; j < Size; j++)
        {
            result[j] = RowDot(j, y);
        }
    }

    /// <summary>The diagonal of A: sum over row j's entries of G_jc^2 / m_c (a self-loop adds to the output's entry).</summary>
    public void Diagonal(Span<double> diagonal)
    {
        for (var j = 0; j < Size; j++)
        {
            var own = OutputPartial[j];
            var a = SumPartial[j];
            var s = 0.0;
            for (var e = RowEdgeStart[j]; e < RowEdgeStart[j + 1]; e++)
            {
                var gw = a * EdgeWeightPartial[e];
                s += gw * gw * InverseMass[EdgeWeight[e]];
                var gx = a * EdgeSourcePartial[e];
                if (EdgeSource[e] == RowOutput[j])
                {
                    own += gx;
                }
                else
                {
                    s += gx * gx * InverseMass[EdgeSource[e]];
                }
            }
            for (var k = RowScalarStart[j]; k < RowScalarStart[j + 1]; k++)
            {
                var gs = ScalarPartial[k];
                s += gs * gs * InverseMass[ScalarCoordinate[k]];
            }
            diagonal[j] = s + own * own * InverseMass[RowOutput[j]];
        }
    }

    /// <summary>
    /// The private part D_j: the entries of row j on coordinates no other row touches (its weights
    /// and scalars), sum G_jc^2 / m_c; A = T M_x^-1 T' + diag(D) with T the neuron columns.
    /// </summary>
    public void PrivateDiagonal(Span<double> d)
    {
        for (var j = 0; j < Size; j++)
        {
            var edges = 0.0;
            for (var e = RowEdgeStart[j]; e < RowEdgeStart[j + 1]; e++)
            {
                var gw = EdgeWeightPartial[e];
                edges += gw * gw * InverseMass[EdgeWeight[e]];
            }
            var s = SumPartial[j] * SumPartial[j] * edges;
            for (var k = RowScalarStart[j]; k < RowScalarStart[j + 1]; k++)
            {
                var gs = ScalarPartial[k];
                s += gs * gs * InverseMass[ScalarCoordinate[k]];
            }
            d[j] = s;
        }
    }

    /// <summary>Writes A densely (r x r, row-major): for small systems and the reference solve.</summary>
    public void AssembleDense(Span<double> a)
    {
        var r = Size;
        a[..(r * r)].Clear();
        var column = new double[r];
        var y = scratch.AsSpan();
        // Column k of A is G_q M^-1 (row k of G_q)': O(r nnz), for the sizes the dense solve serves.
        for (var k = 0; k < r; k++)
        {
            y.Clear();
            column.AsSpan().Clear();
            column[k] = 1;
            AddTransposed(column, 1, y);
            for (var i = 0; i < y.Length; i++)
            {
                y[i] *= InverseMass[i];
            }
            for (var j = 0; j < r; j++)
            {
                a[j * r + k] = RowDot(j, y);
            }
        }
    }

    public string Describe(int j) => $"constraint '{RowNames[j]}'";
}

/// <summary>
/// A symmetric positive definite operator, applied without being formed: what conjugate
/// gradients need (the product, the diagonal for Jacobi, and a name for row j in messages).
/// </summary>
public interface IMultiplierOperator
{
    /// <summary>The dimension.</summary>
    int Size { get; }

    /// <summary>result = A v; <paramref name="result"/> must not overlap <paramref name="v"/>.</summary>
    void Multiply(ReadOnlySpan<double> v, Span<double> result);

    /// <summary>The diagonal of A.</summary>
    void Diagonal(Span<double> diagonal);

    /// <summary>What row j is, for messages.</summary>
    string Describe(int j);
}

/// <summary>
/// The per-row work of a structured kernel: for every row of every index set, its form's G, Gdot,
/// gamma and partial derivatives, from the sums over its in-edges. The generated code implements
/// it with one loop per form; the interpreter runs the loop IR's element code row by row.
/// </summary>
public interface IFormLoops
{
    /// <summary>
    /// Fills the rows' values. <paramref name="u"/> is the unconstrained acceleration M^-1 f~,
    /// for <see cref="NetworkRows.EdgeProduct"/>; <paramref name="signalSlots"/> holds, per signal
    /// parameter slot, its value, rate and second derivative (three entries each).
    /// </summary>
    void Evaluate(
        NetworkRows rows,
        int[] rangeForm,
        int[] rangeStart,
        int[] rangeCount,
        int[] rowSignalStart,
        double t,
        ReadOnlySpan<double> q,
        ReadOnlySpan<double> qdot,
        ReadOnlySpan<double> u,
        ReadOnlySpan<double> parameters,
        ReadOnlySpan<double> signalSlots
    );
}
