using System.Diagnostics;
using System.Globalization;
using System.Text;
using Stlp.Model;

namespace Stlp.Simulation.Sweeps;

/// <summary>One configuration's outcome: a row of <c>sweep.csv</c>.</summary>
public sealed record SweepRow(
    SweepPoint Point,
    RunStatus Status,
    double? FinalLoss,
    double? HeldOut,
    string? Metric,
    double WallSeconds,
    string? Message
);

/// <summary>A sweep's outcome: the rows, how many derivations and compilations it took, and where sweep.csv is.</summary>
public sealed record SweepOutcome(IReadOnlyList<SweepRow> Rows, int Derivations, int Compilations, string CsvPath);

/// <summary>
/// A parameter sweep: every combination of the axes' values, one derivation and one compiled
/// kernel for all of them (parameters are kernel inputs), run in parallel on the local cores,
/// one output folder per configuration and a <c>sweep.csv</c> with one row per run. A shard
/// (the K-th of N disjoint slices) runs part of the grid, so a batch scheduler's array job
/// spreads a sweep over machines; <see cref="Merge"/> joins the shards' <c>sweep.csv</c>.
/// </summary>
public static class Sweep
{
    /// <summary>Every combination, the first axis varying slowest; indices number the full grid.</summary>
    public static IReadOnlyList<SweepPoint> Grid(IReadOnlyList<SweepAxis> axes)
    {
        var duplicate = axes.GroupBy(a => a.Parameter).FirstOrDefault(g => g.Count() > 1);
        if (duplicate is not null)
        {
            throw new InputError($"--grid {duplicate.Key} is given twice");
        }
        IEnumerable<List<KeyValuePair<string, double>>> combinations =
        [
            [],
        ];
        foreach (var axis in axes)
        {
            combinations = combinations.SelectMany(c =>
                axis.Values.Select(v => new List<KeyValuePair<string, double>>(c) { new(axis.Parameter, v) })
            );
        }
        return [.. combinations.Select((c, i) => new SweepPoint(i, c))];
    }

    /// <summary>The K-th (1-based) of N disjoint slices: the points whose index is K-1 modulo N.</summary>
    public static IReadOnlyList<SweepPoint> Shard(IReadOnlyList<SweepPoint> points, int k, int n)
    {
        if (n < 1 || k < 1 || k > n)
        {
            throw new InputError($"--shard K/N needs 1 <= K <= N, got {k}/{n}");
        }
        return [.. points.Where(p => p.Index % n == k - 1)];
    }

    /// <summary>Parses <c>K/N</c>.</summary>
    public static (int K, int N) ParseShard(string text)
    {
        var parts = text.Split('/');
        if (parts.Length != 2 || !int.TryParse(parts[0], out var k) || !int.TryParse(parts[1], out var n))
        {
            throw new InputError($"--shard expects K/N (say 2/8), got '{text}'");
        }
        return (k, n);
    }

    /// <summary>
    /// Runs the configurations of the model file into <paramref name="directory"/> (one folder
    /// each) with up to <paramref name="jobs"/> runs at once, and writes <c>sweep.csv</c>.
    /// </summary>
    /// <param name="fixedOverrides">Parameter values set for every configuration (<c>--set</c>).</param>
    public static SweepOutcome Run(
        string modelFile,
        IReadOnlyDictionary<string, double> fixedOverrides,
        IReadOnlyList<SweepPoint> points,
        string directory,
        SimulationOptions options,
        int jobs,
        CancellationToken cancel = default,
        IProgress<int>? completed = null
    )
    {
        if (jobs < 1)
        {
            throw new InputError($"--jobs must be at least 1, got {jobs}");
        }
        Simulator.CreateOutputDirectory(directory);
        // Prepared one after another (the first derives and compiles, the rest reuse both), run in parallel.
        var prepared = new List<(SweepPoint Point, PreparedRun Run)>();
        PreparedRun? basis = null;
        foreach (var point in points)
        {
            var overrides = new Dictionary<string, double>(fixedOverrides);
            foreach (var (name, value) in point.Values)
            {
                overrides[name] = value;
            }
            var model = ModelFile.Load(modelFile, overrides);
            var run = Simulator.Prepare(
                model,
                options with
                {
                    ModelFile = modelFile,
                    OverriddenParameters = [.. overrides.Keys],
                    Progress = null,
                },
                basis
            );
            basis ??= run;
            prepared.Add((point, run));
        }
        var rows = new SweepRow[prepared.Count];
        var done = 0;
        Parallel.For(
            0,
            prepared.Count,
            new ParallelOptions { MaxDegreeOfParallelism = jobs },
            i =>
            {
                var (point, run) = prepared[i];
                var clock = Stopwatch.StartNew();
                var result = Simulator.RunToDirectory(run, Path.Combine(directory, point.Folder), cancel);
                var learning = result.Learning.FirstOrDefault();
                rows[i] = new SweepRow(
                    point,
                    result.Status,
                    result.FinalLoss,
                    learning?.HeldOut,
                    learning?.Metric,
                    clock.Elapsed.TotalSeconds,
                    result.Message
                );
                completed?.Report(Interlocked.Increment(ref done));
            }
        );
        var csv = Path.Combine(directory, "sweep.csv");
        WriteCsv(csv, rows);
        return new SweepOutcome(
            rows,
            prepared.Count(p => !p.Run.ReusedDerivation),
            prepared.Count(p => !p.Run.ReusedDerivation && !p.Run.Kernel.CacheHit),
            csv
        );
    }

