namespace Stlp.Ir;

/// <summary>A sparse matrix entry held in a temporary.</summary>
/// <param name="Row">The row.</param>
/// <param name="Column">The column.</param>
/// <param name="Slot">The temporary holding the entry's value.</param>
public sealed record IrEntry(int Row, int Column, int Slot);
