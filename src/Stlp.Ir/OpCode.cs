namespace Stlp.Ir;

/// <summary>
/// The operation of an <see cref="Instruction"/>. Operands are the temporaries named by
/// <see cref="Instruction.Args"/>; the result is the temporary with the instruction's own index.
/// </summary>
public enum OpCode
{
    /// <summary><see cref="Instruction.Value"/>: the constant.</summary>
    Constant = 0,

    /// <summary><see cref="Instruction.InputKind"/> and <see cref="Instruction.InputIndex"/>: which input.</summary>
    Input = 1,

    /// <summary>The sum of all arguments, left to right.</summary>
    Add = 2,

    /// <summary>The product of all arguments, left to right.</summary>
    Mul = 3,

    /// <summary>
    /// The first argument to the integer power <see cref="Instruction.Value"/> (3 or more; squares
    /// are <see cref="Square"/>, negative powers a <see cref="Reciprocal"/> of a positive one).
    /// </summary>
    PowInt = 4,

    /// <summary>The first argument to the power of the second.</summary>
    Pow = 5,

    /// <summary><see cref="Instruction.Name"/>: the primitive function; arguments: its arguments.</summary>
    Call = 6,

    /// <summary>Minus the one argument.</summary>
    Negate = 7,

    /// <summary>The first argument minus each of the others, left to right (two or more arguments).</summary>
    Subtract = 8,

    /// <summary>The first argument divided by the second.</summary>
    Divide = 9,

    /// <summary>The argument times itself.</summary>
    Square = 10,

    /// <summary>One divided by the argument.</summary>
    Reciprocal = 11,

    /// <summary>The square root of the argument.</summary>
    Sqrt = 12,
}
