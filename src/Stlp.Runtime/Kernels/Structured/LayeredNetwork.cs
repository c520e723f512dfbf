using System.Numerics.Tensors;

namespace Stlp.Runtime.Kernels.Structured;

/// <summary>
/// A layered network as data, for the multiplier matrix of equations.md §6.1: layers 0 (inputs,
/// clamped) to L, dense row-major weights W_l (n_l x n_{l-1}) into each layer l &gt;= 1, uniform
/// masses m_x (neurons) and m_W (weights), and per evaluation the slopes sigma'_j and the
/// diagonal d_j = sigma'_j^2 sum_b x_b^2 (<see cref="ComputeD"/>, or filled by the caller).
/// Neurons are numbered layer by layer (offset of layer l plus the index within it). Then
/// A = (1/m_x) T T' + (1/m_W) D with T = I - S W, and <see cref="Multiply"/> applies it in
/// O(edges) without forming it. Not thread-safe: the product uses an internal buffer.
/// </summary>
public sealed class LayeredNetwork : IMultiplierOperator
{
    private readonly int[] sizes;
    private readonly int[] offsets;
    private readonly ArraySegment<double>[] weights;
    private readonly double[] scratch;

    /// <param name="layerSizes">n_0 (inputs), n_1, ..., n_L; at least two layers.</param>
    /// <param name="weights">W_1 ... W_L, W_l row-major n_l x n_{l-1} (held by reference: the
    /// caller may change the values between evaluations).</param>
    public LayeredNetwork(IReadOnlyList<int> layerSizes, IReadOnlyList<double[]> weights, double massX, double massW)
        : this(
            layerSizes,
            weights is null
                ? throw new ArgumentNullException(nameof(weights))
                :
                [
                    .. weights.Select(w => new ArraySegment<double>(
                        w ?? throw new ArgumentNullException(nameof(weights))
                    )),
                ],
            massX,
            massW
        ) { }

    /// <param name="layerSizes">n_0 (inputs), n_1, ..., n_L; at least two layers.</param>
    /// <param name="weights">W_1 ... W_L as parts of arrays, W_l row-major n_l x n_{l-1} (held by
    /// reference: a kernel can hand over the rows' edge partials where they lie, without a copy).</param>
    public LayeredNetwork(
        IReadOnlyList<int> layerSizes,
        IReadOnlyList<ArraySegment<double>> weights,
        double massX,
        double massW
    )
    {
        ArgumentNullException.ThrowIfNull(layerSizes);
        ArgumentNullException.ThrowIfNull(weights);
        if (layerSizes.Count < 2)
        {
            throw new ArgumentException(
                "a layered network needs an input layer and at least one more",
                nameof(layerSizes)
            );
        }
        if (weights.Count != layerSizes.Count - 1)
        {
            throw new ArgumentException(
                $"expected {layerSizes.Count - 1} weight matrices, got {weights.Count}",
                nameof(weights)
            );
        }
        sizes = [.. layerSizes];
        offsets = new int[sizes.Length + 1];
        for (var l = 0; l < sizes.Length; l++)
        {
            if (sizes[l] <= 0)
            {
                throw new ArgumentException($"layer {l} has size {sizes[l]}", nameof(layerSizes));
            }
            offsets[l + 1] = offsets[l] + sizes[l];
        }
        this.weights = new ArraySegment<double>[sizes.Length - 1];
        for (var l = 1; l < sizes.Length; l++)
        {
            var w = weights[l - 1];
            if (w.Array is null || w.Count != sizes[l] * sizes[l - 1])
            {
                throw new ArgumentException(
                    $"W_{l} has {w.Count} entries, expected {sizes[l]} x {sizes[l - 1]}",
                    nameof(weights)
                );
            }
            this.weights[l - 1] = w;
            EdgeCount += w.Count;
        }
        NeuronCount = offsets[sizes.Length];
        SigmaPrime = new double[NeuronCount];
        D = new double[NeuronCount];
        scratch = new double[NeuronCount];
        SetMasses(massX, massW);
    }

    /// <summary>L + 1: the number of layers, inputs included.</summary>
    public int LayerCount => sizes.Length;

    public int NeuronCount { get; }

    /// <summary>The dimension of A: <see cref="NeuronCount"/>.</summary>
    int IMultiplierOperator.Size => NeuronCount;

    /// <summary>Layer and index within it of neuron j.</summary>
    public string Describe(int j)
    {
        var l = 0;
        while (l + 1 < LayerCount && Offset(l + 1) <= j)
        {
            l++;
        }
        return $"layer {l}, neuron {j - Offset(l)}";
    }

    /// <summary>The number of weights (edges).</summary>
    public int EdgeCount { get; }

    public double MassX { get; private set; }

    public double MassW { get; private set; }

    /// <summary>sigma'_j per neuron (entries of the input layer are ignored).</summary>
    public double[] SigmaPrime { get; }

    /// <summary>d_j per neuron (entries of the input layer are ignored: inputs have d = 0).</summary>
    public double[] D { get; }

    public int Size(int layer) => sizes[layer];

    public int Offset(int layer) => offsets[layer];

    /// <summary>W_l, row-major n_l x n_{l-1}, for 1 &lt;= l &lt;= L.</summary>
    public ArraySegment<double> Weights(int layer) => weights[layer - 1];

