using Azure;
using RoleMining.Exports;
using RoleMining.Functions.Storage;

namespace RoleMining.Functions.Tests.Storage;

/// <summary>The package-free rules of the Azure Storage adapters: blob names, metadata filters, conflicts, ETags.</summary>
public sealed class StorageAdapterRulesTests
{
    private static ExportJob Job(string session = "s1", string role = "r1", ExportJobState state = ExportJobState.Polling) => new()
    {
        JobId = ExportJobIds.NewJobId(),
        SessionId = session,
        PotentialRoleId = role,
        State = state,
    };

    [Fact]
    public void Job_document_names_round_trip()
    {
        var jobId = ExportJobIds.NewJobId();

        var name = JobDocuments.BlobName(jobId);

        Assert.Equal(jobId + ".json", name);
        Assert.Equal(jobId, JobDocuments.JobIdOf(name));
    }

    [Theory]
    [InlineData("../escape")]
    [InlineData("a/b")]
    [InlineData("")]
    public void Unsafe_job_ids_are_refused(string jobId) =>
        Assert.Throws<ArgumentException>(() => JobDocuments.BlobName(jobId));

    [Theory]
    [InlineData("notes.txt")]
    [InlineData("folder/abc.json")]
    [InlineData(".json")]
    public void Other_blobs_are_not_job_documents(string blobName) =>
        Assert.Null(JobDocuments.JobIdOf(blobName));

    public static TheoryData<string> CallbackStates() => ["none", nameof(ExportCallbackState.Pending), nameof(ExportCallbackState.Delivered), nameof(ExportCallbackState.Failed)];

    [Theory]
    [MemberData(nameof(CallbackStates))]
    public void Metadata_prefilter_agrees_with_the_query_on_every_field(string callback)
    {
        var job = Job(state: ExportJobState.Downloading) with
        {
            Callback = callback == "none" ? null : new ExportCallback { Name = "logic-app", State = Enum.Parse<ExportCallbackState>(callback) },
        };
        var metadata = JobDocuments.Metadata(job);
        ExportJobQuery[] queries =
        [
            ExportJobQuery.All,
            new() { SessionId = "s1" },
            new() { SessionId = "s2" },
            new() { PotentialRoleId = "r1" },
            new() { PotentialRoleId = "r9" },
            new() { States = [ExportJobState.Downloading, ExportJobState.Failed] },
            new() { States = [ExportJobState.Succeeded] },
            new() { SessionId = "s1", PotentialRoleId = "r1", States = [ExportJobState.Downloading] },
            new() { CallbackPending = true },
            new() { CallbackPending = false },
            new() { States = [ExportJobState.Downloading], CallbackPending = true },
        ];

        // The prefilter may only skip documents the query would reject: here, with complete metadata, exactly those.
        Assert.All(queries, query => Assert.Equal(query.Matches(job), JobDocuments.MayMatch(metadata, query)));
        Assert.Equal(callback == nameof(ExportCallbackState.Pending), new ExportJobQuery { CallbackPending = true }.Matches(job));
    }

    [Fact]
    public void Blobs_without_metadata_are_never_skipped()
    {
        var query = new ExportJobQuery { SessionId = "s1", States = [ExportJobState.Failed] };

        Assert.True(JobDocuments.MayMatch(null, query));
        Assert.True(JobDocuments.MayMatch(new Dictionary<string, string>(), query));
        Assert.True(JobDocuments.MayMatch(new Dictionary<string, string> { ["state"] = "SomethingNew" }, query));
        Assert.True(JobDocuments.MayMatch(new Dictionary<string, string> { ["state"] = "Failed" }, query with { CallbackPending = true }));
    }

    [Fact]
    public void Metadata_keys_are_matched_without_regard_to_case_as_the_service_returns_them()
    {
        var metadata = new Dictionary<string, string> { ["SessionId"] = "s2" };

        Assert.False(JobDocuments.MayMatch(metadata, new ExportJobQuery { SessionId = "s1" }));
    }

    [Theory]
    [InlineData(412, "ConditionNotMet", true)]
    [InlineData(409, "BlobAlreadyExists", true)]
    [InlineData(409, "LeaseIdMissing", true)]
    [InlineData(409, "ContainerBeingDeleted", false)]
    [InlineData(404, "BlobNotFound", false)]
    [InlineData(403, "AuthorizationPermissionMismatch", false)]
    [InlineData(500, "InternalError", false)]
    public void Only_lost_conditional_writes_are_concurrency_conflicts(int status, string errorCode, bool conflict)
    {
        var exception = new RequestFailedException(status, "storage said no", errorCode, null);

        Assert.Equal(conflict, StorageConflicts.IsConcurrencyConflict(exception));
        Assert.Equal(status == 404, StorageConflicts.IsNotFound(exception));
    }

    [Fact]
    public void ETags_round_trip_through_the_opaque_string_of_the_port()
    {
        var etag = new ETag("\"0x8DC1234567890AB\"");

        var text = StorageConflicts.FromETag(etag);

        Assert.Equal(etag, StorageConflicts.ToIfMatch(text));
    }
}