    /// <summary>
    /// sweep.csv: <c>index</c>, the swept parameters, <c>status</c>, <c>final_loss</c>,
    /// <c>held_out</c>, <c>metric</c>, <c>wall_s</c>, <c>folder</c>, <c>message</c>; rows by index.
    /// </summary>
    public static void WriteCsv(string path, IReadOnlyList<SweepRow> rows)
    {
        var parameters = rows.Count == 0 ? [] : rows[0].Point.Values.Select(v => v.Key).ToArray();
        var text = new StringBuilder();
        text.AppendLine(
            string.Join(
                ",",
                ["index", .. parameters, "status", "final_loss", "held_out", "metric", "wall_s", "folder", "message"]
            )
        );
        foreach (var row in rows.OrderBy(r => r.Point.Index))
        {
            string[] cells =
            [
                row.Point.Index.ToString(CultureInfo.InvariantCulture),
                .. row.Point.Values.Select(v => Number(v.Value)),
                row.Status.ToString().ToLowerInvariant(),
                Number(row.FinalLoss),
                Number(row.HeldOut),
                row.Metric ?? "",
                Number(row.WallSeconds),
                Quote(row.Point.Folder),
                Quote(row.Message ?? ""),
            ];
            text.AppendLine(string.Join(",", cells));
        }
        File.WriteAllText(path, text.ToString());
    }

    /// <summary>
    /// Joins shards' sweep.csv files into one, rows by index, as one unsharded run writes it.
    /// The headers must agree and no configuration may appear twice.
    /// </summary>
    public static int Merge(IReadOnlyList<string> inputs, string output)
    {
        if (inputs.Count == 0)
        {
            throw new InputError("no sweep.csv files to merge");
        }
        string? header = null;
        var rows = new SortedDictionary<int, string>();
        foreach (var input in inputs)
        {
            if (!File.Exists(input))
            {
                throw new InputError($"{input}: no such file");
            }
            var lines = File.ReadAllLines(input);
            if (lines.Length == 0 || !lines[0].StartsWith("index,", StringComparison.Ordinal))
            {
                throw new InputError($"{input}: not a sweep.csv (no 'index' header)");
            }
            header ??= lines[0];
            if (lines[0] != header)
            {
                throw new InputError($"{input}: its columns differ from {inputs[0]}'s");
            }
            for (var k = 1; k < lines.Length; k++)
            {
                var cell = lines[k][..Math.Max(0, lines[k].IndexOf(','))];
                if (!int.TryParse(cell, NumberStyles.None, CultureInfo.InvariantCulture, out var index))
                {
                    throw new InputError($"{input}:{k + 1}: no configuration index");
                }
                if (!rows.TryAdd(index, lines[k]))
                {
                    throw new InputError($"{input}:{k + 1}: configuration {index} is in two shards");
                }
            }
        }
        File.WriteAllLines(output, [header!, .. rows.Values]);
        return rows.Count;
    }

    private static string Number(double? x) =>
        x is { } v && double.IsFinite(v) ? v.ToString("R", CultureInfo.InvariantCulture) : "";

    private static string Quote(string text)
    {
        var flat = text.ReplaceLineEndings(" ");
        return flat.IndexOfAny([',', '"']) >= 0 ? $"\"{flat.Replace("\"", "\"\"")}\"" : flat;
    }
}
