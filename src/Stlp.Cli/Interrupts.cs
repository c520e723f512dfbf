using System.Runtime.InteropServices;

namespace Stlp.Cli;

/// <summary>Ctrl-C and SIGTERM cancel the run (which then writes its partial results) instead of killing the process.</summary>
internal static class Interrupts
{
    public static IDisposable CancelOn(CancellationTokenSource cancel)
    {
        ConsoleCancelEventHandler onCancel = (_, e) =>
        {
            e.Cancel = true;
            cancel.Cancel();
        };
        Console.CancelKeyPress += onCancel;
        var sigterm = PosixSignalRegistration.Create(
            PosixSignal.SIGTERM,
            context =>
            {
                context.Cancel = true;
                cancel.Cancel();
            }
        );
        return new Registration(() =>
        {
            Console.CancelKeyPress -= onCancel;
            sigterm.Dispose();
        });
    }

    private sealed class Registration(Action dispose) : IDisposable
    {
        public void Dispose() => dispose();
    }
}
