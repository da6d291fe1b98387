using System.Diagnostics;
using System.Net;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using Azure.Storage.Blobs;
using Azure.Storage.Queues;
using RoleMining.Emulator;
using RoleMining.Exports;
using RoleMining.Functions.Configuration;
using RoleMining.Functions.EndToEndTests.Infrastructure;
using RoleMining.Functions.Storage;
using RoleMining.SailPoint;
using RoleMining.Testing.Azurite;
using RoleMining.Testing.FunctionsHost;
using Xunit.Abstractions;

namespace RoleMining.Functions.EndToEndTests.Host;

/// <summary>
/// Two instances of the published app under real Functions hosts, sharing one Azurite and one ISC emulator, as two
/// instances of a Function App share a storage account and a tenant. One is killed (its whole process tree, as a crashed
/// or reclaimed instance goes) while it holds start, poll and download messages; the other finishes every job well
/// before the dead instance's messages would reappear (the queue listener hides a message it took for ten minutes).
/// </summary>
[Collection(FunctionsHostGroup.Name)]
public sealed class InstanceDeathTests(ITestOutputHelper output)
{
    /// <summary>The issue's promise: every job ends within three minutes of the death.</summary>
    private static readonly TimeSpan RecoveryBudget = TimeSpan.FromMinutes(3);

    /// <summary>How long the emulator holds the victim's calls: far longer than the test, so the victim never gets an answer.</summary>
    private static readonly TimeSpan HeldFor = TimeSpan.FromMinutes(8);

    /// <summary>The service's latency once the victim is dead, for the survivor's calls.</summary>
    private static readonly TimeSpan NormalLatency = TimeSpan.FromMilliseconds(200);

    private static readonly string[] SlowRoutes =
    [
        OperationIds.ExportRoleMiningPotentialRoleAsync,
        OperationIds.ExportRoleMiningPotentialRoleStatus,
        OperationIds.DownloadRoleMiningPotentialRoleZip,
    ];

