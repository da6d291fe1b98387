using System.Text;
using System.Text.Json;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Time.Testing;
using RoleMining.Functions.Configuration;
using RoleMining.Functions.RateLimiting;
using RoleMining.Functions.Tests.Infrastructure;
using RoleMining.SailPoint;
using RoleMining.SailPoint.RateLimiting;
using RoleMining.Testing.RateLimiting;

namespace RoleMining.Functions.Tests.RateLimiting;

/// <summary>
/// The SailPoint budget every instance of the app shares, over the app's own blob store in Azurite: several limiters
/// stand for several instances (one store, one fake clock), and what the limiters granted is checked as they saw it.
/// </summary>
[Collection(AzuriteTestGroup.Name)]
public sealed class SharedRateBudgetTests(AzuriteFixture azurite)
{
    private const string Status = "getRoleMiningSessionStatus";
    private static readonly DateTimeOffset Start = new(2026, 11, 30, 12, 0, 0, TimeSpan.Zero);
    private static readonly TimeSpan Window = TimeSpan.FromSeconds(1);
    private static readonly TimeSpan Margin = TimeSpan.FromMilliseconds(50);
    private static readonly TimeSpan Renewal = TimeSpan.FromSeconds(1);
    private static readonly TimeSpan Settle = TimeSpan.FromMilliseconds(5);

    [Fact]
    public async Task The_blob_store_replaces_a_budget_only_on_the_version_that_was_read()
    {
        var store = await StoreAsync();
        var id = Convert.ToHexStringLower(Guid.NewGuid().ToByteArray());

        Assert.Null(await store.ReadAsync(id, CancellationToken.None));
        var first = await store.TryReplaceAsync(id, "{\"claims\":[]}"u8.ToArray(), null, CancellationToken.None);
        Assert.NotNull(first);
        Assert.Null(await store.TryReplaceAsync(id, "{}"u8.ToArray(), null, CancellationToken.None));
        var second = await store.TryReplaceAsync(id, "{\"claims\":[1]}"u8.ToArray(), first, CancellationToken.None);
        Assert.NotNull(second);
        Assert.Null(await store.TryReplaceAsync(id, "{}"u8.ToArray(), first, CancellationToken.None));

        var stored = await store.ReadAsync(id, CancellationToken.None);
        Assert.Equal("{\"claims\":[1]}", Encoding.UTF8.GetString(stored!.Content.Span));
        Assert.Equal(second, stored.Version);
        await Assert.ThrowsAsync<ArgumentException>(() => store.ReadAsync("../jobs/x", CancellationToken.None));
    }

    [Fact]
    public async Task Writers_racing_on_one_ETag_never_get_a_permit_twice()
    {
        const int instances = 8;
        var time = new FakeTimeProvider(Start);
        var timeline = new GrantTimeline();
        var store = new CountingRateBudgetStore(await StoreAsync(), new ArrivalBarrier(instances, TimeSpan.FromSeconds(30)));
        var options = Options(limit: 20);
        var limiters = Enumerable.Range(0, instances).Select(_ => Limiter(time, timeline, options, store)).ToList();
        try
        {
            // Time stands still: all eight first write on the same (absent) ETag; Blob Storage lets one through and
            // answers 412/409 to the others, which read again and find the whole budget leased to the winner (alone when
            // it wrote). Only the winner's five callers go out in this instant.
            var callers = limiters.SelectMany(limiter => Enumerable.Range(0, 5).Select(_ => Instant(limiter, timeline))).ToList();
            await GrantTimeline.SettleAsync(() => timeline.Count >= 5 && store.Conflicts >= instances - 1, TimeSpan.FromSeconds(60));
            await GrantTimeline.SettleAsync(() => false, TimeSpan.FromSeconds(1));

            Assert.Equal(5, timeline.Count);
            Assert.True(store.Conflicts >= instances - 1, $"{store.Conflicts} conflicts");

            // Then the winner gives up what it does not use and the others share it, never more than the limit per window.
            await timeline.DriveAsync(time, callers, TimeSpan.FromMilliseconds(20), TimeSpan.FromSeconds(60), Settle);
            Assert.All(callers, caller => Assert.True(caller.IsCompletedSuccessfully));
            Assert.Equal(40, timeline.Count);
            Assert.True(timeline.MostWithin(Window + Margin) <= 20, $"{timeline.MostWithin(Window + Margin)} grants in one window");
        }
        finally
        {
            limiters.ForEach(limiter => limiter.Dispose());
        }
    }