    public void SetMasses(double massX, double massW)
    {
        if (!(massX > 0) || !double.IsFinite(massX))
        {
            throw new ArgumentOutOfRangeException(nameof(massX), massX, "the neuron mass must be positive and finite");
        }
        if (!(massW > 0) || !double.IsFinite(massW))
        {
            throw new ArgumentOutOfRangeException(nameof(massW), massW, "the weight mass must be positive and finite");
        }
        MassX = massX;
        MassW = massW;
    }

    /// <summary>Fills <see cref="D"/> from the neuron values: d_j = sigma'_j^2 sum_{b in in(j)} x_b^2.</summary>
    public void ComputeD(ReadOnlySpan<double> x)
    {
        D.AsSpan(0, sizes[0]).Clear();
        for (var l = 1; l < sizes.Length; l++)
        {
            var source = x.Slice(offsets[l - 1], sizes[l - 1]);
            var squares = TensorPrimitives.Dot(source, source);
            for (var i = 0; i < sizes[l]; i++)
            {
                var s = SigmaPrime[offsets[l] + i];
                D[offsets[l] + i] = s * s * squares;
            }
        }
    }

    /// <summary>
    /// result = A v in O(edges): u = T' v (one backward pass along the edges), T u (one forward
    /// pass), scaled by 1/m_x, plus D v / m_W. <paramref name="result"/> must not overlap
    /// <paramref name="v"/>.
    /// </summary>
    public void Multiply(ReadOnlySpan<double> v, Span<double> result)
    {
        var u = scratch.AsSpan();
        v.CopyTo(u);
        for (var l = sizes.Length - 1; l >= 1; l--)
        {
            var w = weights[l - 1];
            int n = sizes[l],
                m = sizes[l - 1],
                o = offsets[l];
            var target = u.Slice(offsets[l - 1], m);
            for (var i = 0; i < n; i++)
            {
                var f = SigmaPrime[o + i] * v[o + i];
                if (f != 0)
                {
                    TensorPrimitives.MultiplyAdd(w.AsSpan(i * m, m), -f, target, target);
                }
            }
        }
        double invX = 1 / MassX,
            invW = 1 / MassW;
        for (var j = 0; j < sizes[0]; j++)
        {
            result[j] = u[j] * invX;
        }
        for (var l = 1; l < sizes.Length; l++)
        {
            var w = weights[l - 1];
            int n = sizes[l],
                m = sizes[l - 1],
                o = offsets[l];
            var source = u.Slice(offsets[l - 1], m);
            for (var i = 0; i < n; i++)
            {
                var j = o + i;
                var tu = u[j] - SigmaPrime[j] * TensorPrimitives.Dot(w.AsSpan(i * m, m), source);
                result[j] = tu * invX + D[j] * invW * v[j];
            }
        }
    }

    /// <summary>The diagonal of A: (1 + sigma'_j^2 |W_j|^2)/m_x + d_j/m_W (1/m_x for inputs).</summary>
    public void Diagonal(Span<double> diagonal)
    {
        double invX = 1 / MassX,
            invW = 1 / MassW;
        diagonal[..sizes[0]].Fill(invX);
        for (var l = 1; l < sizes.Length; l++)
        {
            var w = weights[l - 1];
            int n = sizes[l],
                m = sizes[l - 1],
                o = offsets[l];
            for (var i = 0; i < n; i++)
            {
                var row = w.AsSpan(i * m, m);
                var s = SigmaPrime[o + i];
                diagonal[o + i] = (1 + s * s * TensorPrimitives.Dot(row, row)) * invX + D[o + i] * invW;
            }
        }
    }

    /// <summary>
    /// Writes A densely (N x N row-major) from its block tridiagonal form:
    /// A_00 = I/m_x, A_ll = (I + S_l W_l W_l' S_l)/m_x + D_l/m_W, A_{l,l-1} = -S_l W_l/m_x.
    /// For the dense reference solve; costs sum_l n_l^2 n_{l-1}.
    /// </summary>
    public void AssembleDense(Span<double> a)
    {
        var nn = NeuronCount;
        a[..(nn * nn)].Clear();
        double invX = 1 / MassX,
            invW = 1 / MassW;
        for (var j = 0; j < sizes[0]; j++)
        {
            a[j * nn + j] = invX;
        }
        for (var l = 1; l < sizes.Length; l++)
        {
            var w = weights[l - 1];
            int n = sizes[l],
                m = sizes[l - 1],
                o = offsets[l],
                op = offsets[l - 1];
            for (var i = 0; i < n; i++)
            {
                var rowI = w.AsSpan(i * m, m);
                var si = SigmaPrime[o + i];
                for (var j = 0; j <= i; j++)
                {
                    var v = si * SigmaPrime[o + j] * TensorPrimitives.Dot(rowI, w.AsSpan(j * m, m)) * invX;
                    a[(o + i) * nn + o + j] = v;
                    a[(o + j) * nn + o + i] = v;
                }
                a[(o + i) * nn + o + i] += invX + D[o + i] * invW;
                for (var k = 0; k < m; k++)
                {
                    var v = -si * rowI[k] * invX;
                    a[(o + i) * nn + op + k] = v;
                    a[(op + k) * nn + o + i] = v;
                }
            }
        }
    }
}
