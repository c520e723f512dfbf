using System.Globalization;
using Xunit;

namespace Stlp.Cli.Tests;

/// <summary>
/// Seeded random combinations of run options, good and bad, on fig2a with a short end time: never an
/// unhandled exception, never a stack trace, always an exit code of 0 to 3.
/// </summary>
public class RandomOptionTests
{
    private static readonly string[] Numbers =
    [
        "0",
        "-1",
        "NaN",
        "Infinity",
        "-Infinity",
        "1e-300",
        "1e300",
        "0.05",
        "0.2",
        "1e-6",
        "abc",
        "",
        "1,5",
    ];

    private static string Pick(Random random, string[] from) => from[random.Next(from.Length)];

    private static string[] Draw(Random random, string output)
    {
        var args = new List<string> { "run", Cli.Sample("fig2a.stlp"), "-o", output };
        // Most runs end early so that the good ones are quick.
        args.AddRange(["--t1", random.Next(4) == 0 ? Pick(random, Numbers) : "0.2"]);
        if (random.Next(2) == 0)
        {
            args.AddRange(["--method", Pick(random, ["rk4", "dopri5", "rosenbrock", "sdirk", "euler", ""])]);
        }
        if (random.Next(3) == 0)
        {
            args.AddRange(["--step", random.Next(2) == 0 ? Pick(random, Numbers) : "0.01"]);
        }
        if (random.Next(3) == 0)
        {
            args.AddRange(["--rtol", Pick(random, Numbers)]);
        }
        if (random.Next(3) == 0)
        {
            args.AddRange(["--atol", Pick(random, Numbers)]);
        }
        if (random.Next(3) == 0)
        {
            var number = Pick(random, Numbers);
            args.AddRange(
                [
                    "--stabilize",
                    Pick(random, ["none", "projection", $"penalty {number}", $"baumgarte {number} 1", "magic", ""]),
                ]
            );
        }
        if (random.Next(3) == 0)
        {
            args.AddRange(
                ["--set", Pick(random, ["theta=", "theta=2", "=1", "theta", "nosuch=1"]) + Pick(random, Numbers)]
            );
        }
        if (random.Next(8) == 0)
        {
            args.Add(Pick(random, ["--no-cache", "--unknown", "extra"]));
        }
        return [.. args];
    }

    [Fact]
    public void RandomOptionCombinationsFailCleanly()
    {
        var random = new Random(20240611);
        using var box = new Sandbox();
        for (var k = 0; k < 60; k++)
        {
            var args = Draw(random, box.Path(k.ToString(CultureInfo.InvariantCulture)));
            var (code, _, error) = Cli.Run(args);
            var line = string.Join(" ", args.Skip(4));
            Assert.True(code is >= 0 and <= 3, $"exit {code} for {line}:\n{error}");
            try
            {
                CorpusTests.AssertClean(error);
            }
            catch (Exception e)
            {
                throw new Xunit.Sdk.XunitException($"{line}: {e.Message}");
            }
        }
    }
}
