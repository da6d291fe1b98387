using System.Diagnostics;
using System.Runtime.InteropServices;
using RoleMining.Cli;
using RoleMining.Cli.Hosting;

// Ctrl+C and SIGTERM cancel the run: commands stop at the next await, clean up partial files and exit with 130.
// A second Ctrl+C ends the process at once, unless it comes within a second of the first: `timeout -s INT` signals the
// process and then its process group, which holds it too, so one request to stop arrives as two SIGINTs.
using var cancellation = new CancellationTokenSource();
var firstInterrupt = 0L;
Console.CancelKeyPress += (_, eventArgs) =>
{
    if (Interlocked.CompareExchange(ref firstInterrupt, Stopwatch.GetTimestamp(), 0) == 0)
    {
        eventArgs.Cancel = true;
        cancellation.Cancel();
    }
    else if (Stopwatch.GetElapsedTime(Interlocked.Read(ref firstInterrupt)) < TimeSpan.FromSeconds(1))
    {
        eventArgs.Cancel = true;
    }
};
using var terminate = PosixSignalRegistration.Create(PosixSignal.SIGTERM, context =>
{
    context.Cancel = true;
    cancellation.Cancel();
});

return await RoleMiningCli.RunAsync(args, CliContext.FromProcess(), cancellation.Token);
