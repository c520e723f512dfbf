using System.Globalization;

namespace Stlp.Simulation.Sweeps;

/// <summary>One parameter of a sweep and the values it takes.</summary>
public sealed record SweepAxis(string Parameter, IReadOnlyList<double> Values)
{
    /// <summary>
    /// Parses <c>name=v1,v2,...</c>, <c>name=a..b</c> (the integers from a to b) or
    /// <c>name=start:step:stop</c>; an <see cref="InputError"/> says what is wrong.
    /// </summary>
    public static SweepAxis Parse(string text)
    {
        var eq = text.IndexOf('=');
        if (eq <= 0 || eq == text.Length - 1)
        {
            throw new InputError($"--grid expects name=values (1,2,4 or 1..5 or 0:0.5:2), got '{text}'");
        }
        var name = text[..eq].Trim();
        var spec = text[(eq + 1)..].Trim();
        double Number(string s) =>
            double.TryParse(s, NumberStyles.Float, CultureInfo.InvariantCulture, out var v) && double.IsFinite(v)
                ? v
                : throw new InputError($"--grid {name}: '{s}' is not a finite number");
        List<double> values;
        if (spec.Contains(".."))
        {
            var parts = spec.Split("..");
            var (from, to) = (Number(parts[0]), Number(parts[^1]));
            if (parts.Length != 2 || from != Math.Floor(from) || to != Math.Floor(to) || to < from)
            {
                throw new InputError($"--grid {name}: a range is a..b with integers a <= b, got '{spec}'");
            }
            values = [.. Enumerable.Range(0, (int)(to - from) + 1).Select(k => from + k)];
        }
        else if (spec.Contains(':'))
        {
            var parts = spec.Split(':');
            if (parts.Length != 3)
            {
                throw new InputError($"--grid {name}: a stepped range is start:step:stop, got '{spec}'");
            }
            var (start, step, stop) = (Number(parts[0]), Number(parts[1]), Number(parts[2]));
            if (!(step > 0) || stop < start)
            {
                throw new InputError($"--grid {name}: start:step:stop needs step > 0 and stop >= start, got '{spec}'");
            }
            // Products, not sums, so the last value lands on stop without drift.
            var count = (int)Math.Floor((stop - start) / step + 1e-9) + 1;
            values = [.. Enumerable.Range(0, count).Select(k => start + k * step)];
        }
        else
        {
            values = [.. spec.Split(',').Select(s => Number(s.Trim()))];
        }
        if (values.Count > 100_000)
        {
            throw new InputError($"--grid {name}: {values.Count} values; a sweep axis takes at most 100000");
        }
        return new SweepAxis(name, values);
    }
}

/// <summary>One configuration of a sweep: its place in the full grid and its parameter values.</summary>
public sealed record SweepPoint(int Index, IReadOnlyList<KeyValuePair<string, double>> Values)
{
    /// <summary>The output folder of this configuration, e.g. <c>0003_theta=2_c=0.5</c>.</summary>
    public string Folder =>
        $"{Index:D4}_"
        + string.Join("_", Values.Select(v => $"{v.Key}={v.Value.ToString("R", CultureInfo.InvariantCulture)}"));
}
