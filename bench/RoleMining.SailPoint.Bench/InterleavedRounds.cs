using System.Diagnostics;

namespace RoleMining.SailPoint.Bench;

/// <summary>Wall seconds, CPU seconds and allocated bytes of each run, by candidate name.</summary>
internal sealed record RoundFigures(
    IReadOnlyDictionary<string, List<double>> Wall,
    IReadOnlyDictionary<string, List<double>> Cpu,
    IReadOnlyDictionary<string, List<double>> Allocated);

/// <summary>
/// Runs candidates that each enumerate the same identities: one warm-up run each (JIT, connections, token), then
/// interleaved rounds, rotated so that no candidate always runs first after the others, each run after a collection.
/// A run that does not see <c>expectedCount</c> identities fails the benchmark: its figure would be worthless.
/// </summary>
internal static class InterleavedRounds
{
    public static async Task<RoundFigures> RunAsync(IReadOnlyList<(string Name, Func<Task<int>> Run)> candidates, int rounds, int expectedCount)
    {
        foreach (var candidate in candidates)
        {
            await candidate.Run();
        }

        var wall = candidates.ToDictionary(candidate => candidate.Name, _ => new List<double>());
        var cpu = candidates.ToDictionary(candidate => candidate.Name, _ => new List<double>());
        var allocated = candidates.ToDictionary(candidate => candidate.Name, _ => new List<double>());
        for (var round = 0; round < rounds; round++)
        {
            for (var turn = 0; turn < candidates.Count; turn++)
            {
                var candidate = candidates[(turn + round) % candidates.Count];
                GC.Collect();
                GC.WaitForPendingFinalizers();
                using var process = Process.GetCurrentProcess();
                var cpuBefore = process.TotalProcessorTime;
                var bytesBefore = GC.GetTotalAllocatedBytes(precise: true);
                var watch = Stopwatch.StartNew();
                var count = await candidate.Run();
                watch.Stop();
                var bytes = GC.GetTotalAllocatedBytes(precise: true) - bytesBefore;
                process.Refresh();
                if (count != expectedCount)
                {
                    throw new InvalidOperationException($"{candidate.Name} saw {count} identities, expected {expectedCount}.");
                }

                wall[candidate.Name].Add(watch.Elapsed.TotalSeconds);
                cpu[candidate.Name].Add((process.TotalProcessorTime - cpuBefore).TotalSeconds);
                allocated[candidate.Name].Add(bytes);
            }
        }

        return new RoundFigures(wall, cpu, allocated);
    }
}
