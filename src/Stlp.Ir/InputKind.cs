namespace Stlp.Ir;

/// <summary>What an <see cref="OpCode.Input"/> instruction reads.</summary>
public enum InputKind
{
    /// <summary>The time t (the instruction's input index is 0).</summary>
    Time = 0,

    /// <summary>A coordinate q[i].</summary>
    Coordinate = 1,

    /// <summary>A velocity qdot[i].</summary>
    Velocity = 2,

    /// <summary>A parameter p[i].</summary>
    Parameter = 3,

    /// <summary>
    /// A signal value s[i] the runtime supplies (data-set signals, see
    /// <see cref="IrProgram.SignalInputs"/>); formula signals are inlined before lowering.
    /// </summary>
    Signal = 4,
}
