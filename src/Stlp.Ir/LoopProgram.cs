namespace Stlp.Ir;

/// <summary>
/// A constraint form derived once over index symbols (docs/equations.md §6): straight-line code
/// for one row j of a network, G^j = phi(x_j, a_j, s_j, e_j, t) with a_j the sum over the in-edges.
/// Its inputs are the row's slots: <see cref="InputKind.Coordinate"/> i reads slot value z[i],
/// <see cref="InputKind.Velocity"/> i its rate zdot[i]; parameters and time as usual. Slot 0 is
/// the neuron's output x_j, 1 the sum a_j, 2 the sum's second derivative without accelerations,
/// then the form's coordinate scalars (bias, slack), then two slots per signal parameter (its
/// value e, whose rate is e', and its second derivative e'').
/// </summary>
/// <param name="Key">"form/activation".</param>
/// <param name="Equation">The form as printed, for the emitted comment.</param>
/// <param name="SlotNames">The slots' names, for people.</param>
/// <param name="Instructions">The element code.</param>
/// <param name="G">The residual G^j.</param>
/// <param name="Gdot">Its rate G_t + G_q qdot.</param>
/// <param name="Gamma">gamma^j = G_tt + 2 G_tq qdot + qdot' G_qq qdot (with the Baumgarte terms, if any).</param>
/// <param name="OutputPartial">dphi/dx_j.</param>
/// <param name="SumPartial">dphi/da_j (unused without a sum).</param>
/// <param name="ScalarPartials">dphi/ds for each coordinate scalar.</param>
/// <param name="SignalCount">The number of signal parameters.</param>
/// <param name="HasSum">Whether the form sums over in-edges.</param>
public sealed record FormTemplate(
    string Key,
    string Equation,
    string[] SlotNames,
    Instruction[] Instructions,
    int G,
    int Gdot,
    int Gamma,
    int OutputPartial,
    int SumPartial,
    int[] ScalarPartials,
    int SignalCount,
    bool HasSum
)
{
    /// <summary>The number of coordinate scalars per row.</summary>
    public int ScalarCount => ScalarPartials.Length;
}

/// <summary>
/// The summand of a form's in-edge sum, psi(w, in), derived once: slot 0 is the edge's weight,
/// slot 1 its source; velocities as their rates.
/// </summary>
/// <param name="Equation">The summand as printed.</param>
/// <param name="Instructions">The edge code.</param>
/// <param name="Value">psi.</param>
/// <param name="WeightPartial">dpsi/dw.</param>
/// <param name="SourcePartial">dpsi/din.</param>
/// <param name="Rate">dpsi/dt along the motion.</param>
/// <param name="Curvature">d2psi/dt2 without the accelerations (they enter through G_q qddot).</param>
public sealed record EdgeTemplate(
    string Equation,
    Instruction[] Instructions,
    int Value,
    int WeightPartial,
    int SourcePartial,
    int Rate,
    int Curvature
);

/// <summary>An index set: the rows Start .. Start + Count - 1, all of one form (a layer, or a run of a digraph's rows).</summary>
public sealed record RowRange(int Form, int Start, int Count);

