namespace Stlp.Runtime.Signals;

/// <summary>
/// A training-set signal (docs/equations.md §8): value <c>values[k]</c> presented on [k tau, (k+1) tau),
/// cycling, convolved with a mollifier of width eps &lt; tau/2. Its value and first two time
/// derivatives are exact: jumps times H_eps, rho_eps and rho_eps'.
/// </summary>
public sealed class PresentedSignal
{
    private readonly double[] values;
    private readonly Mollifier mollifier;

    public PresentedSignal(IReadOnlyList<double> values, double present, double mollify, int cycles)
        : this(values, present, new Mollifier(mollify), cycles) { }

    /// <summary>A signal sharing <paramref name="mollifier"/> (and its cache) with the others of its data set.</summary>
    public PresentedSignal(IReadOnlyList<double> values, double present, Mollifier mollifier, int cycles)
    {
        ArgumentNullException.ThrowIfNull(mollifier);
        var mollify = mollifier.Width;
        if (values.Count == 0)
        {
            throw new ArgumentException("a presented signal needs at least one value", nameof(values));
        }
        if (!(mollify > 0 && mollify < present / 2))
        {
            throw new ArgumentOutOfRangeException(
                nameof(mollify),
                $"the mollifier width must be in (0, present/2): got {mollify} with present {present}"
            );
        }
        this.values = [.. values];
        Present = present;
        Cycles = Math.Max(1, cycles);
        this.mollifier = mollifier;
    }

    public double Present { get; }
    public int Cycles { get; }

    /// <summary>The value presented in slot <paramref name="k"/> (before 0: the first; after the end: the last).</summary>
    private double Slot(long k)
    {
        var total = (long)values.Length * Cycles;
        k = Math.Clamp(k, 0, total - 1);
        return values[k % values.Length];
    }

    /// <summary>The value (order 0) or its first or second time derivative at t.</summary>
    public double At(double t, int order)
    {
        var (value, rate, acceleration) = At(t);
        return order switch
        {
            0 => value,
            1 => rate,
            2 => acceleration,
            _ => throw new ArgumentOutOfRangeException(
                nameof(order),
                "only the first two derivatives of a training-set signal are known"
            ),
        };
    }

    /// <summary>Value and derivatives at <paramref name="t"/>: (e, edot, eddot).</summary>
    public (double Value, double Rate, double Acceleration) At(double t)
    {
        // Only the switch nearest t can be inside the mollifier's support (eps < tau/2).
        var k = (long)Math.Round(t / Present);
        var boundary = k * Present;
        var before = Slot(k - 1);
        var after = Slot(k);
        var jump = after - before;
        var s = t - boundary;
        var (step, density, slope) = mollifier.All(s);
        return (before + jump * step, jump * density, jump * slope);
    }
}
