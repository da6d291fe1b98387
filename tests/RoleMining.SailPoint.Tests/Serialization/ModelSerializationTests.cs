using System.Text.Json;
using RoleMining.SailPoint.Models;
using RoleMining.SailPoint.Serialization;

namespace RoleMining.SailPoint.Tests.Serialization;

public sealed class ModelSerializationTests
{
    private static readonly JsonSerializerOptions SmallBuffers = new(RoleMiningJson.Options) { DefaultBufferSize = 16 };

    [Fact]
    public void Enum_values_are_read_from_their_wire_names()
    {
        var export = JsonSerializer.Deserialize<PotentialRoleExport>("""{"exportId":"e1","status":"IN_PROGRESS","minEntitlementPopularity":5,"includeCommonAccess":false}""", RoleMiningJson.Options)!;

        Assert.Equal(PotentialRoleExportState.InProgress, export.Status);
        Assert.Equal("e1", export.ExportId);
        Assert.Equal(5, export.MinEntitlementPopularity);
        Assert.False(export.IncludeCommonAccess);
    }

    [Fact]
    public void An_enum_value_ISC_adds_later_reads_as_unknown_instead_of_failing()
    {
        var session = JsonSerializer.Deserialize<RoleMiningSession>(
            """{"id":"s1","status":{"state":"ARCHIVED_IN_2030"},"type":"HYBRID","scopingMethod":7}""", RoleMiningJson.Options)!;

        Assert.Equal("s1", session.Id);
        Assert.Equal(RoleMiningSessionState.Unknown, session.Status!.State);
        Assert.Equal(RoleMiningRoleType.Unknown, session.Type);
        Assert.Equal(RoleMiningSessionScopingMethod.Unknown, session.ScopingMethod);
    }

