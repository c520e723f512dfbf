using Stlp.Cli;

namespace Stlp.Cli.Tests;

/// <summary>Runs the stlp command in-process and finds the repository's samples.</summary>
internal static class Cli
{
    public static string Samples { get; } = FindSamples();

    private static string FindSamples()
    {
        var dir = new DirectoryInfo(AppContext.BaseDirectory);
        while (!File.Exists(Path.Combine(dir.FullName, "StlpSymbolic.sln")))
        {
            dir = dir.Parent!;
        }
        return Path.Combine(dir.FullName, "samples");
    }

    public static string Sample(string name) => Path.Combine(Samples, name);

    public static (int Code, string Out, string Err) Run(params string[] args)
    {
        var output = new StringWriter();
        var error = new StringWriter();
        var code = StlpApp.Run(args, output, error);
        return (code, output.ToString(), error.ToString());
    }
}
