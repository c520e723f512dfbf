namespace Stlp.Ir;

/// <summary>
/// One instruction of an <see cref="IrProgram"/>; its result is the temporary with the
/// instruction's own index in <see cref="IrProgram.Instructions"/>, and its arguments are earlier
/// temporaries (the list is in topological order).
/// </summary>
/// <param name="Op">The operation.</param>
/// <param name="Args">The operand temporaries; empty for constants and inputs.</param>
/// <param name="Value">For <see cref="OpCode.Constant"/> the constant, for <see cref="OpCode.PowInt"/> the exponent; 0 otherwise.</param>
/// <param name="Name">For <see cref="OpCode.Call"/> the primitive function; for an input its user name (for comments); empty otherwise.</param>
/// <param name="InputKind">For <see cref="OpCode.Input"/>: what it reads; <see cref="InputKind.Time"/> otherwise.</param>
/// <param name="InputIndex">For <see cref="OpCode.Input"/>: the index into its input vector; 0 otherwise.</param>
/// <param name="Partials">
/// For a <see cref="OpCode.Call"/>: the temporaries holding its partial derivatives, one per
/// argument, for the forward-mode tangents of the Jacobian. Empty otherwise (and for calls whose
/// tangent is never needed). A partial may come later in the list than its call.
/// </param>
public sealed record Instruction(
    OpCode Op,
    int[] Args,
    double Value,
    string Name,
    InputKind InputKind,
    int InputIndex,
    int[] Partials
);