    [Fact]
    public async Task A_429_seen_by_one_instance_pauses_the_others_sharing_the_store()
    {
        var time = new FakeTimeProvider(Start);
        var timeline = new GrantTimeline();
        var store = new CountingRateBudgetStore(await StoreAsync());
        var options = Options(limit: 20);
        using var refused = Limiter(time, new GrantTimeline(), options, store);
        using var other = Limiter(time, timeline, options, store);

        await refused.OnRateLimitedAsync(Status, TimeSpan.FromSeconds(3), CancellationToken.None);
        var until = time.GetUtcNow().UtcTicks + TimeSpan.FromSeconds(3).Ticks;
        var readsBefore = store.Reads;
        var waiting = Enumerable.Range(0, 3).Select(_ => Instant(other, timeline)).ToList();

        // The other instance learns of the pause from the blob with its first lease, and sends nothing before it ends.
        await GrantTimeline.SettleAsync(() => store.Reads > readsBefore, TimeSpan.FromSeconds(30));
        for (var step = 0; step < 29; step++)
        {
            await GrantTimeline.SettleAsync(realLimit: TimeSpan.FromMilliseconds(20));
            time.Advance(TimeSpan.FromMilliseconds(100));
        }

        await GrantTimeline.SettleAsync(realLimit: TimeSpan.FromMilliseconds(500));
        Assert.Equal(0, timeline.Count);
        await timeline.DriveAsync(time, waiting, TimeSpan.FromMilliseconds(20), TimeSpan.FromSeconds(30), Settle);
        Assert.All(waiting, caller => Assert.True(caller.IsCompletedSuccessfully));
        Assert.All(timeline.Grants, ticks => Assert.True(ticks >= until, "a permit was granted during the pause"));
    }

    [Fact]
    public async Task The_share_of_an_instance_that_died_comes_back_and_its_lease_is_forgotten()
    {
        var time = new FakeTimeProvider(Start);
        var timeline = new GrantTimeline();
        var blobs = await StoreAsync();
        var options = Options(limit: 10);
        var span = (Window + Margin).Ticks;

        // Alone, the instance leases the whole budget for one request, and dies holding it.
        var dying = Limiter(time, new GrantTimeline(), options, blobs);
        (await dying.AcquireAsync(Status, CancellationToken.None))?.Dispose();
        var leaseEnds = time.GetUtcNow().UtcTicks + (3 * Renewal).Ticks;
        dying.Dispose();

        using var survivor = Limiter(time, timeline, options, blobs);
        var waiting = Enumerable.Range(0, 10).Select(_ => Instant(survivor, timeline)).ToList();
        await timeline.DriveAsync(time, waiting, TimeSpan.FromMilliseconds(20), TimeSpan.FromSeconds(30), Settle);

        Assert.Equal(10, timeline.Count);
        Assert.All(timeline.Grants, ticks => Assert.True(ticks >= leaseEnds + span, "a permit of the dead instance's share was granted too early"));

        // The survivor's write that took the share dropped the dead lease from the blob: nothing of the dead instance remains.
        var stored = await blobs.ReadAsync(new RateBudgetPolicy(options).BudgetId, CancellationToken.None);
        using var document = JsonDocument.Parse(stored!.Content);
        var lease = Assert.Single(document.RootElement.GetProperty("leases").EnumerateArray());
        Assert.Equal(10, lease.GetProperty("units").GetProperty("").GetInt32());
    }

    [Fact]
    public async Task The_app_registers_the_shared_budget_over_its_blob_storage()
    {
        await using var app = await FunctionsApp.StartAsync(azurite.Server, new Dictionary<string, string?> { ["SailPoint:RateLimit:Enabled"] = "true" });

        Assert.IsType<BlobRateBudgetStore>(app.Services.GetRequiredService<ISailPointRateBudgetStore>());
        Assert.IsType<SharedRateLimiter>(app.Services.GetRequiredService<SailPointRateLimiterHolder>().Limiter);
        Assert.True(await azurite.Server.Blobs().GetBlobContainerClient(FunctionsSettings.RateBudgetContainer).ExistsAsync());
    }

    private async Task<BlobRateBudgetStore> StoreAsync()
    {
        var blobs = azurite.Server.Blobs();
        await blobs.GetBlobContainerClient(FunctionsSettings.RateBudgetContainer).CreateIfNotExistsAsync();
        return new BlobRateBudgetStore(blobs);
    }

    private static RoleMiningClientOptions Options(int limit)
    {
        var options = new RoleMiningClientOptions
        {
            BaseUrl = new Uri("https://acme.api.identitynow.com"),
            ClientId = "functions-tests-" + Guid.NewGuid().ToString("N"),
            ClientSecret = "secret",
        };
        options.RateLimit.PermitLimit = limit;
        options.RateLimit.Window = Window;
        options.RateLimit.JitterMargin = Margin;
        options.RateLimit.LeaseRenewal = Renewal;
        return options;
    }

    private static SharedRateLimiter Limiter(FakeTimeProvider time, GrantTimeline timeline, RoleMiningClientOptions options, ISailPointRateBudgetStore store) =>
        new(new RateBudgetPolicy(options), store, time, NullLogger.Instance) { GrantObserved = timeline.Record };

    private static async Task Instant(SharedRateLimiter limiter, GrantTimeline timeline) =>
        timeline.Answer(await limiter.AcquireAsync(Status, CancellationToken.None));
}