    [RequiresFunctionsHostFact]
    public async Task Work_held_by_a_killed_instance_is_finished_by_the_other_within_three_minutes_with_one_export_per_role()
    {
        var watch = Stopwatch.StartNew();
        var publishing = PublishedApp.GetAsync();
        await using var azurite = await AzuriteServer.StartAsync();
        var emulatorOptions = new EmulatorOptions { ClientId = "functions-death", ClientSecret = "functions-death-" + Guid.NewGuid().ToString("N") };
        emulatorOptions.Exports.QueuedFor = TimeSpan.FromMilliseconds(200);
        emulatorOptions.Exports.InProgressFor = TimeSpan.FromMilliseconds(500);
        foreach (var route in SlowRoutes)
        {
            // Present from the start: while the servers run, the test changes only the latency of these entries.
            emulatorOptions.Faults.Routes[route] = new EmulatorRouteFaultOptions();
        }

        await using var emulator = await EmulatorServer.StartAsync(emulatorOptions);
        var settings = FunctionsHostEnvironment.AppSettings(azurite, emulator);
        settings["Exports__Polling__InitialDelay"] = "00:00:00.500";
        settings["Exports__Polling__MaxDelay"] = "00:00:02";
        // The victim's calls are held by the emulator until it dies; a per-attempt timeout must not answer them first.
        settings["SailPoint__Timeouts__Attempt"] = "00:09:00";
        var app = await publishing;
        // Only the victim looks for new messages every second (host.json: up to 10 s), so that it takes its work quickly;
        // the survivor keeps host.json's interval, which is part of the recovery time measured.
        var victimSettings = new Dictionary<string, string?>(settings) { ["AzureFunctionsJobHost__extensions__queues__maxPollingInterval"] = "00:00:01" };
        var (victim, survivor) = await StartTwoHostsAsync(app.Directory, victimSettings, settings);
        await using var victimHost = victim;
        await using var survivorHost = survivor;
        output.WriteLine($"{watch.Elapsed:mm\\:ss} two hosts running: victim {victim.BaseAddress}, survivor {survivor.BaseAddress}");

        // Scale-in style drain: the survivor takes no work until the victim holds some of each kind.
        await survivor.DrainAsync(TimeSpan.FromMinutes(1));
        output.WriteLine($"{watch.Elapsed:mm\\:ss} survivor drained");
        var store = new BlobExportJobStore(azurite.Blobs());
        var roles = emulator.Tenant.PotentialRoles
            .Where(role => role.Session.State == "POTENTIAL_ROLES_CREATED")
            .OrderBy(role => role.Session.Index).ThenBy(role => role.Index)
            .Take(6)
            .ToList();
        Assert.Equal(6, roles.Count);

        SetLatency(emulator, OperationIds.DownloadRoleMiningPotentialRoleZip, HeldFor);
        var downloading = await StartExportsAsync(victim, roles[0..2]);
        await WaitForJobsAsync(store, downloading, job => job is { State: ExportJobState.Downloading, Lease: not null }, "downloading", victim);
        output.WriteLine($"{watch.Elapsed:mm\\:ss} the victim holds two downloads");
        SetLatency(emulator, OperationIds.ExportRoleMiningPotentialRoleStatus, HeldFor);
        var polling = await StartExportsAsync(victim, roles[2..4]);
        await WaitForJobsAsync(store, polling, job => job is { State: ExportJobState.Polling, Lease: not null }, "polling", victim);
        output.WriteLine($"{watch.Elapsed:mm\\:ss} the victim holds two polls");
        SetLatency(emulator, OperationIds.ExportRoleMiningPotentialRoleAsync, HeldFor);
        var starting = await StartExportsAsync(victim, roles[4..6]);
        await WaitForJobsAsync(store, starting, job => job is { State: ExportJobState.Started, Lease: not null }, "starting", victim);

        // Every message is invisible in its queue (taken) and every job is claimed: the victim, the only host at work,
        // holds two start, two poll and two download messages.
        var queues = azurite.Queues();
        foreach (var step in Enum.GetValues<ExportStep>())
        {
            var visible = (await queues.GetQueueClient(ExportQueueNames.For(step)).PeekMessagesAsync(32)).Value;
            Assert.True(visible.Length == 0, $"{ExportQueueNames.For(step)} has {visible.Length} message(s) nobody took.");
        }

        output.WriteLine($"{watch.Elapsed:mm\\:ss} the victim holds start {string.Join(", ", starting)}; poll {string.Join(", ", polling)}; download {string.Join(", ", downloading)}");
        await survivor.ResumeAsync(TimeSpan.FromMinutes(2));
        foreach (var route in SlowRoutes)
        {
            SetLatency(emulator, route, NormalLatency);
        }

        await victim.Process.KillAsync();
        var killedAt = DateTimeOffset.UtcNow;
        output.WriteLine($"{watch.Elapsed:mm\\:ss} victim killed (process tree); survivor running");

        var jobIds = downloading.Concat(polling).Concat(starting).ToList();
        var finished = await WaitUntilTerminalAsync(store, jobIds, killedAt + RecoveryBudget, survivor);
        var recovery = finished.Values.Max(job => job.CompletedAt!.Value) - killedAt;
        output.WriteLine($"{watch.Elapsed:mm\\:ss} recovery time: {recovery.TotalSeconds:0.0} s after the kill (budget {RecoveryBudget.TotalSeconds:0} s)");
        foreach (var (jobId, job) in finished)
        {
            var held = downloading.Contains(jobId) ? "download" : polling.Contains(jobId) ? "poll" : "start";
            output.WriteLine($"  job {jobId} (held at {held}): {job.State} {(job.CompletedAt!.Value - killedAt).TotalSeconds:0.0} s after the kill, resumed {job.Resumes} time(s)");
        }

        Assert.All(finished.Values, job => Assert.True(job.State == ExportJobState.Succeeded, $"Job {job.JobId} is {job.State}: {job.Failure?.Reason}"));
        Assert.True(recovery <= RecoveryBudget, $"Recovery took {recovery}.");
        // The held messages played no part: each job moved on because the survivor's timer sent its message again.
        Assert.All(finished.Values, job => Assert.True(job.Resumes >= 1, $"Job {job.JobId} was never resumed."));

        // One SailPoint export per role: the victim's held start calls never reached the tenant, the survivor's did once.
        foreach (var role in roles)
        {
            Assert.Equal(1, emulator.Statistics.ExportCreationsFor(role.Session.Id, role.Id));
        }

        Assert.Equal(roles.Count, emulator.Statistics.ExportCreations);
        foreach (var route in SlowRoutes)
        {
            SetLatency(emulator, route, TimeSpan.Zero);
        }

        await AssertZipsAreExactAsync(azurite.Blobs(), emulator, finished.Values);
        output.WriteLine($"{watch.Elapsed:mm\\:ss} done: {finished.Count} jobs succeeded, {emulator.Statistics.ExportCreations} SailPoint exports, zips byte-exact");
    }

    private static async Task<(FunctionsHostServer Victim, FunctionsHostServer Survivor)> StartTwoHostsAsync(
        string appDirectory, IReadOnlyDictionary<string, string?> victimSettings, IReadOnlyDictionary<string, string?> survivorSettings)
    {
        var location = FunctionsHostLocator.Location!;
        var starts = new[] { FunctionsHostServer.StartAsync(location, appDirectory, victimSettings), FunctionsHostServer.StartAsync(location, appDirectory, survivorSettings) };
        try
        {
            var hosts = await Task.WhenAll(starts);
            return (hosts[0], hosts[1]);
        }
        catch
        {
            foreach (var start in starts.Where(start => start.IsCompletedSuccessfully))
            {
                await start.Result.DisposeAsync();
            }

            throw;
        }
    }

    private static void SetLatency(EmulatorServer emulator, string operationId, TimeSpan latency) =>
        emulator.Faults.Routes[operationId].Latency = latency;

