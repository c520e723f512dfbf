namespace Stlp.Runtime.Signals;

/// <summary>
/// The Friedrichs mollifier rho_eps(t) = C exp(-1 / (1 - (t/eps)^2)) on |t| &lt; eps, normalized to
/// integrate to 1 (docs/equations.md §8), and its smoothed step H_eps(t) = integral of rho_eps from -eps to t.
/// </summary>
public sealed class Mollifier
{
    // 16-point Gauss–Legendre on [-1, 1]: the bump is smooth, so this is exact to round-off
    // on each of the sub-intervals used below.
    private static readonly double[] Nodes =
    [
        -0.9894009349916499,
        -0.9445750230732326,
        -0.8656312023878318,
        -0.7554044083550030,
        -0.6178762444026438,
        -0.4580167776572274,
        -0.2816035507792589,
        -0.0950125098376374,
        0.0950125098376374,
        0.2816035507792589,
        0.4580167776572274,
        0.6178762444026438,
        0.7554044083550030,
        0.8656312023878318,
        0.9445750230732326,
        0.9894009349916499,
    ];

    private static readonly double[] Weights =
    [
        0.0271524594117541,
        0.0622535239386479,
        0.0951585116824928,
        0.1246289712555339,
        0.1495959888165767,
        0.1691565193950025,
        0.1826034150449236,
        0.1894506104550685,
        0.1894506104550685,
        0.1826034150449236,
        0.1691565193950025,
        0.1495959888165767,
        0.1246289712555339,
        0.0951585116824928,
        0.0622535239386479,
        0.0271524594117541,
    ];

    /// <summary>Panels of [-1, 1]; the integral up to each panel's left end is tabulated once.</summary>
    private const int Panels = 64;

    /// <summary>Integral of the unnormalized bump from -1 to the left end of each panel (Panels + 1 entries).</summary>
    private static readonly double[] Cumulative = Tabulate();

    private readonly double normalization;

    public Mollifier(double width)
    {
        if (!(width > 0))
        {
            throw new ArgumentOutOfRangeException(nameof(width), "the mollifier width must be positive");
        }
        Width = width;
        normalization = 1.0 / (width * UnitIntegral(1.0));
    }

    public double Width { get; }

    /// <summary>exp(-1/(1-u^2)) for |u| &lt; 1, else 0.</summary>
    private static double Bump(double u) => Math.Abs(u) < 1 ? Math.Exp(-1.0 / (1.0 - u * u)) : 0.0;

    /// <summary>Gauss–Legendre integral of the unnormalized bump over [a, b] (one panel or less).</summary>
    private static double PanelIntegral(double a, double b)
    {
        var mid = 0.5 * (a + b);
        var half = 0.5 * (b - a);
        var sum = 0.0;
        for (var i = 0; i < Nodes.Length; i++)
        {
            sum += Weights[i] * Bump(mid + half * Nodes[i]);
        }
        return sum * half;
    }

    private static double[] Tabulate()
    {
        var table = new double[Panels + 1];
        var width = 2.0 / Panels;
        for (var p = 0; p < Panels; p++)
        {
            table[p + 1] = table[p] + PanelIntegral(-1.0 + p * width, -1.0 + (p + 1) * width);
        }
        return table;
    }

    /// <summary>
    /// Integral of the unnormalized bump from -1 to <paramref name="upper"/>: the tabulated panels
    /// below it plus one partial panel, so a call costs 16 exponentials, not a full quadrature.
    /// </summary>
    private static double UnitIntegral(double upper)
    {
        upper = Math.Clamp(upper, -1.0, 1.0);
        var width = 2.0 / Panels;
        var p = Math.Min(Panels - 1, (int)((upper + 1.0) / width));
        var left = -1.0 + p * width;
        return Cumulative[p] + PanelIntegral(left, upper);
    }

    /// <summary>rho_eps(t).</summary>
    public double Density(double t) => normalization * Bump(t / Width);

    /// <summary>rho_eps'(t).</summary>
    public double DensityDerivative(double t)
    {
        var u = t / Width;
        if (Math.Abs(u) >= 1)
        {
            return 0.0;
        }
        var s = 1.0 - u * u;
        return normalization * Bump(u) * (-2.0 * u / (s * s)) / Width;
    }

    private double cachedAt = double.NaN;
    private (double Step, double Density, double DensityDerivative) cached;

    /// <summary>
    /// H_eps, rho_eps and rho_eps' at t, remembered for the last t: every signal of a data set
    /// shares one mollifier and asks at the same offset from the switch (the step alone costs 16
    /// exponentials, and a 784-pixel set has 2,352 signal values per right-hand side). Not thread-safe.
    /// </summary>
    public (double Step, double Density, double DensityDerivative) All(double t)
    {
        if (t != cachedAt)
        {
            cached = (Step(t), Density(t), DensityDerivative(t));
            cachedAt = t;
        }
        return cached;
    }

    /// <summary>H_eps(t): 0 before -eps, 1 after eps, smooth in between.</summary>
    public double Step(double t)
    {
        if (t <= -Width)
        {
            return 0.0;
        }
        if (t >= Width)
        {
            return 1.0;
        }
        return normalization * Width * UnitIntegral(t / Width);
    }
}
