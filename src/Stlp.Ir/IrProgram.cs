namespace Stlp.Ir;

/// <summary>
/// The intermediate representation: the contract between the F# derivation and the C# emitter,
/// interpreter and runtime. Plain data: numbered inputs, a straight-line instruction list in
/// topological order over numbered temporaries (every distinct subexpression once, across all
/// outputs), numbered outputs, and the names for humans.
/// </summary>
/// <param name="ModelName">The model's name, for headers and messages.</param>
/// <param name="CoordinateNames">The coordinates' user names, in the order of q.</param>
/// <param name="ConstraintNames">The constraints' user names, in the order of G and lambda.</param>
/// <param name="ParameterNames">The parameters' user names, in the order of p.</param>
/// <param name="ParameterDefaults">The parameters' values in the model, in the order of p.</param>
/// <param name="SignalInputs">The signals the runtime supplies, in the order of s.</param>
/// <param name="Instructions">The straight-line code; temporary i is the result of instruction i.</param>
/// <param name="HNorm">H~ = H / varpi: its nonzero entries (both triangles); diagonal when <paramref name="IsHDiagonal"/>.</param>
/// <param name="IsHDiagonal">Whether H~ is diagonal (F does not depend on velocities).</param>
/// <param name="FNorm">f~, one temporary per coordinate.</param>
/// <param name="Gq">G_q: Row = constraint, Column = coordinate.</param>
/// <param name="Gamma">gamma, one temporary per constraint; only when H is not diagonal (otherwise gamma is part of b).</param>
/// <param name="G">The constraint residuals G, one temporary per constraint.</param>
/// <param name="Gdot">Their time derivatives Gdot = G_t + G_q qdot, one temporary per constraint.</param>
/// <param name="Varpi">The temporary holding the dissipation varpi(t).</param>
/// <param name="A">When H is diagonal: A = G_q H~^-1 G_q' (upper triangle, Row &lt;= Column); empty otherwise.</param>
/// <param name="B">When H is diagonal: b = G_q H~^-1 f~ + gamma, one temporary per constraint; empty otherwise.</param>
public sealed record IrProgram(
    string ModelName,
    string[] CoordinateNames,
    string[] ConstraintNames,
    string[] ParameterNames,
    double[] ParameterDefaults,
    SignalInput[] SignalInputs,
    Instruction[] Instructions,
    IrEntry[] HNorm,
    bool IsHDiagonal,
    int[] FNorm,
    IrEntry[] Gq,
    int[] Gamma,
    int[] G,
    int[] Gdot,
    int Varpi,
    IrEntry[] A,
    int[] B
) : IKernelShape
{
    /// <summary>The number of coordinates n.</summary>
    public int N => CoordinateNames.Length;

    /// <summary>The number of constraints r.</summary>
    public int R => ConstraintNames.Length;

    /// <summary>
    /// Every output temporary, in the order H~, f~, G_q, gamma, G, Gdot, varpi, A, b (a temporary
    /// may appear more than once).
    /// </summary>
    public IEnumerable<int> OutputSlots =>
        HNorm
            .Select(e => e.Slot)
            .Concat(FNorm)
            .Concat(Gq.Select(e => e.Slot))
            .Concat(Gamma)
            .Concat(G)
            .Concat(Gdot)
            .Append(Varpi)
            .Concat(A.Select(e => e.Slot))
            .Concat(B);
}
