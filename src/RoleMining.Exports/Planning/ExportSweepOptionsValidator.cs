using Microsoft.Extensions.Options;

namespace RoleMining.Exports;

/// <summary>Checks <see cref="ExportSweepOptions"/>, naming each setting by its configuration key.</summary>
public sealed class ExportSweepOptionsValidator : IValidateOptions<ExportSweepOptions>
{
    /// <inheritdoc />
    public ValidateOptionsResult Validate(string? name, ExportSweepOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        var failures = new List<string>();
        foreach (var id in options.SessionIds.Where(id => !string.IsNullOrWhiteSpace(id) && !ExportJobIds.IsSafeSegment(id.Trim())))
        {
            failures.Add($"{ExportSweepOptions.SectionName}:SessionIds: '{id}' is not a session id.");
        }

        if (!ExportSweepOptions.TryParseState(options.State, out _))
        {
            failures.Add(StateProblem(options.State));
        }

        if (options.MinEntitlementPopularity is < 0 or > 100)
        {
            failures.Add($"{ExportSweepOptions.SectionName}:MinEntitlementPopularity must be between 0 and 100, not {options.MinEntitlementPopularity}.");
        }

        return failures.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(failures);
    }

    internal static string StateProblem(string? state) =>
        $"{ExportSweepOptions.SectionName}:State '{state}' is not a role-mining session state (e.g. POTENTIAL_ROLES_CREATED, or {ExportSweepOptions.AnyState}).";
}
