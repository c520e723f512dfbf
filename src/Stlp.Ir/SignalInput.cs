namespace Stlp.Ir;

/// <summary>A signal value the runtime supplies: the signal's name and which derivative of it.</summary>
/// <param name="Name">The signal's user name (for comments and for finding its data set).</param>
/// <param name="Order">The derivative order: 0 for the value, 1 for the first derivative, and so on.</param>
public sealed record SignalInput(string Name, int Order);
