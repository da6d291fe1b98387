using System.Diagnostics;
using System.Runtime.InteropServices;
using RoleMining.Cli;
using RoleMining.Cli.Hosting;

// Ctrl+C and SIGTERM cancel the run: commands stop at the next await, clean up partial files and exit with 130.
// A second Ctrl+C ends the process at once, unless it comes within a second of the first: `timeout -s INT` signals the
// process and then its process group, which holds it too, so one request to stop arrives as two SIGINTs.
using var cancellation = new CancellationTokenSource();
var stopRequested = 0L;

// True for the first request to stop (Ctrl+C or SIGTERM), and for any other within a second of it.
bool Stop()
{
    if (Interlocked.CompareExchange(ref stopRequested, Stopwatch.GetTimestamp(), 0) == 0)
    {
        cancellation.Cancel();
        return true;
    }

    return Stopwatch.GetElapsedTime(Interlocked.Read(ref stopRequested)) < TimeSpan.FromSeconds(1);
}

Console.CancelKeyPress += (_, eventArgs) => eventArgs.Cancel = Stop();
using var terminate = PosixSignalRegistration.Create(PosixSignal.SIGTERM, context =>
{
    context.Cancel = true;
    Stop();
});

return await RoleMiningCli.RunAsync(args, CliContext.FromProcess(), cancellation.Token);
