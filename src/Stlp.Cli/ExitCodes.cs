namespace Stlp.Cli;

/// <summary>Process exit codes, one per class of failure, so scripts can tell them apart.</summary>
public static class ExitCodes
{
    public const int Ok = 0;

    /// <summary>Wrong command-line usage (System.CommandLine's own code).</summary>
    public const int Usage = 1;

    /// <summary>The model file is wrong: parse, name, arity or smoothness errors.</summary>
    public const int ModelError = 2;

    /// <summary>A numerical failure during a run.</summary>
    public const int NumericalFailure = 3;

    /// <summary>An internal error, such as generated code that does not compile.</summary>
    public const int Internal = 4;

    /// <summary><c>stlp check</c> found differences above the tolerance.</summary>
    public const int CheckFailed = 5;

    /// <summary>A run stopped by Ctrl-C (partial results written).</summary>
    public const int Interrupted = 130;
}
