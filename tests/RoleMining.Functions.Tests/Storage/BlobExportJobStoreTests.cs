using Azure;
using Azure.Core;
using Azure.Core.Pipeline;
using Azure.Storage.Blobs;
using RoleMining.Exports;
using RoleMining.Functions.Configuration;
using RoleMining.Functions.Storage;
using RoleMining.Functions.Tests.Infrastructure;

namespace RoleMining.Functions.Tests.Storage;

[Collection(AzuriteTestGroup.Name)]
public sealed class BlobExportJobStoreTests(AzuriteFixture azurite) : IAsyncLifetime
{
    private readonly BlobExportJobStore _store = new(azurite.Server.Blobs());

    public async Task InitializeAsync() =>
        await azurite.Server.Blobs().GetBlobContainerClient(FunctionsSettings.JobContainer).CreateIfNotExistsAsync();

    public Task DisposeAsync() => Task.CompletedTask;

    private static ExportJob NewJob(string session = "session-a", string role = "role-a") => new()
    {
        JobId = ExportJobIds.NewJobId(),
        SessionId = session,
        PotentialRoleId = role,
        State = ExportJobState.Queued,
        CreatedAt = DateTimeOffset.UtcNow,
        UpdatedAt = DateTimeOffset.UtcNow,
    };

    [Fact]
    public async Task A_created_job_reads_back_with_its_etag()
    {
        var job = NewJob();

        var created = await _store.TryCreateAsync(job);
        var read = await _store.GetAsync(job.JobId);

        Assert.NotNull(created);
        Assert.NotNull(read);
        Assert.Equal(job.JobId, read.Job.JobId);
        Assert.Equal(job.SessionId, read.Job.SessionId);
        Assert.Equal(created.ETag, read.ETag);
    }

    [Fact]
    public async Task A_second_create_of_the_same_job_is_refused_and_changes_nothing()
    {
        var job = NewJob();
        var first = await _store.TryCreateAsync(job);

        var second = await _store.TryCreateAsync(job with { SessionId = "other-session" });

        Assert.NotNull(first);
        Assert.Null(second);
        Assert.Equal("session-a", (await _store.GetAsync(job.JobId))!.Job.SessionId);
    }

    [Fact]
    public async Task A_replace_with_the_current_etag_wins_and_one_with_a_stale_etag_loses()
    {
        var job = NewJob();
        var created = (await _store.TryCreateAsync(job))!;

        var moved = await _store.TryReplaceAsync(job with { State = ExportJobState.Started }, created.ETag);
        var stale = await _store.TryReplaceAsync(job with { State = ExportJobState.Failed }, created.ETag);

        Assert.NotNull(moved);
        Assert.NotEqual(created.ETag, moved.ETag);
        Assert.Null(stale);
        Assert.Equal(ExportJobState.Started, (await _store.GetAsync(job.JobId))!.Job.State);
    }

    [Fact]
    public async Task Concurrent_replaces_from_one_etag_let_exactly_one_win()
    {
        var job = NewJob();
        var created = (await _store.TryCreateAsync(job))!;

        var results = await Task.WhenAll(Enumerable.Range(0, 8).Select(attempt =>
            _store.TryReplaceAsync(job with { Attempts = attempt + 1 }, created.ETag)));

        Assert.Single(results, result => result is not null);
    }

    [Fact]
    public async Task Missing_jobs_read_as_null_and_cannot_be_replaced()
    {
        var job = NewJob();

        Assert.Null(await _store.GetAsync(job.JobId));
        Assert.Null(await _store.TryReplaceAsync(job, "\"0x8D0000000000000\""));
    }

    [Fact]
    public async Task Queries_filter_by_session_role_and_state()
    {
        var session = "session-" + Guid.NewGuid().ToString("N");
        var queued = NewJob(session, "role-1");
        var failed = NewJob(session, "role-2") with { State = ExportJobState.Failed };
        var elsewhere = NewJob("session-" + Guid.NewGuid().ToString("N"), "role-1");
        foreach (var job in new[] { queued, failed, elsewhere })
        {
            Assert.NotNull(await _store.TryCreateAsync(job));
        }

        var inSession = await _store.QueryAsync(new ExportJobQuery { SessionId = session }).ToListAsync();
        var failedInSession = await _store.QueryAsync(new ExportJobQuery { SessionId = session, States = [ExportJobState.Failed] }).ToListAsync();
        var roleOne = await _store.QueryAsync(new ExportJobQuery { SessionId = session, PotentialRoleId = "role-1" }).ToListAsync();

        Assert.Equal(new[] { queued.JobId, failed.JobId }.Order(StringComparer.Ordinal), inSession.Select(job => job.JobId).Order(StringComparer.Ordinal));
        Assert.Equal(failed.JobId, Assert.Single(failedInSession).JobId);
        Assert.Equal(queued.JobId, Assert.Single(roleOne).JobId);
    }

