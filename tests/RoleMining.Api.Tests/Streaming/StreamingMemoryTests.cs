using System.Globalization;
using System.Net;
using RoleMining.Api.Tests.Infrastructure;
using Microsoft.Extensions.Logging;
using Xunit.Abstractions;

namespace RoleMining.Api.Tests.Streaming;

[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class MemoryMeasurements
{
    /// <summary>Measurements of the process heap run alone, so that no other test's memory is counted.</summary>
    public const string Name = "Memory measurements";
}

/// <summary>
/// Streaming every identity of a 100,000-identity role keeps the memory the process retains flat: the heap that survives
/// a full collection, sampled while the body is read, grows by far less than the body's size (were the body or the
/// identities buffered anywhere, it would grow by more than the body). No timing is asserted.
/// </summary>
[Collection(MemoryMeasurements.Name)]
public sealed class StreamingMemoryTests(ITestOutputHelper output)
{
    private const int Identities = 100_000;

    [Fact]
    public async Task Streaming_100000_identities_as_csv_keeps_retained_memory_far_below_the_payload()
    {
        const string mediaType = "text/csv";
        await using var host = await ApiTestHost.StartAsync(options =>
        {
            options.Tenant.AdditionalPotentialRoleIdentityCounts = [Identities, 10_000];

            // Wider rows: a payload of some 25 MB, well above what any buffer of the pipeline holds.
            options.Tenant.ExtraAttributes = 8;
        }, minimumLogLevel: LogLevel.Warning);
        var role = host.Emulator.Tenant.PotentialRoles.Single(candidate => candidate.IsAdditional && candidate.IdentityCount == Identities);
        var small = host.Emulator.Tenant.PotentialRoles.Single(candidate => candidate.IsAdditional && candidate.IdentityCount == 10_000);

        // Warm up on a smaller role (JIT, buffer pools, connections), so that the baseline holds what any stream keeps.
        using (var warmUp = await host.Client.SendAsync(ApiTestHost.Request(HttpMethod.Get, $"api/sessions/{small.Session.Id}/potential-roles/{small.Id}/identities?all=true", mediaType)))
        {
            Assert.Equal(HttpStatusCode.OK, warmUp.StatusCode);
        }

        var baseline = RetainedBytes();
        var stopwatch = System.Diagnostics.Stopwatch.StartNew();
        using var request = ApiTestHost.Request(HttpMethod.Get, $"api/sessions/{role.Session.Id}/potential-roles/{role.Id}/identities?all=true&count=true", mediaType);
        using var response = await host.Client.SendAsync(request, HttpCompletionOption.ResponseHeadersRead);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal(mediaType, response.Content.Headers.ContentType?.MediaType);
        Assert.Null(response.Content.Headers.ContentLength);
        Assert.Equal(Identities.ToString(CultureInfo.InvariantCulture), response.Headers.GetValues("X-Total-Count").Single());

        await using var body = await response.Content.ReadAsStreamAsync();
        var buffer = new byte[64 * 1024];
        long bytes = 0;
        long newlines = 0;
        long nextSample = 512 * 1024;
        var samples = new List<long>();
        int read;
        while ((read = await body.ReadAsync(buffer)) > 0)
        {
            var span = buffer.AsSpan(0, read);
            bytes += read;
            newlines += span.Count((byte)'\n');
            if (bytes >= nextSample)
            {
                samples.Add(RetainedBytes() - baseline);
                nextSample += 512 * 1024;
            }
        }

        Assert.Equal(Identities + 1, newlines);

        var peak = samples.Max();
        output.WriteLine($"Streamed in {stopwatch.Elapsed.TotalSeconds:F1} s (not asserted); retained growth samples (KB): {string.Join(" ", samples.Select(sample => sample / 1024))}");
        output.WriteLine($"{mediaType}: {bytes:N0} bytes streamed; retained heap growth over {samples.Count} samples: peak {peak:N0} bytes, median {samples.Order().ElementAt(samples.Count / 2):N0} bytes, baseline {baseline:N0} bytes.");
        Assert.True(samples.Count >= 10, $"Only {samples.Count} samples for {bytes} bytes.");
        Assert.True(bytes > 20_000_000, $"The payload ({bytes} bytes) is too small to tell streaming from buffering.");
        // Buffering the body (or the identities) would retain at least the body's size by its end, and half of it at the
        // median sample; streaming retains what is in flight (a page or two and the transport's buffers) throughout.
        var median = samples.Order().ElementAt(samples.Count / 2);
        Assert.True(peak < bytes / 2, $"Retained memory grew by up to {peak:N0} bytes while streaming {bytes:N0} bytes.");
        Assert.True(median < bytes / 4, $"Retained memory grew by {median:N0} bytes at the median sample while streaming {bytes:N0} bytes.");
    }

    private static long RetainedBytes()
    {
        GC.Collect();
        GC.WaitForPendingFinalizers();
        GC.Collect();
        return GC.GetTotalMemory(forceFullCollection: true);
    }
}
