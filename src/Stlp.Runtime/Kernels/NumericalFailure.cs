namespace Stlp.Runtime.Kernels;

/// <summary>A numerical failure at a time, naming the quantity (a pivot, a matrix, a value).</summary>
public sealed class NumericalFailure(double time, string quantity, string message)
    : Exception($"at t = {time:R}: {quantity}: {message}")
{
    public double Time { get; } = time;
    public string Quantity { get; } = quantity;
}
