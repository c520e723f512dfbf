using System.CommandLine;

namespace Stlp.Cli;

/// <summary>Options shared by several commands.</summary>
public static class CommonOptions
{
    /// <summary><c>--set name=value</c>, repeatable: overrides a model parameter.</summary>
    public static Option<string[]> Set() =>
        new("--set", "-s")
        {
            Description = "Override a model parameter: --set theta=2 (repeatable).",
            AllowMultipleArgumentsPerToken = false,
            Arity = ArgumentArity.ZeroOrMore,
        };
}