    [Fact]
    public async Task A_replaced_state_is_what_queries_see()
    {
        var session = "session-" + Guid.NewGuid().ToString("N");
        var job = NewJob(session);
        var created = (await _store.TryCreateAsync(job))!;
        await _store.TryReplaceAsync(job with { State = ExportJobState.Succeeded }, created.ETag);

        var queued = await _store.QueryAsync(new ExportJobQuery { SessionId = session, States = [ExportJobState.Queued] }).ToListAsync();
        var succeeded = await _store.QueryAsync(new ExportJobQuery { SessionId = session, States = [ExportJobState.Succeeded] }).ToListAsync();

        Assert.Empty(queued);
        Assert.Single(succeeded);
    }

    [Fact]
    public async Task Looking_for_pending_callbacks_downloads_only_the_jobs_that_have_one()
    {
        // The resume timer runs this query every 30 seconds over every job that ever ended.
        var session = "session-" + Guid.NewGuid().ToString("N");
        var pending = NewJob(session, "role-1") with { State = ExportJobState.Succeeded, Callback = new ExportCallback { Name = "logic-app" } };
        var delivered = NewJob(session, "role-2") with { State = ExportJobState.Succeeded, Callback = new ExportCallback { Name = "logic-app", State = ExportCallbackState.Delivered } };
        var without = NewJob(session, "role-3") with { State = ExportJobState.Failed };
        foreach (var job in new[] { pending, delivered, without })
        {
            Assert.NotNull(await _store.TryCreateAsync(job));
        }

        var downloads = new DownloadCounter();
        var options = new BlobClientOptions();
        options.AddPolicy(downloads, HttpPipelinePosition.PerCall);
        var store = new BlobExportJobStore(new BlobServiceClient(azurite.Server.ConnectionString, options));

        var found = await store.QueryAsync(new ExportJobQuery { SessionId = session, States = [ExportJobState.Succeeded, ExportJobState.Failed], CallbackPending = true }).ToListAsync();

        Assert.Equal(pending.JobId, Assert.Single(found).JobId);
        Assert.Equal([JobDocuments.BlobName(pending.JobId)], downloads.Blobs);
    }

    [Fact]
    public async Task A_document_an_earlier_version_wrote_gets_the_current_metadata_when_a_query_reads_it()
    {
        var session = "session-" + Guid.NewGuid().ToString("N");
        var job = NewJob(session) with { State = ExportJobState.Succeeded };
        Assert.NotNull(await _store.TryCreateAsync(job));
        var blob = azurite.Server.Blobs().GetBlobContainerClient(FunctionsSettings.JobContainer).GetBlobClient(JobDocuments.BlobName(job.JobId));
        var legacy = JobDocuments.Metadata(job);
        legacy.Remove(JobDocuments.CallbackPendingKey);
        await blob.SetMetadataAsync(legacy);

        var found = await _store.QueryAsync(new ExportJobQuery { SessionId = session }).ToListAsync();

        Assert.Equal(job.JobId, Assert.Single(found).JobId);
        var metadata = (await blob.GetPropertiesAsync()).Value.Metadata;
        Assert.Equal("false", metadata[JobDocuments.CallbackPendingKey]);
        Assert.True(JobDocuments.HasCurrentMetadata(metadata));
    }

    [Fact]
    public async Task A_missing_job_container_is_an_error_not_a_lost_race_or_a_missing_job()
    {
        // The store's requests sent to a container that does not exist, as in a deployment without its containers.
        var options = new BlobClientOptions();
        options.AddPolicy(new ContainerRedirect(FunctionsSettings.JobContainer, "missing-" + Guid.NewGuid().ToString("N")), HttpPipelinePosition.PerCall);
        var store = new BlobExportJobStore(new BlobServiceClient(azurite.Server.ConnectionString, options));
        var job = NewJob();

        // Null would mean "someone else wrote first" (create) or "no such job" (read): a job service would try again for ever.
        var create = await Assert.ThrowsAsync<RequestFailedException>(() => store.TryCreateAsync(job));
        var read = await Assert.ThrowsAsync<RequestFailedException>(() => store.GetAsync(job.JobId));
        var replace = await Assert.ThrowsAsync<RequestFailedException>(() => store.TryReplaceAsync(job, "\"0x8D000000000000\""));

        Assert.All(new[] { create, read, replace }, failure => Assert.Equal("ContainerNotFound", failure.ErrorCode));
    }

    /// <summary>Sends the requests for one container to another.</summary>
    private sealed class ContainerRedirect(string from, string to) : HttpPipelineSynchronousPolicy
    {
        public override void OnSendingRequest(HttpMessage message)
        {
            var uri = message.Request.Uri.ToUri();
            var builder = new UriBuilder(uri) { Path = uri.AbsolutePath.Replace("/" + from, "/" + to, StringComparison.Ordinal) };
            message.Request.Uri.Reset(builder.Uri);
        }
    }

    /// <summary>Records the blobs whose content was requested (GET of a blob, not of the container listing).</summary>
    private sealed class DownloadCounter : HttpPipelineSynchronousPolicy
    {
        public List<string> Blobs { get; } = [];

        public override void OnSendingRequest(HttpMessage message)
        {
            if (message.Request.Method == RequestMethod.Get && !message.Request.Uri.Query.Contains("comp=list", StringComparison.Ordinal))
            {
                lock (Blobs)
                {
                    Blobs.Add(message.Request.Uri.Path.Split('/')[^1]);
                }
            }
        }
    }
}