    [Fact]
    public void Enums_are_written_with_their_wire_names()
    {
        var json = JsonSerializer.Serialize(new PotentialRoleExport { ExportId = "e1", Status = PotentialRoleExportState.Success }, RoleMiningJson.Options);

        Assert.Contains("\"status\":\"SUCCESS\"", json, StringComparison.Ordinal);
        Assert.DoesNotContain("minEntitlementPopularity", json, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("""{"createdBy":{"id":"u1","displayName":"Ann"}}""", "u1", "Ann")]
    [InlineData("""{"createdBy":"Dummy"}""", null, "Dummy")]
    public void CreatedBy_reads_the_object_and_the_string_form(string json, string? id, string? displayName)
    {
        var summary = JsonSerializer.Deserialize<PotentialRoleSummary>(json, RoleMiningJson.Options)!;

        Assert.Equal(id, summary.CreatedBy!.Id);
        Assert.Equal(displayName, summary.CreatedBy.DisplayName);
    }

    [Fact]
    public void CreatedBy_may_be_null() =>
        Assert.Null(JsonSerializer.Deserialize<RoleMiningSession>("""{"createdBy":null}""", RoleMiningJson.Options)!.CreatedBy);

    [Fact]
    public void Identity_attributes_keep_null_values()
    {
        var identity = JsonSerializer.Deserialize<RoleMiningIdentity>(
            """{"id":"i1","name":"Allene","attributes":{"department":"IT","manager":null}}""", RoleMiningJson.Options)!;

        Assert.Equal("IT", identity.Attributes!["department"]);
        Assert.True(identity.Attributes.ContainsKey("manager"));
        Assert.Null(identity.Attributes["manager"]);
    }

    [Fact]
    public async Task Identity_attribute_values_that_are_not_strings_are_kept_as_their_JSON_text_not_a_failed_page()
    {
        const string json = """[{"id":"i1","attributes":{"isManager":true,"level":5,"score":2.50,"groups":["a","b"],"manager":{"id":"m1"},"department":"IT","none":null}}]""";
        using var stream = new MemoryStream(System.Text.Encoding.UTF8.GetBytes(json));

        var identity = Assert.Single((await JsonSerializer.DeserializeAsync<List<RoleMiningIdentity>>(stream, SmallBuffers))!);

        var attributes = identity.Attributes!;
        Assert.Equal(("true", "5", "2.50"), (attributes["isManager"], attributes["level"], attributes["score"]));
        Assert.Equal("""["a","b"]""", attributes["groups"]);
        Assert.Equal("""{"id":"m1"}""", attributes["manager"]);
        Assert.Equal("IT", attributes["department"]);
        Assert.Null(attributes["none"]);
        Assert.Contains("\"isManager\":\"true\"", JsonSerializer.Serialize(identity, RoleMiningJson.Options), StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("75", 75)]
    [InlineData("75.0", 75)]
    [InlineData("\"75\"", 75)]
    [InlineData("7.5e1", 75)]
    public void Whole_numbers_read_in_any_JSON_form(string density, int expected)
    {
        var summary = JsonSerializer.Deserialize<PotentialRoleSummary>($$"""{"id":"p1","density":{{density}},"quality":null}""", RoleMiningJson.Options)!;

        Assert.Equal(expected, summary.Density);
        Assert.Null(summary.Quality);
    }

    [Theory]
    [InlineData("75.5")]
    [InlineData("\"many\"")]
    [InlineData("3000000000")]
    public void A_number_that_is_not_a_whole_int32_is_still_refused(string density) =>
        Assert.Throws<JsonException>(() => JsonSerializer.Deserialize<PotentialRoleSummary>($$"""{"id":"p1","density":{{density}}}""", RoleMiningJson.Options));

    [Theory]
    [InlineData("2021-09-08T16:11:05.348", 0)]
    [InlineData("2021-09-08T16:11:05.348Z", 0)]
    [InlineData("2021-09-08T16:11:05.348+0000", 0)]
    [InlineData("2021-09-08T18:11:05.348+02:00", 2)]
    public void Date_times_without_an_offset_are_UTC_not_the_machine_s_local_time(string value, int offsetHours)
    {
        var session = JsonSerializer.Deserialize<RoleMiningSession>($$"""{"id":"s1","createdDate":"{{value}}"}""", RoleMiningJson.Options)!;

        Assert.Equal(new DateTimeOffset(2021, 9, 8, 16, 11, 5, 348, TimeSpan.Zero), session.CreatedDate);
        Assert.Equal(TimeSpan.FromHours(offsetHours), session.CreatedDate!.Value.Offset);
    }

    [Fact]
    public void The_spec_example_of_a_session_reads_completely()
    {
        // The example of RoleMiningSessionResponse in spec/sailpoint/v2024/schemas/RoleMiningSessionResponse.yaml.
        const string json = """
            {"scope":{"identityIds":[],"criteria":"source.name:DataScienceDataset","attributeFilterCriteria":null},
             "scopingMethod":"AUTO_RM","minNumIdentitiesInPotentialRole":20,"pruneThreshold":70,"prescribedPruneThreshold":83,
             "potentialRoleCount":8,"potentialRolesReadyCount":4,"status":{"state":"POTENTIAL_ROLES_PROCESSING"},"type":"SPECIALIZED",
             "emailRecipientId":null,"createdBy":null,"identityCount":0,"saved":false,"name":null,"dataFilePath":null,
             "id":"602ba738-cf48-499b-a780-7b67b3fc1ecf","createdDate":"2021-09-08T16:11:05.348Z","modifiedDate":"2021-09-08T16:11:05.348Z"}
            """;

        var session = JsonSerializer.Deserialize<RoleMiningSession>(json, RoleMiningJson.Options)!;

        Assert.Equal("602ba738-cf48-499b-a780-7b67b3fc1ecf", session.Id);
        Assert.Equal(RoleMiningSessionScopingMethod.AutoRm, session.ScopingMethod);
        Assert.Equal(RoleMiningSessionState.PotentialRolesProcessing, session.Status!.State);
        Assert.Equal(RoleMiningRoleType.Specialized, session.Type);
        Assert.Equal(83, session.PrescribedPruneThreshold);
        Assert.Equal("source.name:DataScienceDataset", session.Scope!.Criteria);
        Assert.Equal(new DateTimeOffset(2021, 9, 8, 16, 11, 5, 348, TimeSpan.Zero), session.CreatedDate);
    }

    [Fact]
    public async Task Converters_work_when_the_body_arrives_in_small_pieces()
    {
        // Streams deserialise in chunks; converters must not assume the whole document is in the buffer.
        const string json = """{"id":"p1","createdBy":{"id":"u1","displayName":"Ann","extra":{"nested":[1,2,3]}},"type":{"odd":"shape"},"provisionState":"PENDING"}""";
        using var stream = new MemoryStream(System.Text.Encoding.UTF8.GetBytes(json));

        var summary = await JsonSerializer.DeserializeAsync<PotentialRoleSummary>(stream, SmallBuffers);

        Assert.Equal("u1", summary!.CreatedBy!.Id);
        Assert.Equal("Ann", summary.CreatedBy.DisplayName);
        Assert.Equal(RoleMiningRoleType.Unknown, summary.Type);
        Assert.Equal(PotentialRoleProvisionState.Pending, summary.ProvisionState);
    }
}
