using Stlp.Codegen;
using Stlp.Model;
using Stlp.Runtime.Kernels;
using Stlp.Simulation;

namespace Stlp.Cli;

/// <summary>
/// A command's work on a model file, guarded: its errors become one located message and the exit
/// code <c>--help</c> promises (usage 1, model 2, numerical 3, internal 4), the same for every command.
/// </summary>
internal static class ModelCommand
{
    /// <summary>Loads the model (a model error exits 2 with file, line and column), then does the work.</summary>
    public static int WithModel(
        string path,
        IEnumerable<string> overrides,
        TextWriter error,
        Func<ModelDefinition, int> work
    )
    {
        var model = ModelLoader.TryLoad(path, overrides, error);
        return model is null ? ExitCodes.ModelError : Guard(path, error, () => work(model));
    }

    /// <summary>Derives the model with its own stabilization, then does the work.</summary>
    public static int WithDerivation(
        string path,
        IEnumerable<string> overrides,
        TextWriter error,
        Func<Derivation, int> work
    ) => WithModel(path, overrides, error, model => work(Derivations.Derive(model, model.Simulation.Stabilize)));

    public static int Guard(string path, TextWriter error, Func<int> work)
    {
        try
        {
            return work();
        }
        catch (Exception e) when (e is InputError or ArgumentException)
        {
            return Failures.Report(e, error);
        }
        catch (NumericalFailure e)
        {
            // At the start (the consistent initial conditions): named by cause and time.
            error.WriteLine(Text.Escape($"{path}: numerical failure {e.Message}"));
            return ExitCodes.NumericalFailure;
        }
        catch (KernelCompilationException e)
        {
            error.WriteLine(Text.Escape(e.Message));
            return ExitCodes.Internal;
        }
        catch (Exception e) when (ModelFile.Describe(path, e) is { } described)
        {
            error.WriteLine(Text.Escape(described.Value.Item2));
            return ExitCodes.ModelError;
        }
        catch (Exception e) when (Derivations.Describe(e) is { } message)
        {
            error.WriteLine(Text.Escape($"{path}: derivation error: {message.Value}"));
            return ExitCodes.ModelError;
        }
    }
}
