using System.Globalization;
using System.Text;

namespace Stlp.Runtime.Recording;

/// <summary>
/// Writes trajectory.csv as the run goes, one flushed row per output time, so a failure or an
/// interrupt leaves a valid partial file that pandas reads (named columns, invariant culture).
/// </summary>
public sealed class TrajectoryWriter : IDisposable
{
    private readonly StreamWriter writer;
    private readonly StringBuilder row = new();

    public TrajectoryWriter(string path, IEnumerable<string> columns)
    {
        writer = new StreamWriter(path, append: false, new UTF8Encoding(false));
        Columns = [.. columns];
        writer.WriteLine(string.Join(',', Columns.Select(Quote)));
        writer.Flush();
    }

    public string[] Columns { get; }
    public long Rows { get; private set; }

    private static string Quote(string name) =>
        name.IndexOfAny([',', '"', '\n', '\r']) >= 0 ? $"\"{name.Replace("\"", "\"\"")}\"" : name;

    public void Write(ReadOnlySpan<double> values)
    {
        if (values.Length != Columns.Length)
        {
            throw new ArgumentException($"{values.Length} values for {Columns.Length} columns");
        }
        row.Clear();
        for (var i = 0; i < values.Length; i++)
        {
            if (i > 0)
            {
                row.Append(',');
            }
            row.Append(values[i].ToString("R", CultureInfo.InvariantCulture));
        }
        writer.WriteLine(row);
        writer.Flush();
        Rows++;
    }

    public void Dispose() => writer.Dispose();
}
