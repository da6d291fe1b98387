using RoleMining.Api.Validation;

namespace RoleMining.Api.Tests.Validation;

public sealed class CollectionQueryValidatorTests
{
    private static readonly CollectionRules Roles = SailPointCollections.PotentialRoleSummaries;
    private static readonly CollectionRules Identities = SailPointCollections.PotentialRoleIdentities;

    [Theory]
    [InlineData("(createdByName co \"int\")and (createdById sw \"2c9180907\")and (type eq \"COMMON\")and ((name co \"entt\")or (saved eq true))")]
    [InlineData("quality ge 50 and freshness lt 20.5")]
    [InlineData("startDate gt \"2024-01-01T00:00:00Z\" and endDate le \"2024-12-31T23:59:59.999+01:00\"")]
    [InlineData("not (name eq \"a\") or description sw \"Finance \\\"team\\\"\"")]
    [InlineData("name EQ \"x\" AND NOT quality GE 5 OR saved eq false")]
    [InlineData("quality eq -1")]
    [InlineData("startDate ge \"2024-01-02T10:00:00.123456789Z\"")] // RFC 3339 sets no limit on the fraction's digits
    [InlineData("startDate ge \"2024-01-02T10:00:00.1234567890123+02:00\"")]
    public void Filters_the_spec_allows_are_accepted(string filters) =>
        Assert.Null(CollectionQueryValidator.ValidateFilters(filters, Roles));

    [Theory]
    [InlineData("name eq", "lacks a value")]
    [InlineData("name in (\"a\", \"b\")", "Operator 'in' is not supported")]
    [InlineData("name pr", "Operator 'pr' is not supported")]
    [InlineData("saved eq \"true\"", "must be true or false")]
    [InlineData("quality gt high", "must be a number")]
    [InlineData("startDate ge 2024", "quoted RFC 3339 date-time")]
    [InlineData("endDate le \"2024-12-31\"", "quoted RFC 3339 date-time with its offset")]
    [InlineData("endDate le \"2024-12-31T10:00:00\"", "quoted RFC 3339 date-time with its offset")]
    [InlineData("endDate le \"2024-12-31T10:00:00.\"", "quoted RFC 3339 date-time with its offset")]
    [InlineData("endDate le \"2024-12-31T10:00:00.12345678\"", "quoted RFC 3339 date-time with its offset")]
    [InlineData("endDate le \"2024-12-31T10:00:00.1234567x8Z\"", "quoted RFC 3339 date-time with its offset")]
    [InlineData("endDate ge \"2024-01-01\"", "Operator 'ge' is not supported")]
    [InlineData("id eq \"x\"", "Filtering by 'id' is not supported")]
    [InlineData("name eq \"a\" and", "lacks a field name")]
    [InlineData("name eq \"a\")", "unexpected ')'")]
    [InlineData("name ~ \"a\"", "unexpected character '~'")]
    [InlineData("   ", "is empty")]
    [InlineData("Name eq \"x\"", "Filtering by 'Name' is not supported")]
    public void Filters_the_spec_does_not_allow_are_refused_with_a_reason(string filters, string reason) =>
        Assert.Contains(reason, CollectionQueryValidator.ValidateFilters(filters, Roles), StringComparison.Ordinal);

    [Fact]
    public void Identity_filters_allow_only_name_sw()
    {
        Assert.Null(CollectionQueryValidator.ValidateFilters("name sw \"Ab\" and name sw \"Abc\"", Identities));
        Assert.NotNull(CollectionQueryValidator.ValidateFilters("name eq \"Ab\"", Identities));
        Assert.NotNull(CollectionQueryValidator.ValidateFilters("id sw \"Ab\"", Identities));
    }

    [Theory]
    [InlineData("createdDate", null)]
    [InlineData("-createdDate", null)]
    [InlineData(" -createdDate ", null)]
    [InlineData("name", "Sorting by 'name' is not supported")]
    [InlineData("createdDate,", "A sort field is empty")]
    [InlineData("-", "A sort field is empty")]
    [InlineData("createdDate,-createdDate", "named twice")]
    public void Sorters_are_checked_against_the_operation(string sorters, string? reason)
    {
        var error = CollectionQueryValidator.ValidateSorters(sorters, Roles);
        if (reason is null)
        {
            Assert.Null(error);
        }
        else
        {
            Assert.Contains(reason, error, StringComparison.Ordinal);
        }
    }

    [Fact]
    public void Deep_nesting_is_refused_without_exhausting_the_stack()
    {
        var filters = new string('(', 10_000) + "name eq \"a\"" + new string(')', 10_000);
        Assert.Contains("must be at most", CollectionQueryValidator.ValidateFilters(filters, Roles), StringComparison.Ordinal);
        var nested = string.Concat(Enumerable.Repeat("not ", 500)) + "name eq \"a\"";
        Assert.Contains("nested more than", CollectionQueryValidator.ValidateFilters(nested, Roles), StringComparison.Ordinal);
    }
}
