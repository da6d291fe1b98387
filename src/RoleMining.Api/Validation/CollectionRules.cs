namespace RoleMining.Api.Validation;

/// <summary>The value type a filter field compares against.</summary>
public enum FilterValueKind
{
    /// <summary>A quoted string.</summary>
    Text = 0,

    /// <summary>A number.</summary>
    Number,

    /// <summary><c>true</c> or <c>false</c>.</summary>
    Boolean,

    /// <summary>A quoted ISO-8601 date-time.</summary>
    DateTime,
}

/// <summary>A filterable field of one ISC list operation and the operators the spec allows on it.</summary>
/// <param name="Name">The field name, case-sensitive as in the spec.</param>
/// <param name="Kind">The value type.</param>
/// <param name="Operators">The operators, lowercase.</param>
public sealed record FilterFieldRule(string Name, FilterValueKind Kind, IReadOnlyList<string> Operators);

/// <summary>The <c>filters</c> and <c>sorters</c> one ISC list operation supports, exactly as its path file lists them.</summary>
public sealed class CollectionRules
{
    /// <summary>Creates the rules of one operation.</summary>
    public CollectionRules(string operationId, IEnumerable<FilterFieldRule> filters, IEnumerable<string> sorters)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(operationId);
        ArgumentNullException.ThrowIfNull(filters);
        ArgumentNullException.ThrowIfNull(sorters);
        OperationId = operationId;
        Filters = filters.ToDictionary(rule => rule.Name, StringComparer.Ordinal);
        Sorters = [.. sorters];
    }

    /// <summary>The ISC operationId whose rules these are.</summary>
    public string OperationId { get; }

    /// <summary>Filterable fields by name.</summary>
    public IReadOnlyDictionary<string, FilterFieldRule> Filters { get; }

    /// <summary>Sortable fields.</summary>
    public IReadOnlyList<string> Sorters { get; }
}

/// <summary>
/// The rules of the ISC operations this API (and the command line) passes <c>filters</c>/<c>sorters</c> to, from
/// <c>spec/sailpoint/v2024/paths/role-mining-sessions.yaml</c>, <c>role-mining-session-potential-role-summaries.yaml</c> and
/// <c>role-mining-potential-role-identities.yaml</c> (the same in v2025, beta and v1).
/// </summary>
public static class SailPointCollections
{
    /// <summary><c>getRoleMiningSessions</c>: sorters <c>createdBy</c>, <c>createdDate</c>; filters <c>saved eq</c>, <c>name eq, sw</c>.</summary>
    public static CollectionRules Sessions { get; } = new(
        "getRoleMiningSessions",
        [
            new("saved", FilterValueKind.Boolean, ["eq"]),
            new("name", FilterValueKind.Text, ["eq", "sw"]),
        ],
        ["createdBy", "createdDate"]);

    private static readonly string[] TextOperators = ["eq", "sw", "co"];
    private static readonly string[] NumberOperators = ["eq", "ge", "gt", "le", "lt"];

    /// <summary><c>getPotentialRoleSummaries</c>: sorter <c>createdDate</c>; ten filter fields.</summary>
    public static CollectionRules PotentialRoleSummaries { get; } = new(
        "getPotentialRoleSummaries",
        [
            new("createdById", FilterValueKind.Text, TextOperators),
            new("createdByName", FilterValueKind.Text, TextOperators),
            new("description", FilterValueKind.Text, ["sw", "co"]),
            new("endDate", FilterValueKind.DateTime, ["le", "lt"]),
            new("freshness", FilterValueKind.Number, NumberOperators),
            new("name", FilterValueKind.Text, TextOperators),
            new("quality", FilterValueKind.Number, NumberOperators),
            new("startDate", FilterValueKind.DateTime, ["ge", "gt"]),
            new("saved", FilterValueKind.Boolean, ["eq"]),
            new("type", FilterValueKind.Text, ["eq"]),
        ],
        ["createdDate"]);

    /// <summary><c>getIdentitiesPotentialRole</c>: sorter <c>name</c>; filter <c>name sw</c>.</summary>
    public static CollectionRules PotentialRoleIdentities { get; } = new(
        "getIdentitiesPotentialRole",
        [new("name", FilterValueKind.Text, ["sw"])],
        ["name"]);
}
