namespace Stlp.Ir;

/// <summary>
/// Straight-line code for named quantities of (t, q, qdot, p, signals) that a run reads besides
/// the kernel: the loss, the plot expressions, the masses, d/dt log varpi, or a network's
/// feedforward map. Evaluated by the IR's own evaluator, so the runtime never walks an expression.
/// </summary>
/// <param name="CoordinateNames">The coordinates' user names, in the order of q (and qdot).</param>
/// <param name="ParameterNames">The parameters' user names, in the order of p.</param>
/// <param name="SignalInputs">The signals the runtime supplies, in the order of s.</param>
/// <param name="Instructions">The straight-line code; temporary i is the result of instruction i.</param>
/// <param name="OutputNames">What each output is, for people.</param>
/// <param name="Outputs">The temporary holding each output.</param>
public sealed record ObservableProgram(
    string[] CoordinateNames,
    string[] ParameterNames,
    SignalInput[] SignalInputs,
    Instruction[] Instructions,
    string[] OutputNames,
    int[] Outputs
);
