using System.Globalization;

namespace Stlp.Bench;

/// <summary>
/// The two-moons set (two interleaved half circles with Gaussian noise) from a seed, as CSV with
/// a header and a final class column: samples/data/moons.csv is
/// <c>dotnet run -c Release --project bench/Stlp.Bench -- moons 300 0.15 1</c>.
/// </summary>
public static class Moons
{
    public static void Print(int count, double noise, int seed, TextWriter output)
    {
        var random = new Random(seed);
        double Gaussian() =>
            Math.Sqrt(-2 * Math.Log(1 - random.NextDouble())) * Math.Cos(2 * Math.PI * random.NextDouble());
        output.WriteLine("x1,x2,class");
        for (var i = 0; i < count; i++)
        {
            var upper = i % 2 == 0;
            var angle = Math.PI * random.NextDouble();
            var (x, y) = upper ? (Math.Cos(angle), Math.Sin(angle)) : (1 - Math.Cos(angle), 0.5 - Math.Sin(angle));
            output.WriteLine(
                string.Create(
                    CultureInfo.InvariantCulture,
                    $"{x + noise * Gaussian():F4},{y + noise * Gaussian():F4},{(upper ? "upper" : "lower")}"
                )
            );
        }
    }
}
