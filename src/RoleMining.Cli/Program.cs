using System.Runtime.InteropServices;
using RoleMining.Cli;
using RoleMining.Cli.Hosting;

// Ctrl+C and SIGTERM cancel the run: commands stop at the next await, clean up partial files and exit with 130.
// A second Ctrl+C ends the process at once.
using var cancellation = new CancellationTokenSource();
Console.CancelKeyPress += (_, eventArgs) =>
{
    if (!cancellation.IsCancellationRequested)
    {
        eventArgs.Cancel = true;
        cancellation.Cancel();
    }
};
using var terminate = PosixSignalRegistration.Create(PosixSignal.SIGTERM, context =>
{
    context.Cancel = true;
    cancellation.Cancel();
});

return await RoleMiningCli.RunAsync(args, CliContext.FromProcess(), cancellation.Token);