    /// <summary>Starts one export per role through the host's HTTP API, as a caller would; returns the job ids.</summary>
    private static async Task<List<string>> StartExportsAsync(FunctionsHostServer host, IEnumerable<TenantPotentialRole> roles)
    {
        using var http = host.CreateClient();
        var jobIds = new List<string>();
        foreach (var role in roles)
        {
            using var request = new HttpRequestMessage(HttpMethod.Post, $"api/sessions/{role.Session.Id}/potential-roles/{role.Id}/exports")
            {
                Content = new StringContent("{}", Encoding.UTF8, "application/json"),
            };
            request.Headers.Add("x-functions-key", FunctionsHostEnvironment.ApiKey);
            request.Headers.Add("Idempotency-Key", "death-" + role.Id);
            using var response = await http.SendAsync(request);
            var body = await response.Content.ReadAsStringAsync();
            Assert.True(response.StatusCode == HttpStatusCode.Accepted, $"{(int)response.StatusCode}: {body}");
            using var job = JsonDocument.Parse(body);
            jobIds.Add(job.RootElement.GetProperty("jobId").GetString()!);
        }

        return jobIds;
    }

    private static async Task WaitForJobsAsync(BlobExportJobStore store, IReadOnlyList<string> jobIds, Func<ExportJob, bool> held, string what, FunctionsHostServer host)
    {
        var deadline = DateTimeOffset.UtcNow + TimeSpan.FromMinutes(1);
        var jobs = new List<ExportJob?>();
        while (DateTimeOffset.UtcNow < deadline)
        {
            jobs = [];
            foreach (var jobId in jobIds)
            {
                jobs.Add((await store.GetAsync(jobId))?.Job);
            }

            if (jobs.All(job => job is not null && held(job)))
            {
                return;
            }

            await Task.Delay(250);
        }

        throw new TimeoutException(
            $"The victim did not hold these jobs {what} within a minute: {string.Join("; ", jobs.Select(Describe))}\n{host.Log(60)}");
    }

    private static async Task<Dictionary<string, ExportJob>> WaitUntilTerminalAsync(BlobExportJobStore store, List<string> jobIds, DateTimeOffset deadline, FunctionsHostServer survivor)
    {
        var jobs = new Dictionary<string, ExportJob>(StringComparer.Ordinal);
        while (true)
        {
            foreach (var jobId in jobIds)
            {
                if (await store.GetAsync(jobId) is { } stored)
                {
                    jobs[jobId] = stored.Job;
                }
            }

            if (jobs.Count == jobIds.Count && jobs.Values.All(job => job.IsTerminal))
            {
                return jobs;
            }

            if (DateTimeOffset.UtcNow > deadline)
            {
                throw new TimeoutException(
                    $"Not every job ended within {RecoveryBudget} of the kill: {string.Join("; ", jobs.Values.Select(Describe))}\n{survivor.Log(80)}");
            }

            await Task.Delay(1000);
        }
    }

    /// <summary>Each stored zip is what the emulator serves for the job's export, byte for byte, and what the manifest says.</summary>
    private static async Task AssertZipsAreExactAsync(BlobServiceClient blobs, EmulatorServer emulator, IEnumerable<ExportJob> jobs)
    {
        var container = blobs.GetBlobContainerClient(FunctionsSettings.ArtifactContainer);
        using var client = RoleMiningClient.Create(new RoleMiningClientOptions
        {
            BaseUrl = emulator.BaseAddress,
            ClientId = emulator.Options.ClientId,
            ClientSecret = emulator.Options.ClientSecret,
        });
        foreach (var job in jobs)
        {
            var stored = (await container.GetBlobClient(ExportArtifactLayout.FilePath(job, ExportArtifactLayout.ZipFileName)).DownloadContentAsync()).Value.Content.ToArray();
            var manifestJson = (await container.GetBlobClient(ExportArtifactLayout.FilePath(job, ExportArtifactLayout.ManifestFileName)).DownloadContentAsync()).Value.Content.ToArray();
            await using var manifestStream = new MemoryStream(manifestJson);
            var manifest = await ExportsJson.DeserializeManifestAsync(manifestStream);
            var zip = manifest.Files.Single(file => file.Name == ExportArtifactLayout.ZipFileName);
            Assert.Equal(job.ExportId, manifest.ExportId);
            Assert.Equal(zip.Sha256, Convert.ToHexStringLower(SHA256.HashData(stored)));
            Assert.Equal(zip.Size, stored.LongLength);

            await using var download = await client.DownloadExportAsync(job.SessionId, job.PotentialRoleId, job.ExportId!);
            using var served = new MemoryStream();
            await download.Content.CopyToAsync(served);
            Assert.Equal(served.ToArray(), stored);
        }
    }

    private static string Describe(ExportJob? job) => job is null
        ? "(missing)"
        : $"{job.JobId} {job.State} next {job.NextStep}#{job.Sequence} lease {job.Lease?.ExpiresAt:O} resumed {job.Resumes} {job.Failure?.Reason}";
}
