using Stlp.Codegen;
using Stlp.Runtime.Integration;
using Stlp.Runtime.Kernels;
using Stlp.Simulation;

namespace Stlp.Cli;

/// <summary>
/// The last line of defence: an exception no command handled becomes one message and the exit
/// code <c>--help</c> promises, never a stack trace (set <c>STLP_DEBUG=1</c> to see one).
/// Exit 4 is kept for what can only be a bug.
/// </summary>
internal static class Failures
{
    public static int Report(Exception e, TextWriter error)
    {
        var (code, message) = e switch
        {
            ArgumentException { ParamName: { } name } a => (
                ExitCodes.Usage,
                $"error: {a.Message.Replace($" (Parameter '{name}')", "", StringComparison.Ordinal)}"
            ),
            InputError or ArgumentException => (ExitCodes.Usage, $"error: {e.Message}"),
            HandKernelException => (ExitCodes.ModelError, $"error: {e.Message}"),
            NumericalFailure or IntegrationFailure => (ExitCodes.NumericalFailure, $"numerical failure {e.Message}"),
            IOException or UnauthorizedAccessException => (ExitCodes.ModelError, $"error: {e.Message}"),
            OperationCanceledException => (ExitCodes.Interrupted, "interrupted"),
            KernelCompilationException => (ExitCodes.Internal, e.Message),
            _ => (
                ExitCodes.Internal,
                $"internal error (a bug in stlp; please report it with the command line): {e.Message}"
            ),
        };
        error.WriteLine(Text.Escape(message));
        if (Environment.GetEnvironmentVariable("STLP_DEBUG") is "1" or "true")
        {
            error.WriteLine(e.ToString());
        }
        return code;
    }
}
