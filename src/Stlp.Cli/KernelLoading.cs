using Stlp.Codegen;
using Stlp.Model;
using Stlp.Runtime.Kernels;
using Stlp.Simulation;

namespace Stlp.Cli;

/// <summary>Load, derive, then act; model and derivation errors exit 2, numerical failures 3.</summary>
public static class KernelLoading
{
    public static int Run(string path, IEnumerable<string> overrides, TextWriter error, Func<Derivation, int> action)
    {
        var model = ModelLoader.TryLoad(path, overrides, error);
        if (model is null)
        {
            return ExitCodes.ModelError;
        }
        try
        {
            return action(Derivations.Derive(model, model.Simulation.Stabilize));
        }
        catch (NumericalFailure e)
        {
            error.WriteLine(Text.Escape($"{path}: numerical failure {e.Message}"));
            return ExitCodes.NumericalFailure;
        }
        catch (KernelCompilationException e)
        {
            error.WriteLine(Text.Escape(e.Message));
            return ExitCodes.Internal;
        }
        catch (Exception e) when (Derivations.Describe(e) is { } message)
        {
            error.WriteLine(Text.Escape($"{path}: derivation error: {message.Value}"));
            return ExitCodes.ModelError;
        }
        catch (InputError e)
        {
            error.WriteLine(Text.Escape($"error: {e.Message}"));
            return ExitCodes.Usage;
        }
    }
}
