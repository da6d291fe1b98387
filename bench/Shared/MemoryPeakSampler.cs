using System.Diagnostics;

namespace RoleMining.Bench;

/// <summary>The working set and GC heap of this process before a piece of work and their peaks while it ran.</summary>
internal sealed record MemoryPeaks(long WorkingSetBefore, long WorkingSetPeak, long HeapBefore, long HeapPeak, TimeSpan Elapsed);

/// <summary>Runs work after a full, compacting collection and samples memory on a timer until it ends.</summary>
internal static class MemoryPeakSampler
{
    public static async Task<MemoryPeaks> MeasureAsync(Func<Task> work, TimeSpan interval)
    {
        ArgumentNullException.ThrowIfNull(work);
        GC.Collect(GC.MaxGeneration, GCCollectionMode.Forced, blocking: true, compacting: true);
        GC.WaitForPendingFinalizers();
        using var process = Process.GetCurrentProcess();
        process.Refresh();
        var before = process.WorkingSet64;
        var peak = before;
        var heapBefore = GC.GetTotalMemory(forceFullCollection: false);
        var heapPeak = heapBefore;
        using var stop = new CancellationTokenSource();
        var sampler = Task.Run(async () =>
        {
            using var self = Process.GetCurrentProcess();
            while (!stop.IsCancellationRequested)
            {
                self.Refresh();
                peak = Math.Max(peak, self.WorkingSet64);
                heapPeak = Math.Max(heapPeak, GC.GetTotalMemory(forceFullCollection: false));
                try
                {
                    await Task.Delay(interval, stop.Token);
                }
                catch (OperationCanceledException)
                {
                    break;
                }
            }
        });

        var watch = Stopwatch.StartNew();
        try
        {
            await work();
        }
        finally
        {
            watch.Stop();
            await stop.CancelAsync();
            await sampler;
        }

        return new MemoryPeaks(before, peak, heapBefore, heapPeak, watch.Elapsed);
    }
}