/// <summary>
/// The loop IR of a network model: forms derived once, index sets and edge lists as data, so that
/// one emitted kernel serves every network of the same structure. The constraint rows are the
/// network's neurons; every other quantity (the dissipation, masses, the loss gradient, the signal
/// values the forms read) comes from <see cref="Potential"/>, straight-line code whose size follows
/// the loss and the inputs, not the edges. With H~ = M diagonal, f~ = -(varpi'/varpi) M qdot - V_q.
/// </summary>
/// <param name="ModelName">The model's name.</param>
/// <param name="CoordinateNames">The coordinates, in the order of q.</param>
/// <param name="ConstraintNames">The constraints (rows), in the order of G and lambda.</param>
/// <param name="ParameterNames">The parameters, in the order of p.</param>
/// <param name="ParameterDefaults">Their values in the model.</param>
/// <param name="SignalInputs">The signals the runtime supplies, in the order of s.</param>
/// <param name="Forms">The form templates.</param>
/// <param name="Edge">The summand of the forms' sums (one for all forms that sum), or null.</param>
/// <param name="Ranges">The index sets, covering the rows in order.</param>
/// <param name="RowOutput">Each row's output coordinate x_j.</param>
/// <param name="RowEdgeStart">CSR: row j's edges are RowEdgeStart[j] .. RowEdgeStart[j + 1] - 1.</param>
/// <param name="EdgeSource">Each edge's source coordinate.</param>
/// <param name="EdgeWeight">Each edge's weight coordinate.</param>
/// <param name="RowScalarStart">Row j's coordinate scalars are ScalarCoordinate[RowScalarStart[j] ..].</param>
/// <param name="ScalarCoordinate">The scalar coordinates.</param>
/// <param name="RowSignalStart">Row j's signal parameters are potential signal slots RowSignalStart[j] ...</param>
/// <param name="Potential">Outputs: varpi, varpi'/varpi, the mass groups, the loss gradient entries, then three per signal slot (value, rate, second derivative).</param>
/// <param name="MassGroupCount">The number of distinct masses.</param>
/// <param name="MassGroup">Each coordinate's mass group.</param>
/// <param name="GradientCoordinates">The coordinate of each loss gradient entry V_q.</param>
/// <param name="SignalSlotNames">What each signal slot is, for people.</param>
/// <param name="LayerSizes">A feedforward network's layer sizes (rows layer by layer, inputs first); empty otherwise.</param>
public sealed record LoopProgram(
    string ModelName,
    string[] CoordinateNames,
    string[] ConstraintNames,
    string[] ParameterNames,
    double[] ParameterDefaults,
    SignalInput[] SignalInputs,
    FormTemplate[] Forms,
    EdgeTemplate? Edge,
    RowRange[] Ranges,
    int[] RowOutput,
    int[] RowEdgeStart,
    int[] EdgeSource,
    int[] EdgeWeight,
    int[] RowScalarStart,
    int[] ScalarCoordinate,
    int[] RowSignalStart,
    ObservableProgram Potential,
    int MassGroupCount,
    int[] MassGroup,
    int[] GradientCoordinates,
    string[] SignalSlotNames,
    int[] LayerSizes
) : IKernelShape
{
    /// <summary>The number of coordinates n.</summary>
    public int N => CoordinateNames.Length;

    /// <summary>The number of constraints r.</summary>
    public int R => ConstraintNames.Length;

    /// <summary>The number of edges.</summary>
    public int EdgeCount => EdgeSource.Length;

    /// <summary>Potential output index of varpi.</summary>
    public const int VarpiOutput = 0;

    /// <summary>Potential output index of varpi'/varpi.</summary>
    public const int RateOutput = 1;

    /// <summary>Potential output index of the first mass group.</summary>
    public int MassOutput => 2;

    /// <summary>Potential output index of the first loss gradient entry.</summary>
    public int GradientOutput => 2 + MassGroupCount;

    /// <summary>Potential output index of the first signal slot's value (then rate, second derivative).</summary>
    public int SignalOutput => GradientOutput + GradientCoordinates.Length;
}

/// <summary>What every kernel program tells its host: the names and sizes of its inputs and outputs.</summary>
public interface IKernelShape
{
    /// <summary>The model's name.</summary>
    string ModelName { get; }

    /// <summary>The coordinates, in the order of q.</summary>
    string[] CoordinateNames { get; }

    /// <summary>The constraints, in the order of G and lambda.</summary>
    string[] ConstraintNames { get; }

    /// <summary>The parameters, in the order of p.</summary>
    string[] ParameterNames { get; }

    /// <summary>The parameters' values in the model.</summary>
    double[] ParameterDefaults { get; }

    /// <summary>The signals the runtime supplies, in the order of s.</summary>
    SignalInput[] SignalInputs { get; }

    /// <summary>The number of coordinates n.</summary>
    int N { get; }

    /// <summary>The number of constraints r.</summary>
    int R { get; }
}
